const { render, text, tap } = require('../support/page')

test('the operations job description: duties with frequency and standard, authority, goals', async () => {
  const { page, wx } = await render('job', 'ops')
  const shown = text(page.dom)
  expect(shown).toContain('运营岗位说明书')
  expect(shown).toContain('新品选品调研')
  expect(shown).toContain('标准：提交1份选品报告')
  expect(shown).toContain('广告预算审批')
  expect(shown).toContain('季度销售额增长15%')
  expect(shown).toContain('季度')
  await tap(page, '.rules')
  expect(wx.called('navigateTo')[0].url).toMatch(/^\/pages\/targets\/index\?id=\d+$/)
})

test('the warehouse job description differs', async () => {
  const { page } = await render('job', 'warehouse')
  expect(text(page.dom)).toContain('仓储岗位说明书')
  expect(text(page.dom)).toContain('库存盘点')
  expect(text(page.dom)).not.toContain('新品选品调研')
})
