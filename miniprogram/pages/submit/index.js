// 提交进展: one day's figures (today's unless `?day=`), each checked as typed; synced items show
// their last sync beside an optional self-report; a note; up to 9 screenshots (the privacy notice
// accepted first) with upload progress. A failed submit is retried with the same Idempotency-Key,
// so a dropped connection never stores the day twice.
const api = require('../../utils/api')
const figures = require('../../utils/figures')
const subscribe = require('../../utils/subscribe')
const { localTime } = require('../../utils/format')

const MAX_SHOTS = 9
const ASK_AFTER_SUBMIT = ['comment', 'reminder', 'alert', 'data_mismatch']

Component({
  data: {
    loading: true, error: '', day: '', dayLabel: '', editableUntil: '', editing: false,
    rows: [], note: '', shots: [], showPrivacy: false, busy: false, failed: '', done: false, forgotten: null,
  },
  methods: {
    async onLoad(query) {
      this.query = query || {}
      try {
        if (!(await api.ensureSignedIn())) return
        const { assessments } = await api.request('GET', '/assessments')
        const id = Number(this.query.id) || (assessments[0] && assessments[0].id)
        const sheet = await api.request('GET', `/assessments/${id}`)
        const { days } = await api.request('GET', `/assessments/${id}/days`)
        this.privacy = await api.request('GET', '/privacy')
        this.subscriptions = await subscribe.load()
        this.show(id, sheet, days)
      } catch (error) {
        this.setData({ loading: false, error: error.message })
      }
    },
    show(id, sheet, days) {
      this.assessmentId = id
      const day = this.query.day || sheet.today.day
      const stored = days.find((d) => d.day === day)
      const given = {}
      for (const f of (stored && stored.figures) || []) given[f.indicator] = f
      const rows = sheet.items.filter((item) => item.entry.by !== 'rating').map((item) => Object.assign({
        indicator: item.indicator, name: item.name, target: item.target_display, entry: item.entry,
        synced: item.entry.by === 'sync', syncedAt: localTime(item.entry.synced_at),
        placeholder: figures.placeholder(item.entry), error: '',
      }, figures.fromFigure(item.entry, given[item.indicator])))
      this.setData({
        loading: false, day, dayLabel: localTime(day), rows, note: (stored && stored.note) || '', editing: !!stored,
        editableUntil: localTime(stored ? stored.editable_until : sheet.today.editable_until),
        shots: ((stored && stored.screenshots) || []).map((s) => ({ id: s.id, path: s.url, progress: 100 })),
      })
    },
    onFigure(event) {
      const { index, part } = event.currentTarget.dataset
      const row = this.data.rows[index]
      const value = String(event.detail).trim()
      this.setData({ [`rows[${index}].${part}`]: value, [`rows[${index}].error`]: figures.check(row.entry, value, part) })
    },
    onNote(event) {
      this.setData({ note: event.detail })
    },
    // The figures to send, or null after marking what is wrong.
    collect() {
      const sent = {}
      let ok = true
      this.data.rows.forEach((row, index) => {
        let error = figures.check(row.entry, row.numerator, 'numerator')
          || (row.entry.two_parts ? figures.check(row.entry, row.denominator, 'denominator')
            || figures.checkPair(row.numerator, row.denominator) : '')
        if (!error && row.numerator) sent[row.indicator] = figures.toFigure(row.entry, row.numerator, row.denominator)
        if (error) ok = false
        this.setData({ [`rows[${index}].error`]: error })
      })
      if (ok && !Object.keys(sent).length) {
        this.setData({ failed: '请至少填写一项数据' })
        return null
      }
      return ok ? sent : null
    },
    async submit() {
      if (this.data.busy) return
      const sent = this.collect()
      if (!sent) return
      if (this.data.shots.some((s) => !s.id)) {
        this.setData({ failed: '截图还在上传，请稍候' })
        return
      }
      subscribe.ask(this.subscriptions, ASK_AFTER_SUBMIT)  // first, while this is still the tap
      this.key = this.key || api.newKey()  // the same key until it succeeds: a retry is never stored twice
      this.setData({ busy: true, failed: '' })
      try {
        await api.request('POST', '/progress', {
          day: this.data.day, figures: sent, note: this.data.note, screenshots: this.data.shots.map((s) => s.id),
        }, this.key)
        this.key = null
        this.setData({ done: true })
        wx.showToast({ title: '已提交', icon: 'success' })
        wx.navigateBack()
      } catch (error) {
        this.setData({ failed: error.code === 'network' ? `${error.message}（点“重试”不会重复提交）` : error.message })
      } finally {
        this.setData({ busy: false })
      }
    },
    addShots() {
      if (!this.privacy.accepted_at) {
        this.setData({ showPrivacy: true, privacyTitle: this.privacy.title, privacyText: this.privacy.paragraphs })
        return
      }
      const room = MAX_SHOTS - this.data.shots.length
      if (room <= 0) return
      wx.chooseMedia({
        count: room, mediaType: ['image'], sourceType: ['album', 'camera'], sizeType: ['compressed'],
        success: (res) => this.uploadAll(res.tempFiles.map((f) => f.tempFilePath)),
      })
    },
    async acceptPrivacy() {
      try {
        this.privacy = await api.request('POST', '/privacy', { version: this.privacy.version })
        this.setData({ showPrivacy: false })
        this.addShots()
      } catch (error) {
        this.setData({ failed: error.message })
      }
    },
    closePrivacy() {
      this.setData({ showPrivacy: false })
    },
    async uploadAll(paths) {
      for (const path of paths) {
        const index = this.data.shots.length
        this.setData({ [`shots[${index}]`]: { id: null, path, progress: 0 } })
        try {
          const shot = await api.upload(path, (progress) => this.setData({ [`shots[${index}].progress`]: progress }))
          this.setData({ [`shots[${index}]`]: { id: shot.id, path, progress: 100 } })
        } catch (error) {
          this.setData({ shots: this.data.shots.filter((_, i) => i !== index), failed: error.message })
        }
      }
    },
    removeShot(event) {
      const { index } = event.currentTarget.dataset
      this.setData({ shots: this.data.shots.filter((_, i) => i !== index) })
    },
    // A forgotten day (past its edit window) goes to the manager as a correction request.
    openForgotten() {
      this.setData({ forgotten: { day: '', index: 0, numerator: '', denominator: '', reason: '', error: '' } })
    },
    onForgotten(event) {
      const { field } = event.currentTarget.dataset
      const value = event.detail && event.detail.value !== undefined ? event.detail.value : event.detail
      this.setData({ [`forgotten.${field}`]: field === 'index' ? Number(value) : String(value).trim() })
    },
    async requestCorrection() {
      const f = this.data.forgotten
      const row = this.data.rows[f.index]
      const error = (!f.day && '请选择漏报的日期') || (!f.reason && '请写明原因')
        || figures.check(row.entry, f.numerator, 'numerator') || (!f.numerator && '请填写数值')
        || (row.entry.two_parts ? figures.checkPair(f.numerator, f.denominator) : '')
      if (error) {
        this.setData({ 'forgotten.error': error })
        return
      }
      this.correctionKey = this.correctionKey || api.newKey()
      try {
        await api.request('POST', '/corrections', Object.assign({ day: f.day, indicator: row.indicator, reason: f.reason },
          figures.toFigure(row.entry, f.numerator, f.denominator)), this.correctionKey)
        this.correctionKey = null
        this.setData({ forgotten: null })
        wx.showToast({ title: '已提交主管审批', icon: 'success' })
      } catch (failure) {
        this.setData({ 'forgotten.error': failure.message })
      }
    },
  },
})
