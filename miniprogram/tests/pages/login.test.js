const { render, text, tap } = require('../support/page')

test('the first time, the page asks for the number and bind code, checks them as typed, and binds', async () => {
  const { page, wx } = await render('login', 'first')
  expect(text(page.dom)).toContain('首次使用请绑定')
  expect(wx.called('reLaunch')).toEqual([])

  page.instance.onEmployeeNo({ detail: ' S005 ' })
  page.instance.onBindCode({ detail: '12ab' })
  expect(page.instance.data.errors.bindCode).toBe('绑定码只含数字')
  await tap(page, '.bind')
  expect(wx.called('request')).toHaveLength(1)  // nothing sent with a malformed code

  page.instance.onBindCode({ detail: '12345678' })
  await tap(page, '.bind')
  const [, sent] = wx.called('request')
  expect(sent.data).toMatchObject({ employee_no: 'S005', bind_code: '12345678' })
  expect(sent.data.code).toMatch(/^code-/)
  expect(wx.called('reLaunch')).toEqual([expect.objectContaining({ url: '/pages/home/index' })])
  expect(wx.storage['jixiao.token']).toMatch(/^eyJ/)
})

test('someone already bound is signed in silently and goes on to the home page', async () => {
  const { page, wx } = await render('login', 'bound')
  expect(wx.called('reLaunch')).toEqual([expect.objectContaining({ url: '/pages/home/index' })])
  expect(text(page.dom)).not.toContain('首次使用请绑定')
})
