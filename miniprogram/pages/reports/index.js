// 考核报告: every published month, newest first — the month's result (two assessments combine when
// the person changed position), each report with its versions and whether it was 认可 or 申诉.
const api = require('../../utils/api')
const { fromUtc } = require('../../utils/format')

const RESPONSE = { pending: '待确认', confirmed: '已认可', appealed: '已申诉', auto_confirmed: '逾期自动认可' }

Component({
  data: { loading: true, error: '', months: [] },
  methods: {
    async onLoad() {
      try {
        if (!(await api.ensureSignedIn())) return
        const { months } = await api.request('GET', '/reports')
        this.setData({
          loading: false,
          months: months.map((m) => Object.assign({}, m, {
            parts: m.parts.map((p) => Object.assign({}, p, {
              versions: p.versions.map((v) => Object.assign({}, v, { published: fromUtc(v.published_at), state: RESPONSE[v.response] || v.response })),
            })),
          })),
        })
      } catch (error) {
        this.setData({ loading: false, error: error.message })
      }
    },
    open(event) {
      wx.navigateTo({ url: `/pages/report/index?id=${event.currentTarget.dataset.id}` })
    },
  },
})
