// Form state for an API call: the translated message and the per-field errors of a problem.
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { ElMessage } from 'element-plus'
import { fieldErrors, problemMessage, type ProblemLike } from '../api/problem'

export function useProblem() {
  const { t, te } = useI18n()
  const message = ref('')
  const fields = ref<Record<string, string>>({})
  const reset = () => {
    message.value = ''
    fields.value = {}
  }
  const apply = (p: unknown) => {
    message.value = problemMessage(p as ProblemLike, t, te)
    fields.value = fieldErrors(p as ProblemLike, t, te)
  }
  /**
   * Submits a dialog's form: busy while the call runs; on a problem the message and field errors
   * stay in the open dialog; on success it closes, says so (`successKey`) and runs `done`.
   */
  async function submit<T>(
    dialog: { open: boolean; busy: boolean },
    call: () => Promise<{ data?: T; error?: unknown }>,
    successKey: string,
    done: (data: T) => Promise<void> | void,
  ): Promise<void> {
    dialog.busy = true
    reset()
    try {
      const result = await call()
      if (result.error || !result.data) {
        apply(result.error)
        return
      }
      dialog.open = false
      ElMessage.success(t(successKey))
      await done(result.data)
    } catch {
      message.value = t('errors.network')
    } finally {
      dialog.busy = false
    }
  }
  return { message, fields, reset, apply, submit }
}
