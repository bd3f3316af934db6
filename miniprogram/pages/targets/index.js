// 目标确认: the month's items with their targets and the rule of each in words (who rates it or where
// its figure comes from, how it becomes points); acknowledging asks for the month-end messages.
const api = require('../../utils/api')
const subscribe = require('../../utils/subscribe')
const { fromUtc } = require('../../utils/format')

const ASK_AFTER_ACKNOWLEDGING = ['report_published', 'target_push', 'reminder', 'appeal_result']

Component({
  data: { loading: true, error: '', rules: [], amendments: [], acknowledged: false, acknowledgedAt: '', busy: false },
  methods: {
    async onLoad(query) {
      try {
        if (!(await api.ensureSignedIn())) return
        this.id = Number(query.id)
        const sheet = await api.request('GET', `/assessments/${this.id}`)
        const { rules } = await api.request('GET', `/assessments/${this.id}/rules`)
        this.subscriptions = await subscribe.load()
        const names = {}
        sheet.items.forEach((item) => { names[item.assessment_item_id] = item.name })
        this.setData({
          loading: false, rules,
          amendments: sheet.amendments_to_acknowledge.map((a) => Object.assign({ name: names[a.assessment_item_id] }, a)),
          acknowledged: sheet.acknowledged, acknowledgedAt: fromUtc(sheet.acknowledged_at),
        })
      } catch (error) {
        this.setData({ loading: false, error: error.message })
      }
    },
    async acknowledge() {
      if (this.data.busy) return
      subscribe.ask(this.subscriptions, ASK_AFTER_ACKNOWLEDGING)  // first, while this is still the tap
      this.setData({ busy: true })
      try {
        const state = await api.request('POST', `/assessments/${this.id}/acknowledge`)
        this.setData({ acknowledged: state.acknowledged, acknowledgedAt: fromUtc(state.acknowledged_at), amendments: [] })
        wx.showToast({ title: '已确认', icon: 'success' })
      } catch (error) {
        this.setData({ error: error.message })
      } finally {
        this.setData({ busy: false })
      }
    },
  },
})
