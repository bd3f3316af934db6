// 数据更正: one request to change a day's figure after its edit window (a forgotten day included):
// what, from and to, why, its state; the manager who decides it approves or rejects with a reason.
const api = require('../../utils/api')
const { fromUtc } = require('../../utils/format')

const STATUS = { pending: '待主管审批', approved: '已批准', rejected: '已驳回' }

Component({
  data: { loading: true, error: '', request: null, reason: '', busy: false },
  methods: {
    async onLoad(query) {
      this.id = Number(query.id)
      try {
        if (!(await api.ensureSignedIn())) return
        this.show(await api.request('GET', `/corrections/${this.id}`))
      } catch (error) {
        this.setData({ loading: false, error: error.message })
      }
    },
    show(request) {
      this.setData({ loading: false, request: Object.assign({}, request, {
        state: STATUS[request.status] || request.status, asked: fromUtc(request.requested_at), decided: fromUtc(request.decided_at),
      }) })
    },
    onReason(event) {
      this.setData({ reason: event.detail })
    },
    async decide(event) {
      const approve = event.currentTarget.dataset.approve === 'yes'
      const reason = String(this.data.reason || '').trim()
      if (!reason) {
        this.setData({ error: approve ? '请写明同意的依据' : '驳回须写明理由' })
        return
      }
      this.setData({ busy: true, error: '' })
      try {
        const done = await api.request('POST', `/corrections/${this.id}/decision`, { approve, reason })
        this.show(Object.assign({}, this.data.request, { status: done.status, can_decide: false }))
        wx.showToast({ title: approve ? '已批准' : '已驳回', icon: 'success' })
      } catch (error) {
        this.setData({ error: error.message })
      } finally {
        this.setData({ busy: false })
      }
    },
  },
})
