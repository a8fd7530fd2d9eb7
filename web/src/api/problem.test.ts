import { describe, expect, test } from 'vitest'
import { fieldErrors, problemMessage } from './problem'

const messages: Record<string, string> = { 'errors.validation_failed': '填写有误', 'errors.region_not_empty': '无法删除', 'errors.network': '网络错误', 'errors.unknown': '失败' }
const t = (k: string) => messages[k] ?? k
const te = (k: string) => k in messages

describe('problem+json mapping', () => {
  test('a known code is translated; an unknown one falls back to detail', () => {
    expect(problemMessage({ status: 422, code: 'validation_failed', detail: 'name: required' }, t, te)).toBe('填写有误')
    expect(problemMessage({ status: 400, code: 'something_new', detail: 'as the server says' }, t, te)).toBe('as the server says')
  })
  test('a conflict keeps its specifics', () => {
    expect(problemMessage({ status: 409, code: 'region_not_empty', detail: '3 child regions' }, t, te)).toBe('无法删除（3 child regions）')
  })
  test('no problem body means the network failed', () => {
    expect(problemMessage(undefined, t, te)).toBe('网络错误')
  })
  test('field errors are keyed by the last path segment, first one wins', () => {
    expect(
      fieldErrors({
        errors: [
          { field: 'name', code: 'required', message: 'name must not be empty' },
          { field: 'grants.0.scope_id', code: 'not_found', message: 'no such region' },
          { field: 'name', code: 'too_long', message: 'second' },
        ],
      }),
    ).toEqual({ name: 'name must not be empty', scope_id: 'no such region' })
  })
  test('field errors are translated when the locale knows their code', () => {
    const problem = {
      errors: [
        { field: 'reason', code: 'required', message: 'a reason is required' },
        { field: 'to_branch_id', code: 'brand_new', message: 'as the server says' },
      ],
    }
    const tr = (k: string) => ({ 'errors.required': '必填' })[k] ?? k
    expect(fieldErrors(problem, tr, (k) => k === 'errors.required')).toEqual({ reason: '必填', to_branch_id: 'as the server says' })
  })
})
