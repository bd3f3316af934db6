const { render, text, tap } = require('../support/page')

test('four items to rate; a half-star rating is sent and counted', async () => {
  const { page, wx } = await render('ratings', 'to_rate')
  expect(text(page.dom)).toContain('还有 4 项待评分')
  expect(text(page.dom)).toContain('赵明星 · 团队协作')
  const fifth = page.querySelectorAll('.star')[4]
  await tap(page, fifth)
  await tap(page, fifth)  // the same star again: half a point off
  const posts = wx.called('request').filter((r) => r.method === 'POST')
  expect(posts.map((p) => p.data)).toEqual([{ assessment_item_id: 84, value: '5' }, { assessment_item_id: 84, value: '4.5' }])
  expect(text(page.dom)).toContain('4.5分')
  expect(text(page.dom)).toContain('还有 3 项待评分')
})

test('a reminder opens on its item first', async () => {
  const { page } = await render('ratings', 'all_rated', { query: { item: '90' } })
  expect(page.instance.data.tasks[0].assessment_item_id).toBe(90)
  expect(text(page.dom)).toContain('钱新人 · 创新建议')
})

test('a packer rates a colleague as a peer', async () => {
  const { page, wx } = await render('ratings', 'peer')
  expect(text(page.dom)).toContain('同事互评')
  expect(text(page.dom)).toContain('还有 1 项待评分')
  await tap(page, page.querySelectorAll('.star')[2])
  const [post] = wx.called('request').filter((r) => r.method === 'POST')
  expect(post.data).toMatchObject({ value: '3' })
  expect(text(page.dom)).toContain('本月评分已全部完成 ✓')
})
