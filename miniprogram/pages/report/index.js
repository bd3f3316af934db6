// 考核报告: the month's items — achievement, score, where each figure came from — what was not met
// and how to improve it, 认可 or 申诉 while the window is open (with its countdown), the month's
// result when two assessments make it up, and the appeals already filed.
const api = require('../../utils/api')
const { fromUtc, countdown } = require('../../utils/format')

const PROVENANCE = { verified: '系统同步', imported: '导入', self_reported: '自报' }
const APPEAL = { open: '待处理', accepted: '已同意', rejected: '已驳回', escalated: '已转人事' }

function source(data) {
  if (!data || data.from === 'none') return '暂无数据'
  if (data.from === 'ratings') return `评分 ${data.ratings}人`
  const days = Object.entries(data.days_by_provenance || {}).map(([kind, n]) => `${PROVENANCE[kind] || kind}${n}天`)
  return days.length ? days.join('，') : '暂无数据'
}

Component({
  data: { loading: true, error: '', report: null, items: [], unmet: [], parts: [], appeals: [], left: '', closes: '', busy: false },
  methods: {
    async onLoad(query) {
      this.id = Number(query.id)
      try {
        if (!(await api.ensureSignedIn())) return
        this.show(await api.request('GET', `/reports/${this.id}`))
      } catch (error) {
        this.setData({ loading: false, error: error.message })
      }
    },
    show(report) {
      const items = report.body.items.map((item) => Object.assign({}, item, {
        source: source(item.data), discrepancies: ((item.data && item.data.discrepancies) || []).length,
      }))
      this.setData({
        loading: false,
        report: { total: report.body.total_display, grade: report.grade, gradeCode: report.body.grade_code, summary: report.summary,
          version: report.version, latest: report.latest, canConfirm: report.can_confirm, canAppeal: report.can_appeal,
          response: report.response, month: report.body.month },
        items,
        unmet: items.filter((i) => i.kind === 'quantitative' && !i.met && i.hint),
        parts: report.month.parts.length > 1 ? report.month.parts : [],
        monthTotal: report.month.total, monthGrade: report.month.grade,
        appeals: report.appeals.map((a) => Object.assign({ state: APPEAL[a.status] || a.status }, a)),
        closes: fromUtc(report.window_closes_at),
        left: report.window_closes_at && (report.can_confirm || report.can_appeal) ? countdown(report.window_closes_at) : '',
      })
    },
    async confirm() {
      if (this.data.busy) return
      this.setData({ busy: true })
      try {
        this.show(await api.request('POST', `/reports/${this.id}/confirm`))
        wx.showToast({ title: '已认可', icon: 'success' })
      } catch (error) {
        this.setData({ error: error.message })
      } finally {
        this.setData({ busy: false })
      }
    },
    appeal() {
      wx.navigateTo({ url: `/pages/appeal/index?report=${this.id}` })
    },
    history() {
      wx.navigateTo({ url: '/pages/reports/index' })
    },
  },
})
