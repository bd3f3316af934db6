// One item's progress bar: how far the figure is, where the pace says it should be by now (the
// marker), and whether it is behind (red), on or ahead of pace (green), or has no data yet (grey).
const { percent } = require('../../utils/format')

Component({
  properties: {
    item: { type: Object, value: {} },
  },
  data: { fillWidth: 0, paceLeft: null, state: 'no_data' },
  observers: {
    item(item) {
      const bar = (item && item.progress) || {}
      this.setData({
        fillWidth: percent(bar.fill) || 0,
        paceLeft: percent(bar.pace),
        state: bar.state || 'no_data',
      })
    },
  },
})
