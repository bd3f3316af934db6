// 历史: each submitted day of the month — its figures, note and screenshots, until when it can be
// changed (after that, a correction request), the corrections asked for it and their answers, and
// how many comments it has (tap to read and reply).
const api = require('../../utils/api')
const { localTime } = require('../../utils/format')

const CORRECTION = { pending: '待主管审批', approved: '已批准', rejected: '已驳回' }

Component({
  data: { loading: true, error: '', days: [] },
  methods: {
    async onLoad(query) {
      try {
        if (!(await api.ensureSignedIn())) return
        const { assessments } = await api.request('GET', '/assessments')
        const id = Number(query.id) || (assessments[0] && assessments[0].id)
        const { days } = await api.request('GET', `/assessments/${id}/days`)
        this.setData({
          loading: false,
          days: days.map((d) => Object.assign({}, d, {
            label: localTime(d.day), until: localTime(d.editable_until),
            corrections: d.corrections.map((c) => Object.assign({ state: CORRECTION[c.status] || c.status }, c)),
            shots: d.screenshots.filter((s) => !s.hidden && s.url),
          })),
        })
      } catch (error) {
        this.setData({ loading: false, error: error.message })
      }
    },
    openComments(event) {
      wx.navigateTo({ url: `/pages/comments/index?entry=${event.currentTarget.dataset.id}` })
    },
    preview(event) {
      const { day, url } = event.currentTarget.dataset
      wx.previewImage({ current: url, urls: this.data.days[day].shots.map((s) => s.url) })
    },
  },
})
