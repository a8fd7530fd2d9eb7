// The organisations the signed-in user can see (/branches/tree, flat and path-ordered), loaded
// once per session and shared by every branch picker.
import { api, type Schemas } from '../api/client'
import { onSessionChange } from '../api/session'

export type Branch = Schemas['BranchView']
/** The kinds a member belongs to directly (the API's FORMAL_KINDS). */
export const MEMBER_KINDS: Schemas['BranchKind'][] = ['general_branch', 'branch', 'group']

let cached: Promise<Branch[]> | null = null
onSessionChange(() => {
  cached = null
})

export function loadBranches(fresh = false): Promise<Branch[]> {
  if (!cached || fresh) {
    cached = api.GET('/api/v1/branches/tree').then(({ data, error }) => {
      if (error || !data) {
        cached = null
        throw error ?? new Error('no branches')
      }
      return data
    })
  }
  return cached
}

/** A formal branch, general branch or party group: where a member can be, or be transferred to. */
export const holdsMembers = (b: Branch) => b.establishment === 'formal' && MEMBER_KINDS.includes(b.kind)
/** Where a meeting is held: an organisation holding members, or an interest-based branch. */
export const holdsMeetings = (b: Branch) => holdsMembers(b) || b.establishment === 'interest'
