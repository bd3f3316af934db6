// 团队 (managers): each person's projected score, grade and items behind pace, whether they
// acknowledged the month's targets, and what waits for the manager — appeals, data corrections,
// ratings — each opening the page where it is decided (the same actions the bot offers).
const api = require('../../utils/api')
const { fromUtc, percent } = require('../../utils/format')

Component({
  data: { loading: true, error: '', members: [], appeals: [], corrections: [], unrated: 0 },
  methods: {
    async onLoad() {
      try {
        if (!(await api.ensureSignedIn())) return
        const team = await api.request('GET', '/team')
        const { appeals } = await api.request('GET', '/team/appeals')
        const { corrections } = await api.request('GET', '/team/corrections')
        const { tasks } = await api.request('GET', '/ratings')
        this.setData({
          loading: false,
          members: team.members.map((m) => Object.assign({}, m, {
            bars: m.bars.map((b) => Object.assign({ width: percent(b.fill) || 0 }, b)),
          })),
          appeals: appeals.map((a) => Object.assign({ filed: fromUtc(a.filed_at) }, a)),
          corrections: corrections.map((c) => Object.assign({ requested: fromUtc(c.requested_at) }, c)),
          unrated: tasks.filter((t) => !t.rated).length,
        })
      } catch (error) {
        this.setData({ loading: false, error: error.code === 'forbidden' ? '只有主管可以查看团队' : error.message })
      }
    },
    openMember(event) {
      wx.navigateTo({ url: `/pages/home/index?id=${event.currentTarget.dataset.id}` })
    },
    openAppeal(event) {
      wx.navigateTo({ url: `/pages/appeal/index?id=${event.currentTarget.dataset.id}` })
    },
    openCorrection(event) {
      wx.navigateTo({ url: `/pages/correction/index?id=${event.currentTarget.dataset.id}` })
    },
    openRatings() {
      wx.navigateTo({ url: '/pages/ratings/index' })
    },
  },
})
