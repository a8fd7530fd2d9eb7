// English — the second locale; its keys must equal zh-CN's (a unit test checks).
export default {
  app: { title: 'Tongxin', subtitle: 'Party-building-led community governance', menu: 'Menu' },
  nav: { regions: 'Regions', branches: 'Party organisations', grids: 'Grids', households: 'Households', coverage: 'Visit coverage', myGrid: 'My grid', me: 'My account', docs: 'API docs' },
  common: {
    save: 'Save', cancel: 'Cancel', create: 'Create', edit: 'Edit', delete: 'Delete', move: 'Move',
    reload: 'Reload', loading: 'Loading…', empty: 'Nothing here yet', error: 'Could not load', retry: 'Retry',
    confirm: 'Confirm', search: 'Search', actions: 'Actions', name: 'Name', code: 'Code', version: 'Version',
    saved: 'Saved', deleted: 'Deleted', moved: 'Moved', created: 'Created', none: 'None', total: '{n} in total',
  },
  auth: {
    username: 'Username', password: 'Password', signIn: 'Sign in', signOut: 'Sign out',
    welcome: 'Sign in to Tongxin', demoHint: 'Demo account: street1 / tongxin-demo',
  },
  regions: {
    title: 'Regions', level: 'Level', parent: 'Parent', path: 'Path', children: 'Children',
    levels: { district: 'District', street: 'Street', community: 'Community' },
    addChild: 'Add child', addDistrict: 'Add district', selectHint: 'Select a region on the left to see its details',
    deleteConfirm: 'Delete “{name}”? This cannot be undone.', moveTo: 'Move to', createTitle: 'New region', editTitle: 'Edit region',
  },
  branches: {
    title: 'Party organisations', kind: 'Kind', establishment: 'Establishment', secretary: 'Secretary', region: 'Region served',
    memberCount: 'Members', children: 'Sub-organisations', addChild: 'Add sub-organisation', addRoot: 'New organisation',
    selectHint: 'Select an organisation on the left to see its details', allKinds: 'All kinds', allEstablishments: 'All establishments',
    deleteConfirm: 'Delete “{name}”? This cannot be undone.', createTitle: 'New organisation', editTitle: 'Edit organisation',
    moveTo: 'Move to', filtered: 'Filtered',
    kinds: {
      working_committee: 'Working committee', committee: 'Committee', general_branch: 'General branch', branch: 'Branch',
      group: 'Party group', joint: 'Joint committee',
    },
    establishments: { formal: 'Formal', interest: 'Interest-based', joint: 'Joint' },
  },
  me: {
    title: 'My account', displayName: 'Name', roles: 'Roles and scopes', scope: 'Scope', role: 'Role',
    roleNames: {
      admin: 'Administrator', street_staff: 'Street staff', community_staff: 'Community staff', grid_worker: 'Grid worker',
      branch_secretary: 'Branch secretary', unit_contact: 'Unit contact', member: 'Party member', resident: 'Resident', integration: 'Integration',
    },
    noRoles: 'No roles yet',
  },
  grids: {
    byVacancy: 'Colour by vacancies', byOverdue: 'Colour by overdue visits', overdueShare: 'of households not visited for 30 days', overdue: 'Not visited for 30 days', 
    title: 'Grids', grid: 'Grid', community: 'Community', households: 'Households', roles: 'Grid roles', vacant: 'Vacant', vacantTag: 'vacant',
    staffed: 'All three roles filled', onlyVacant: 'Only grids with vacancies', allCommunities: 'All communities', personName: 'Name', assign: 'Assign', backToList: 'Back to the list',
    roleNames: { service_worker: 'Service worker', opinion_collector: 'Opinion collector', party_instructor: 'Party instructor' },
  },
  households: {
    title: 'Households', search: 'Search building, room or head', keyGroup: 'Key group', overdue: 'Not visited for 30 days', address: 'Address', head: 'Head', phone: 'Phone',
    tags: 'Tags', lastVisit: 'Last visit', unmask: 'Show', maskNote: 'Names and phones are masked; showing them is recorded in the audit trail.',
    tagNames: { elderly_alone: 'Elderly living alone', disabled: 'Disabled', hardship: 'Hardship family', party_member_household: 'Party member household' },
  },
  coverage: {
    title: 'Visit coverage', households: 'Households', visited: 'Visited', rate: 'Coverage', gridsMeeting: 'Grids on target', byGrid: 'By grid', byWorker: 'By grid worker',
    worker: 'Grid worker', weeks: 'Weeks with visits', target90: 'Coverage ≥ 90 %', targetAll: 'Everyone this quarter', targetKey: 'Key groups ≥ 3×', targetWeekly: '≥ 1 day a week',
    target80: '≥ 80 a month', met: 'met', missed: 'missed', na: 'n/a',
  },
  import: {
    open: 'Import', title: 'Import households', hint: 'Fill in the template and upload a CSV or XLSX file; bad lines are listed with their numbers and reasons, the rest are written at once, and importing again creates no duplicates.',
    templateXlsx: 'XLSX template', templateCsv: 'CSV template', start: 'Import', line: 'Line', field: 'Field', reason: 'Reason',
    counts: '{total} lines: {created} new, {updated} updated, {bad} with errors',
    status: { queued: 'Queued', running: 'Importing', succeeded: 'Done', failed: 'Failed' },
  },
  myGrid: {
    search: 'Search households', visit: 'Visit', visitedToday: 'Visited', logged: 'Visit logged', never: 'never', people: ' people', concern: 'Found a concern to follow up',
    kinds: { routine: 'Routine', key_group: 'Key group', follow_up: 'Follow-up' },
  },
  lang: { switch: '中文', current: 'English' },
  errors: {
    network: 'Cannot reach the server; check the connection and retry', unknown: 'Something went wrong; try again later',
    unauthorized: 'Your session has ended; please sign in again', token_expired: 'Your session has expired; please sign in again',
    invalid_credentials: 'Wrong username or password', account_locked: 'Too many failed sign-ins; the account is locked for a while',
    rate_limited: 'Too many attempts; wait a moment', forbidden: 'You may not do this', not_found: 'Not found, or outside your scope',
    validation_failed: 'Some fields need attention', unknown_field: 'The request has a field the server does not know',
    version_conflict: 'Someone else changed this record; reload and retry', precondition_failed: 'Someone else changed this record; reload and retry',
    region_not_empty: 'The region still has child regions, organisations or accounts', branch_not_empty: 'The organisation still has sub-organisations, members or accounts',
    invalid_parent: 'That parent is not allowed here', duplicate: 'The name or code is already used', idempotency_conflict: 'A repeated submission differed from the first',
    malformed_json: 'The request was malformed', unsupported_media_type: 'Unsupported request format', payload_too_large: 'The submission is too large',
    refresh_token_reused: 'Your session was ended for safety; please sign in again', internal: 'Server error', unavailable: 'The service is temporarily unavailable',
    self: 'You cannot do this to your own account',
  },
}
