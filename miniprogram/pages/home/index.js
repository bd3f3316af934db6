// 首页: this month's items as progress bars with their pace, the projected score and grade, and
// whether today's progress is in. `?id=` opens a given assessment (a message links to it).
const api = require('../../utils/api')
const { localTime, fromUtc } = require('../../utils/format')

const SUBMIT = {
  open: { text: '提交今日进展', disabled: false },
  done: { text: '今日已提交 ✓ 可修改', disabled: false },
  closed: { text: '本月考核已结束，不能再提交', disabled: true },
}

Component({
  data: {
    loading: true,
    error: '',
    manages: false,
    name: '',
    label: '',
    position: '',
    sheet: null,
    items: [],
    alerts: [],
    projection: null,
    submit: SUBMIT.closed,
    editableUntil: '',
  },
  methods: {
    async onLoad(query) {
      this.query = query || {}
      await this.load()
    },
    async onPullDownRefresh() {
      await this.load()
      wx.stopPullDownRefresh()
    },
    async load() {
      try {
        if (!(await api.ensureSignedIn())) return
        const me = await api.request('GET', '/me')
        this.setData({ manages: me.manages > 0, name: me.name })
        const { assessments } = await api.request('GET', '/assessments')
        const id = Number(this.query.id) || (assessments[0] && assessments[0].id)
        if (!id) {
          this.setData({ loading: false, error: '本月还没有你的考核表，请联系人事' })
          return
        }
        const current = assessments.find((a) => a.id === id) || {}
        this.show(current, await api.request('GET', `/assessments/${id}`))
      } catch (error) {
        this.setData({ loading: false, error: error.message })
      }
    },
    show(current, sheet) {
      const body = sheet.progress ? sheet.progress.body : null
      const items = body ? body.items : sheet.items.map((item) => Object.assign({}, item, { progress: { state: 'no_data', label: '暂无数据' } }))
      this.setData({
        loading: false,
        error: '',
        label: current.label || '',
        position: current.position || '',
        sheet: { id: sheet.assessment_id, acknowledged: sheet.acknowledged, amendments: sheet.amendments_to_acknowledge.length },
        items,
        projection: body ? { total: body.total_display, grade: body.grade, gradeCode: body.grade_code, summary: body.summary,
          asOf: localTime(body.as_of) } : null,
        alerts: sheet.alerts.map((a) => ({ id: a.id, message: a.message, when: fromUtc(a.raised_at) })),
        submit: SUBMIT[sheet.today.state] || SUBMIT.closed,
        submitState: sheet.today.state,
        editableUntil: localTime(sheet.today.editable_until),
      })
    },
    goSubmit() {
      if (this.data.submit.disabled) return
      wx.navigateTo({ url: `/pages/submit/index?id=${this.data.sheet.id}` })
    },
    goTargets() {
      wx.navigateTo({ url: `/pages/targets/index?id=${this.data.sheet.id}` })
    },
    go(event) {
      const page = event.currentTarget.dataset.page
      const query = page === 'history' || page === 'targets' ? `?id=${this.data.sheet.id}` : ''
      wx.navigateTo({ url: `/pages/${page}/index${query}` })
    },
  },
})
