const { render, text, tap, simulate } = require('../support/page')

function rows(page) {
  return page.instance.data.rows
}

test('a first submission: privacy notice before the first screenshot, figures checked as typed, one key on retry', async () => {
  const { page, wx } = await render('submit', 'first_day', { media: ['wxfile://tmp/shot-1.png'], drop: { 'POST /progress': 3 } })
  const shown = text(page.dom)
  expect(shown).toContain('11月12日的进展')
  expect(shown).toContain('亚马逊销售数据（Amazon SP-API）自动同步，最近 11月12日 06:30 · 自报可不填')
  expect(rows(page).map((r) => r.name)).toEqual(['月度销售额', '新品转化率', '广告ROI'])  // ratings are not typed in

  await tap(page, '.add')
  expect(text(page.dom)).toContain('截图隐私说明')
  expect(wx.called('chooseMedia')).toEqual([])  // nothing chosen before the notice is accepted
  await tap(page, '.accept')
  expect(wx.called('chooseMedia')).toHaveLength(1)
  await simulate.sleep(30)
  expect(page.instance.data.shots).toEqual([{ id: 2, path: 'wxfile://tmp/shot-1.png', progress: 100 }])

  const roi = rows(page).findIndex((r) => r.indicator === 'ops_ad_roi')
  page.instance.onFigure({ currentTarget: { dataset: { index: roi, part: 'numerator' } }, detail: '66o' })
  expect(rows(page)[roi].error).toBe('广告销售额请填数字')
  page.instance.onFigure({ currentTarget: { dataset: { index: roi, part: 'numerator' } }, detail: '660' })
  page.instance.onFigure({ currentTarget: { dataset: { index: roi, part: 'denominator' } }, detail: '200' })
  page.instance.onNote({ detail: '新广告组上线' })

  await tap(page, '.submit')  // the connection drops three times: the page offers a retry
  expect(text(page.dom)).toContain('点“重试”不会重复提交')
  await tap(page, '.submit')
  const posts = wx.called('request').filter((r) => r.method === 'POST' && r.url.endsWith('/progress'))
  expect(posts).toHaveLength(4)
  expect(new Set(posts.map((p) => p.header['Idempotency-Key'])).size).toBe(1)
  expect(posts[3].data).toEqual({ day: '2026-11-12', figures: { ops_ad_roi: { numerator: '660', denominator: '200' } },
    note: '新广告组上线', screenshots: [2] })
  expect(wx.called('navigateBack')).toHaveLength(1)

  const [prompt] = wx.called('requestSubscribeMessage')
  expect(prompt.fromTap).toBe(true)
  expect(prompt.tmplIds).toEqual(['dev-tpl-reminder', 'dev-tpl-alert', 'dev-tpl-comment'])  // fewest sends left first
})

test('editing today: the form carries what was submitted and the button says so', async () => {
  const { page, wx } = await render('submit', 'edit_today')
  const sales = rows(page).find((r) => r.indicator === 'ops_sales')
  expect(sales.numerator).toBe('2300')
  expect(page.instance.data.note).toBe('大促预热')
  expect(text(page.dom)).toContain('已提交，可修改')
  expect(text(page.dom.querySelector('[class*="main--submit"]') || page.dom)).toContain('保存修改')
  await tap(page, '.submit')
  const [post] = wx.called('request').filter((r) => r.method === 'POST')
  expect(post.data.figures).toEqual({ ops_sales: { numerator: '2300' } })
  const [prompt] = wx.called('requestSubscribeMessage')  // no sends left of any: the kinds in the page's order
  expect(prompt).toMatchObject({ fromTap: true, tmplIds: ['dev-tpl-comment', 'dev-tpl-reminder', 'dev-tpl-alert'] })
})

test('a forgotten day goes to the manager as a correction request, checked before it is sent', async () => {
  const { page, wx } = await render('submit', 'edit_today')
  await tap(page, '.forgot')
  const field = (name, value) => page.instance.onForgotten({ currentTarget: { dataset: { field: name } }, detail: value })
  await tap(page, '.request')
  expect(page.instance.data.forgotten.error).toBe('请选择漏报的日期')
  field('day', { value: '2026-11-03' })
  field('numerator', '1800')
  field('reason', '当天出差漏报')
  await tap(page, '.request')
  const [post] = wx.called('request').filter((r) => r.method === 'POST')
  expect(post.url).toMatch(/\/corrections$/)
  expect(post.data).toEqual({ day: '2026-11-03', indicator: 'ops_sales', numerator: '1800', reason: '当天出差漏报' })
  expect(page.instance.data.forgotten).toBe(null)
  expect(wx.called('showToast')[0]).toMatchObject({ title: '已提交主管审批' })
})
