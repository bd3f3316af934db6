// 申诉: `?id=` opens one appeal (a message links here) — what was claimed and why, its state, and
// for the manager who decides it, 同意 / 驳回 with a reason; `?report=` files a new one: the item,
// the value claimed, the reason and evidence screenshots.
const api = require('../../utils/api')
const { fromUtc } = require('../../utils/format')

const STATUS = { open: '待主管处理', accepted: '已同意', rejected: '已驳回', escalated: '已转人事处理' }

Component({
  data: { loading: true, error: '', mode: '', appeal: null, reason: '', items: [], index: 0, claimed: '', why: '',
    evidence: [], busy: false, filed: null },
  methods: {
    async onLoad(query) {
      try {
        if (!(await api.ensureSignedIn())) return
        if (query.report) {
          this.reportId = Number(query.report)
          const report = await api.request('GET', `/reports/${this.reportId}`)
          const items = report.body.items.filter((i) => i.kind === 'quantitative')
          this.setData({ loading: false, mode: 'file', items, canAppeal: report.can_appeal })
        } else {
          this.appealId = Number(query.id)
          this.show(await api.request('GET', `/appeals/${this.appealId}`))
        }
      } catch (error) {
        this.setData({ loading: false, error: error.message })
      }
    },
    show(appeal) {
      this.setData({ loading: false, mode: 'view', appeal: Object.assign({}, appeal, {
        state: STATUS[appeal.status] || appeal.status, filed: fromUtc(appeal.filed_at), decided: fromUtc(appeal.decided_at),
      }) })
    },
    onReason(event) {
      this.setData({ reason: event.detail })
    },
    async decide(event) {
      const approve = event.currentTarget.dataset.approve === 'yes'
      const reason = String(this.data.reason || '').trim()
      if (!approve && !reason) {
        this.setData({ error: '驳回须写明理由' })
        return
      }
      this.setData({ busy: true, error: '' })
      try {
        const done = await api.request('POST', `/appeals/${this.appealId}/decision`, { approve, reason })
        this.show(Object.assign({}, this.data.appeal, { status: done.status, decision_reason: done.decision_reason, can_decide: false }))
        wx.showToast({ title: approve ? '已同意' : '已驳回', icon: 'success' })
      } catch (error) {
        this.setData({ error: error.message })
      } finally {
        this.setData({ busy: false })
      }
    },
    onPick(event) {
      this.setData({ index: Number(event.detail.value) })
    },
    onClaimed(event) {
      const value = String(event.detail).trim()
      this.setData({ claimed: value, error: value && !/^\d+(\.\d{1,4})?$/.test(value) ? '申诉数值请填数字' : '' })
    },
    onWhy(event) {
      this.setData({ why: event.detail })
    },
    addEvidence() {
      wx.chooseMedia({ count: 9 - this.data.evidence.length, mediaType: ['image'], sizeType: ['compressed'],
        success: async (res) => {
          for (const file of res.tempFiles) {
            try {
              const shot = await api.upload(file.tempFilePath)
              this.setData({ evidence: this.data.evidence.concat([{ id: shot.id, path: file.tempFilePath }]) })
            } catch (error) {
              this.setData({ error: error.message })
            }
          }
        } })
    },
    async file() {
      const item = this.data.items[this.data.index]
      const why = String(this.data.why || '').trim()
      const error = (!/^\d+(\.\d{1,4})?$/.test(this.data.claimed) && '请填写申诉的数值') || (!why && '请写明申诉理由')
      if (error || this.data.busy) {
        this.setData({ error: error || '' })
        return
      }
      this.key = this.key || api.newKey()
      this.setData({ busy: true, error: '' })
      try {
        const made = await api.request('POST', `/reports/${this.reportId}/appeals`, { indicator: item.indicator,
          claimed_value: this.data.claimed, reason: why, evidence: this.data.evidence.map((e) => e.id) }, this.key)
        this.key = null
        this.setData({ filed: Object.assign({ name: item.name }, made) })
      } catch (failure) {
        this.setData({ error: failure.message })
      } finally {
        this.setData({ busy: false })
      }
    },
  },
})
