const { render, text, tap } = require('../support/page')

test('targets to acknowledge: each rule in words, and acknowledging asks for the month-end messages first', async () => {
  const { page, wx } = await render('targets', 'to_acknowledge')
  const shown = text(page.dom)
  expect(shown).toContain('请逐项阅读后确认')
  expect(shown).toContain('比例计分：按完成率计分，最高按120%计')
  expect(shown).toContain('亚马逊广告数据（Amazon Ads）')
  await tap(page, '.acknowledge')
  const [prompt] = wx.called('requestSubscribeMessage')
  expect(prompt).toMatchObject({ fromTap: true, tmplIds: ['dev-tpl-report', 'dev-tpl-target', 'dev-tpl-reminder'] })
  const posts = wx.called('request').filter((r) => r.method === 'POST')
  expect(posts.map((r) => r.url.replace(/^.*\/api\/mp\/v1/, '')).sort()).toEqual(['/assessments/17/acknowledge', '/subscriptions'])
  expect(posts.find((r) => r.url.endsWith('/subscriptions')).data).toEqual({
    accepted: ['dev-tpl-report', 'dev-tpl-target', 'dev-tpl-reminder'] })
  expect(text(page.dom)).toContain('已于 11月12日 14:00 确认')
})

test('acknowledged targets: the date, and no button', async () => {
  const { page } = await render('targets', 'acknowledged')
  expect(text(page.dom)).toContain('已于 11月12日 14:00 确认')
  expect(page.querySelector('.acknowledge')).toBeFalsy()
})
