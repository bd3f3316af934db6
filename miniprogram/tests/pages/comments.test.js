const { render, text, tap } = require('../support/page')

test("a day's comment from the manager, and the reply goes under it", async () => {
  const { page, wx } = await render('comments', 'entry')
  expect(text(page.dom)).toContain('张组长')
  expect(text(page.dom)).toContain('不错')
  page.instance.onBody({ detail: '谢谢，继续加油' })
  await tap(page, '.send')
  const [post] = wx.called('request').filter((r) => r.method === 'POST')
  expect(post.data).toEqual({ body: '谢谢，继续加油', parent_id: 1 })
  expect(text(page.dom)).toContain('赵明星 回复')
})

test("the month's sheet comment, seen by the manager who wrote it", async () => {
  const { page, wx } = await render('comments', 'assessment')
  expect(text(page.dom)).toContain('本月重点是新品转化')
  await tap(page, '.send')
  expect(page.instance.data.error).toBe('请先写点什么')
  expect(wx.called('request').filter((r) => r.method === 'POST')).toEqual([])
})
