const { render, text, tap } = require('../support/page')

test('the manager approves a forgotten day with a reason', async () => {
  const { page, wx } = await render('correction', 'decide')
  expect(text(page.dom)).toContain('11月2日「月度销售额」')
  expect(text(page.dom)).toContain('无 → 5 USD')
  expect(text(page.dom)).toContain('待主管审批')
  page.instance.onReason({ detail: '已核实' })
  await tap(page, '.approve')
  const [post] = wx.called('request').filter((r) => r.method === 'POST')
  expect(post.data).toEqual({ approve: true, reason: '已核实' })
  expect(text(page.dom)).toContain('已批准')
})

test('the employee sees their own request answered, and no buttons', async () => {
  const { page } = await render('correction', 'mine')
  expect(text(page.dom)).toContain('已批准')
  expect(text(page.dom)).toContain('处理时间')
  expect(page.querySelector('.approve')).toBeFalsy()
})
