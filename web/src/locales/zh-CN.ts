// 简体中文 — the default and fallback locale. Every visible string of the app is a key here.
export default {
  app: { title: '同心', subtitle: '党建引领基层治理', menu: '菜单' },
  nav: { regions: '行政区划', branches: '党组织', grids: '网格', households: '住户', coverage: '走访统计', myGrid: '我的网格', me: '我的账号', docs: '接口文档' },
  common: {
    save: '保存', cancel: '取消', create: '新建', edit: '编辑', delete: '删除', move: '移动',
    reload: '重新加载', loading: '加载中…', empty: '暂无数据', error: '加载失败', retry: '重试',
    confirm: '确认', search: '搜索', actions: '操作', name: '名称', code: '编码', version: '版本',
    saved: '已保存', deleted: '已删除', moved: '已移动', created: '已创建', none: '无', total: '共 {n} 条',
  },
  auth: {
    username: '用户名', password: '密码', signIn: '登录', signOut: '退出登录',
    welcome: '登录同心', demoHint: '演示账号：street1 / tongxin-demo',
  },
  regions: {
    title: '行政区划', level: '层级', parent: '上级', path: '路径', children: '下级数量',
    levels: { district: '区', street: '街道', community: '社区' },
    addChild: '新建下级', addDistrict: '新建区', selectHint: '在左侧选择一个区划查看详情',
    deleteConfirm: '确定删除“{name}”吗？此操作不可撤销。', moveTo: '移动到', createTitle: '新建区划', editTitle: '编辑区划',
  },
  branches: {
    title: '党组织', kind: '组织类型', establishment: '设置方式', secretary: '书记', region: '服务区域',
    memberCount: '党员数', children: '下级组织', addChild: '新建下级组织', addRoot: '新建党组织',
    selectHint: '在左侧选择一个党组织查看详情', allKinds: '全部类型', allEstablishments: '全部方式',
    deleteConfirm: '确定删除“{name}”吗？此操作不可撤销。', createTitle: '新建党组织', editTitle: '编辑党组织',
    moveTo: '移动到', filtered: '筛选结果',
    kinds: {
      working_committee: '街道党工委', committee: '社区党委', general_branch: '党总支', branch: '党支部',
      group: '党小组', joint: '联合党委',
    },
    establishments: { formal: '建制性', interest: '非建制性（特色团体）', joint: '联合' },
  },
  me: {
    title: '我的账号', displayName: '姓名', roles: '角色与范围', scope: '范围', role: '角色',
    roleNames: {
      admin: '系统管理员', street_staff: '街道工作人员', community_staff: '社区工作人员', grid_worker: '网格员',
      branch_secretary: '支部书记', unit_contact: '共建单位联络员', member: '党员', resident: '居民', integration: '系统对接',
    },
    noRoles: '暂未分配角色',
  },
  grids: {
    byVacancy: '按缺员着色', byOverdue: '按未走访着色', overdueShare: '的住户30天未走访', overdue: '30天未走访户数', 
    title: '网格', grid: '网格', community: '所属社区', households: '户数', roles: '一格三员', vacant: '缺员', vacantTag: '空缺',
    staffed: '三员齐全', onlyVacant: '只看缺员网格', allCommunities: '全部社区', personName: '姓名', assign: '任命', backToList: '返回列表',
    roleNames: { service_worker: '居民服务员', opinion_collector: '民情收集员', party_instructor: '党建指导员' },
  },
  households: {
    title: '住户', search: '搜索楼栋、房号或户主', keyGroup: '重点人群', overdue: '30天未走访', address: '地址', head: '户主', phone: '电话',
    tags: '标签', lastVisit: '最近走访', unmask: '查看', maskNote: '户主姓名和电话已脱敏显示；查看完整信息会记入审计日志。',
    tagNames: { elderly_alone: '独居老人', disabled: '残疾人', hardship: '困难家庭', party_member_household: '党员户' },
  },
  coverage: {
    title: '走访统计', households: '户数', visited: '已走访户数', rate: '入户率', gridsMeeting: '达标网格', byGrid: '按网格', byWorker: '按网格员',
    worker: '网格员', weeks: '有走访的周', target90: '入户率≥90%', targetAll: '季度全覆盖', targetKey: '重点人群≥3次', targetWeekly: '每周≥1天',
    target80: '每月≥80户', met: '达标', missed: '未达标', na: '不适用',
  },
  import: {
    open: '导入', title: '导入住户', hint: '按模板填写后上传 CSV 或 XLSX 文件；有误的行会列出行号和原因，其余行一次写入，重复导入不会产生重复记录。',
    templateXlsx: '下载 XLSX 模板', templateCsv: '下载 CSV 模板', start: '开始导入', line: '行号', field: '字段', reason: '原因',
    counts: '共 {total} 行，新增 {created}，更新 {updated}，有误 {bad}',
    status: { queued: '排队中', running: '导入中', succeeded: '导入完成', failed: '导入失败' },
  },
  myGrid: {
    search: '搜索住户', visit: '走访', visitedToday: '今日已访', logged: '走访已记录', never: '从未', people: '人', concern: '发现问题需跟进',
    kinds: { routine: '日常走访', key_group: '重点人群', follow_up: '回访' },
  },
  lang: { switch: 'English', current: '简体中文' },
  errors: {
    network: '无法连接服务器，请检查网络后重试', unknown: '操作失败，请稍后重试',
    unauthorized: '登录已失效，请重新登录', token_expired: '登录已过期，请重新登录',
    invalid_credentials: '用户名或密码错误', account_locked: '登录失败次数过多，账号已临时锁定',
    rate_limited: '操作过于频繁，请稍后再试', forbidden: '您没有权限执行此操作', not_found: '记录不存在或不在您的管辖范围内',
    validation_failed: '填写的内容有误，请检查标红的字段', unknown_field: '包含无法识别的字段',
    version_conflict: '记录已被他人修改，请刷新后重试', precondition_failed: '记录已被他人修改，请刷新后重试',
    region_not_empty: '该区划下仍有下级区划、党组织或账号，无法删除', branch_not_empty: '该党组织下仍有下级组织、党员或账号，无法删除',
    invalid_parent: '上级选择不正确', duplicate: '名称或编码重复', idempotency_conflict: '重复提交的内容不一致',
    malformed_json: '请求格式错误', unsupported_media_type: '请求格式不受支持', payload_too_large: '提交的内容过大',
    refresh_token_reused: '登录状态异常，请重新登录', internal: '服务器内部错误', unavailable: '服务暂时不可用',
    self: '不能对自己的账号执行此操作',
  },
}
