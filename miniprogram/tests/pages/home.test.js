const { render, text, tap } = require('../support/page')

// Each bar as the person sees it: name, label, colour state, where the pace marker stands.
function bars(page) {
  return [...page.dom.querySelectorAll('kpi-bar')].map((bar) => {
    const box = bar.querySelector('[class*="kpi-bar--kpi"]')
    const pace = bar.querySelector('[class*="kpi-bar--pace"]')
    return {
      name: text(bar.querySelector('[class*="kpi-bar--name"]')),
      label: text(bar.querySelector('[class*="kpi-bar--label"]')),
      state: box.className.match(/kpi-bar--(behind|ahead|no_data)/)[1],
      pace: pace ? pace.getAttribute('style') : null,
      all: text(bar),
    }
  })
}

function button(page) {
  return page.dom.querySelector('van-button [class*="van-button--van-button"]')
}

test('behind pace: the sales bar is red with its pace marker, the projection and an open submit button', async () => {
  const { page } = await render('home', 'behind')
  const sales = bars(page).find((b) => b.name === '月度销售额')
  expect(sales).toMatchObject({ label: '完成22%', state: 'behind', pace: 'left: 36.67%' })
  expect(sales.all).toContain('截至11月11日')
  expect(sales.all).toContain('进度应达36%')
  expect(bars(page).find((b) => b.name === '广告ROI').state).toBe('ahead')
  expect(text(page.dom.querySelector('[class*="main--total"]'))).toBe('70分预计合格')
  expect(text(button(page))).toBe('提交今日进展')
  expect(button(page).className).not.toContain('disabled')
  expect(text(page.dom)).toContain('请先确认本月目标')
  expect(text(page.dom)).not.toContain('我的团队')
  expect(text(page.dom)).toContain('⚠ 赵明星的月度销售额落后进度超过10%')
})

test('a lower-is-better item ahead of target shows green, and today already submitted says so', async () => {
  const { page } = await render('home', 'ahead_done')
  const misship = bars(page).find((b) => b.name === '错发率')
  expect(misship.state).toBe('ahead')
  expect(misship.all).toContain('越低越好')
  expect(text(button(page))).toBe('今日已提交 ✓ 可修改')
  expect(text(page.dom)).toContain('今日数据可修改至 11月13日 10:00')
  expect(text(page.dom)).toContain('仓储岗预计总分66.9分')
  expect(text(page.dom)).toContain('我的团队')  // he manages the packers
  expect(text(page.dom)).not.toContain('⚠')
})

test('the submit button opens the submit page on this assessment', async () => {
  const { page, wx, state } = await render('home', 'behind')
  const id = state.requests.find((r) => r.path.match(/^\/assessments\/\d+$/)).body.assessment_id
  await tap(page, '.submit')
  expect(wx.called('navigateTo')).toEqual([expect.objectContaining({ url: `/pages/submit/index?id=${id}` })])
})

test('after the month ends the submit button is closed and says why', async () => {
  const { page, wx } = await render('home', 'closed')
  expect(text(button(page))).toBe('本月考核已结束，不能再提交')
  expect(text(page.dom)).not.toContain('今日数据可修改至')
  await tap(page, '.submit')
  expect(wx.called('navigateTo')).toEqual([])
})
