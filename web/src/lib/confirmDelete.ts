// The delete flow every tree screen shares: confirm, call the API, explain a refusal (e.g. a
// 409 "not empty" with its counts), or report success.
import { ElMessage, ElMessageBox } from 'element-plus'
import { useI18n } from 'vue-i18n'
import { problemMessage, type ProblemLike } from '../api/problem'

export function useConfirmDelete() {
  const { t, te } = useI18n()
  /** Resolves true when the record was deleted. */
  return async (question: string, call: () => Promise<{ error?: unknown }>): Promise<boolean> => {
    try {
      await ElMessageBox.confirm(question, t('common.delete'), { type: 'warning' })
    } catch {
      return false
    }
    const { error } = await call()
    if (error) {
      ElMessage({ type: 'error', message: problemMessage(error as ProblemLike, t, te), duration: 6000, customClass: 'delete-error' })
      return false
    }
    ElMessage.success(t('common.deleted'))
    return true
  }
}
