import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, test } from 'vitest'
import zhCN from './zh-CN'
import en from './en'

function keys(obj: object, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]))
}

/** The problem codes the API can answer with: the `ErrorCode` enum of openapi.yaml. */
function specErrorCodes(): string[] {
  const spec = readFileSync(resolve(process.cwd(), '..', 'openapi.yaml'), 'utf8')
  const block = spec.split('\n    ErrorCode:\n')[1]?.split(/\n    (?=\S)/)[0] ?? ''
  const enumPart = block.split('\n      enum:\n')[1] ?? ''
  return enumPart.split('\n').filter((l) => l.startsWith('      - ')).map((l) => l.slice(8).replace(/^'|'$/g, ''))
}

describe('locales', () => {
  test('every problem code in the spec is translated in both languages', () => {
    const codes = specErrorCodes()
    expect(codes.length).toBeGreaterThan(50)
    const missing = codes.filter((c) => !keys(zhCN).includes(`errors.${c}`) || !keys(en).includes(`errors.${c}`))
    expect(missing).toEqual([])
  })
  test('zh-CN and en have exactly the same keys', () => {
    expect(keys(en).sort()).toEqual(keys(zhCN).sort())
  })
  test('no message is empty', () => {
    for (const [name, messages] of Object.entries({ zhCN, en })) {
      for (const k of keys(messages)) {
        const value = k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], messages)
        expect(value, `${name}:${k}`).not.toBe('')
      }
    }
  })
  test('every field rule code (errors[].code) is translated', () => {
    for (const code of [
      'invalid_credentials', 'account_locked', 'rate_limited', 'region_not_empty', 'branch_not_empty', 'precondition_failed', 'validation_failed',
      // members and meetings
      'transfer_pending', 'member_historical', 'invalid_transition', 'meeting_not_held', 'meeting_recorded', 'not_formal_branch',
      'not_interest_branch', 'not_expected', 'mismatch', 'invalid_check_digit', 'invalid_birth_date', 'invalid_length', 'invalid_format',
      'invalid_region', 'too_young', 'same_branch', 'duplicate', 'required', 'use_transfer', 'in_future',
      // volunteers, activities and service hours
      'outside_check_in_window', 'not_signed_up', 'code_invalid', 'too_far', 'no_venue_position', 'already_signed_up', 'make_up_exceeds_activity',
      'exceeds_activity', 'entry_reversed', 'entry_is_reversal', 'leader_cannot_leave', 'team_inactive', 'already_member', 'duplicate_name',
      // units, projects, orders and wishes
      'project_fully_claimed', 'already_claimed', 'already_paired', 'not_paired', 'below_claimed', 'too_deep', 'not_a_community',
      'below_confirmed', 'not_in_team', 'before_start', 'too_long', 'invalid_range', 'out_of_range',
      // resident concerns
      'outside_grids', 'too_many_photos', 'forbidden',
      // satisfaction polls and rectifications
      'incomplete', 'already_voted', 'poll_not_open', 'poll_closed', 'poll_open', 'rectification_done',
      // sessions, uploads and text (the trust issue)
      'session_revoked', 'refresh_token_rotated', 'refresh_token_reused', 'imports_busy', 'file_unreadable', 'file_too_large_unpacked',
      'too_many_rows', 'too_many_columns', 'too_many_strings', 'line_too_long', 'file_not_utf8', 'missing_columns', 'file_empty',
      'image_too_large', 'single_line', 'idempotency_answer_lost', 'idempotency_in_progress', 'payload_too_large', 'unsupported_media_type',
    ]) {
      expect(keys(zhCN)).toContain(`errors.${code}`)
    }
  })
})
