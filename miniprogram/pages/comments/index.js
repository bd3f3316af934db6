// 点评: the conversation on one day's progress (`?entry=`) or on the month's sheet (`?assessment=`):
// comments with their replies beneath, and a box to reply (to a comment) or to comment anew.
const api = require('../../utils/api')
const { fromUtc } = require('../../utils/format')

function threads(comments) {
  const top = comments.filter((c) => !c.parent_id).map((c) => Object.assign({ replies: [] }, c))
  const byId = {}
  top.forEach((c) => { byId[c.id] = c })
  comments.filter((c) => c.parent_id).forEach((c) => (byId[c.parent_id] || top[0]).replies.push(c))
  const when = (c) => Object.assign({}, c, { when: fromUtc(c.created_at) })
  return top.map((c) => Object.assign(when(c), { replies: c.replies.map(when) }))
}

Component({
  data: { loading: true, error: '', threads: [], body: '', replyTo: null, replyName: '', busy: false },
  methods: {
    async onLoad(query) {
      this.base = query.entry ? `/progress/${query.entry}/comments` : `/assessments/${query.assessment}/comments`
      try {
        if (!(await api.ensureSignedIn())) return
        await this.load()
      } catch (error) {
        this.setData({ loading: false, error: error.message })
      }
    },
    async load() {
      const { comments } = await api.request('GET', this.base)
      this.comments = comments
      const last = comments.filter((c) => !c.parent_id).slice(-1)[0]
      this.setData({ loading: false, threads: threads(comments), replyTo: last ? last.id : null, replyName: last ? last.author : '' })
    },
    onBody(event) {
      this.setData({ body: event.detail })
    },
    async send() {
      const body = String(this.data.body || '').trim()
      if (!body || this.data.busy) {
        if (!body) this.setData({ error: '请先写点什么' })
        return
      }
      this.key = this.key || api.newKey()
      this.setData({ busy: true, error: '' })
      try {
        const made = await api.request('POST', this.base, Object.assign({ body }, this.data.replyTo ? { parent_id: this.data.replyTo } : {}), this.key)
        this.key = null
        this.comments = this.comments.concat([made])
        this.setData({ body: '', threads: threads(this.comments) })
      } catch (error) {
        this.setData({ error: error.message })
      } finally {
        this.setData({ busy: false })
      }
    },
  },
})
