const { render, text, tap } = require('../support/page')

test('a day past its edit window, with a comment and a screenshot', async () => {
  const { page, wx } = await render('history', 'with_comment')
  const shown = text(page.dom)
  expect(shown).toContain('11月4日')
  expect(shown).toContain('900 USD')
  expect(shown).toContain('已过修改时限')
  expect(shown).toContain('1条点评 ›')
  expect(page.dom.querySelectorAll('wx-image').length).toBe(1)
  await tap(page, '.comments')
  expect(wx.called('navigateTo')[0].url).toMatch(/^\/pages\/comments\/index\?entry=\d+$/)
})

test('today still editable, with its note and no comments yet', async () => {
  const { page } = await render('history', 'plain')
  const shown = text(page.dom)
  expect(shown).toContain('可修改至 11月13日 10:00')
  expect(shown).toContain('新人第一单')
  expect(shown).toContain('点评与回复 ›')
})
