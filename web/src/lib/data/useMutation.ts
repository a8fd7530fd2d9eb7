// A change a screen makes (an action button, a download, a reveal): busy while it runs; a refusal
// becomes the translated problem (a toast, or the message and field errors a form shows);
// success optionally says so.
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { ElMessage } from 'element-plus'
import { useProblem } from '../useProblem'
import { problemOf, type Answer } from './answer'

export interface MutationOptions {
  /** An i18n key said on success (an `ElMessage.success`). */
  success?: string
  /** Show a refusal as an error toast (default), or only in `message` / `fields` for a form. */
  toast?: boolean
}

export type Outcome<T> = { ok: true; data: T } | { ok: false }

export function useMutation<A extends unknown[], T>(call: (...args: A) => Promise<Answer<T>>, options: MutationOptions = {}) {
  const { t } = useI18n()
  const problem = useProblem()
  const busy = ref(false)
  const toast = options.toast !== false

  async function run(...args: A): Promise<Outcome<T>> {
    busy.value = true
    problem.reset()
    try {
      const { data, error } = await call(...args)
      if (error !== undefined) {
        problem.apply(problemOf(error) ?? error)
        if (toast) ElMessage.error(problem.message.value)
        return { ok: false }
      }
      if (options.success) ElMessage.success(t(options.success))
      return { ok: true, data: data as T }
    } catch {
      problem.message.value = t('errors.network')
      if (toast) ElMessage.error(problem.message.value)
      return { ok: false }
    } finally {
      busy.value = false
    }
  }

  return { busy, run, message: problem.message, fields: problem.fields, reset: problem.reset }
}
