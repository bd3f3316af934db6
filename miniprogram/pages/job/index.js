// 岗位说明书: the position's duties (with how often and to what standard), authority and goals, and
// the way to this month's 考核规则.
const api = require('../../utils/api')

const PERIOD = { month: '月度', quarter: '季度', year: '年度' }

Component({
  data: { loading: true, error: '', job: null },
  methods: {
    async onLoad() {
      try {
        if (!(await api.ensureSignedIn())) return
        const job = await api.request('GET', '/me/job-description')
        const { assessments } = await api.request('GET', '/assessments')
        this.assessmentId = assessments[0] && assessments[0].id
        this.setData({ loading: false, job: Object.assign({}, job, {
          goals: job.goals.map((g) => Object.assign({}, g, { period: PERIOD[g.period] || g.period })),
        }) })
      } catch (error) {
        this.setData({ loading: false, error: error.message })
      }
    },
    rules() {
      if (this.assessmentId) wx.navigateTo({ url: `/pages/targets/index?id=${this.assessmentId}` })
    },
  },
})
