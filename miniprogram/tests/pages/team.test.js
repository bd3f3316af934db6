const { render, text, tap } = require('../support/page')

test('a lead sees each person, who is behind, and the appeal, correction and ratings waiting', async () => {
  const { page, wx } = await render('team', 'lead')
  const shown = text(page.dom)
  expect(shown).toContain('预计 70 分 合格')
  expect(shown).toContain('1项落后')
  expect(shown).toContain('申诉｜赵明星 广告ROI：3:1 → 4:1')
  expect(shown).toContain('数据更正｜赵明星 11月2日「月度销售额」：无 → 5 USD')
  expect(shown).toContain('待评分 4 项')
  expect(shown).toContain('今日未提交')
  await tap(page, '.appeal')
  expect(wx.called('navigateTo')).toEqual([expect.objectContaining({ url: '/pages/appeal/index?id=1' })])
})

test('a lead with nothing pending sees one rating and no decisions', async () => {
  const { page } = await render('team', 'keeper')
  const shown = text(page.dom)
  expect(shown).toContain('吴打包')
  expect(shown).toContain('尚无进度数据')
  expect(shown).not.toContain('申诉｜')
  expect(shown).toContain('待评分 1 项')
})
