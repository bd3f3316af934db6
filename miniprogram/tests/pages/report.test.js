const { render, text, tap } = require('../support/page')

const NOV_4_NOON_IN_CHINA = new Date('2026-11-04T04:00:00Z')

beforeEach(() => {
  jest.useFakeTimers({ now: NOV_4_NOON_IN_CHINA, doNotFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'setInterval',
    'clearInterval', 'nextTick', 'queueMicrotask'] })
})
afterEach(() => jest.useRealTimers())

test('a pending report: the window with its countdown, hints for unmet items, and 认可', async () => {
  const { page, wx } = await render('report', 'pending')
  const shown = text(page.dom)
  expect(shown).toContain('请在 11月6日 09:00 前认可或申诉')
  expect(shown).toContain('剩余 1天21小时')
  expect(shown).toContain('需加大推广力度，提升流量与转化')
  expect(shown).toContain('暂无数据')
  await tap(page, '.confirm')
  expect(wx.called('request').filter((r) => r.method === 'POST')[0].url).toMatch(/\/reports\/\d+\/confirm$/)
})

test('an appealed report: met items in green, the open appeal, no 认可 button', async () => {
  const { page } = await render('report', 'appealed')
  const shown = text(page.dom)
  expect(shown).toContain('优秀')
  expect(shown).toContain('系统同步1天')
  expect(shown).toContain('申诉值 4')
  expect(shown).toContain('待处理')
  expect(page.querySelector('.confirm')).toBeFalsy()
  expect(page.querySelector('.appeal')).toBeTruthy()
})

test('a month of two positions: the combined result and each part', async () => {
  const { page } = await render('report', 'two_positions')
  const shown = text(page.dom)
  expect(shown).toContain('本月结果（两段考核合并）：87.3分 优秀')
  expect(shown).toContain('运营（7个工作日）82.3分')
  expect(shown).toContain('美工（11个工作日）90.4分')
})
