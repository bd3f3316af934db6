const { render, text, tap } = require('../support/page')

test('three published months with their grades, the appealed version marked', async () => {
  const { page, wx } = await render('reports', 'history')
  const shown = text(page.dom)
  expect(shown).toContain('2026年10月')
  expect(shown).toContain('2026年9月')
  expect(shown).toContain('100分 优秀')
  expect(shown).toContain('已申诉')
  await tap(page, '.part')
  expect(wx.called('navigateTo')[0].url).toMatch(/^\/pages\/report\/index\?id=\d+$/)
})

test('a failing newcomer: the grade reads as a fail and the report waits for an answer', async () => {
  const { page } = await render('reports', 'newcomer')
  const shown = text(page.dom)
  expect(shown).toContain('6分 不合格')
  expect(shown).toContain('待确认')
})
