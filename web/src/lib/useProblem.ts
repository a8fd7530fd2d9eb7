// Form state for an API call: the translated message and the per-field errors of a problem.
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { fieldErrors, problemMessage, type ProblemLike } from '../api/problem'

export function useProblem() {
  const { t, te } = useI18n()
  const message = ref('')
  const fields = ref<Record<string, string>>({})
  return {
    message,
    fields,
    reset() {
      message.value = ''
      fields.value = {}
    },
    apply(p: unknown) {
      message.value = problemMessage(p as ProblemLike, t, te)
      fields.value = fieldErrors(p as ProblemLike)
    },
  }
}
