// 评分: what the person is asked to rate this month (their team's qualitative items as a manager,
// colleagues' as a peer), 1–5 in halves, changeable until the month's rating deadline. `?item=`
// (a reminder links here) puts that item first.
const api = require('../../utils/api')

const RATER = { manager: '主管评分', peer: '同事互评' }

// How five stars look for a value: full, half or empty each.
function stars(value) {
  return [1, 2, 3, 4, 5].map((n) => ({ n, look: value >= n ? 'full' : value >= n - 0.5 ? 'half' : 'empty' }))
}

Component({
  data: { loading: true, error: '', tasks: [], left: 0 },
  methods: {
    async onLoad(query) {
      try {
        if (!(await api.ensureSignedIn())) return
        const { tasks } = await api.request('GET', '/ratings')
        const first = Number(query.item)
        const ordered = tasks.slice().sort((a, b) => (b.assessment_item_id === first) - (a.assessment_item_id === first))
        this.setData({
          loading: false,
          tasks: ordered.map((t) => Object.assign({ by: RATER[t.rater_kind] || t.rater_kind, value: 0, stars: stars(0) }, t)),
          left: tasks.filter((t) => !t.rated).length,
        })
      } catch (error) {
        this.setData({ loading: false, error: error.message })
      }
    },
    // A tap on star n gives n; a second tap on the same star takes half a point off (4 → 3.5).
    tapStar(event) {
      const { index, star } = event.currentTarget.dataset
      const current = this.data.tasks[index].value
      return this.rate(index, current === star && star > 1 ? star - 0.5 : star)
    },
    async rate(index, value) {
      const task = this.data.tasks[index]
      this.setData({ [`tasks[${index}].value`]: value, [`tasks[${index}].stars`]: stars(value), error: '' })
      try {
        await api.request('POST', '/ratings', { assessment_item_id: task.assessment_item_id, value: String(value) })
        const wasRated = task.rated
        this.setData({ [`tasks[${index}].rated`]: true, left: this.data.left - (wasRated ? 0 : 1) })
      } catch (error) {
        this.setData({ error: `${task.employee} ${task.name}：${error.message}` })
      }
    },
  },
})
