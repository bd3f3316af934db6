// The real page code against the real Flask server and a real worker process, over HTTP: sign in
// as a demo employee, read the bar, submit a figure with a screenshot (the first answer to the
// submit lost on the way back), and watch the bar move once the worker has recomputed progress.
// Inputs and the result file come from the environment (see tests/miniprogram/test_end_to_end.py).
const fs = require('fs')
const { mount, simulate } = require('../support/page')
const { install } = require('./wx-http')

const env = process.env

function bar(page, indicator) {
  const item = page.instance.data.items.find((i) => i.indicator === indicator)
  return item && item.progress ? item.progress.label : null
}

test('a demo employee submits progress with a screenshot and the bar moves', async () => {
  const wx = install({
    storage: { 'jixiao.apiBase': env.JIXIAO_E2E_API, 'jixiao.devEmployee': env.JIXIAO_E2E_EMPLOYEE },
    drop: { 'POST /progress': 1 },
    media: [env.JIXIAO_E2E_SHOT],
  })
  const home = await mount('home')
  await simulate.sleep(200)
  const before = bar(home, env.JIXIAO_E2E_INDICATOR)
  expect(before).toBeTruthy()

  const submit = await mount('submit')
  await simulate.sleep(200)
  const index = submit.instance.data.rows.findIndex((r) => r.indicator === env.JIXIAO_E2E_INDICATOR)
  submit.instance.onFigure({ currentTarget: { dataset: { index, part: 'numerator' } }, detail: env.JIXIAO_E2E_VALUE })
  submit.instance.onFigure({ currentTarget: { dataset: { index, part: 'denominator' } }, detail: env.JIXIAO_E2E_OF })
  submit.instance.addShots()
  if (submit.instance.data.showPrivacy) await submit.instance.acceptPrivacy()
  for (let i = 0; i < 50 && !(submit.instance.data.shots[0] || {}).id; i += 1) await simulate.sleep(100)
  expect(submit.instance.data.shots[0].id).toBeGreaterThan(0)
  await submit.instance.submit()
  expect(submit.instance.data.done).toBe(true)

  let after = before
  for (let i = 0; i < 60 && after === before; i += 1) {
    await simulate.sleep(500)
    const again = await mount('home')
    await simulate.sleep(100)
    after = bar(again, env.JIXIAO_E2E_INDICATOR)
  }
  const posts = wx.calls.filter((c) => c.key === 'POST /progress')
  fs.writeFileSync(env.JIXIAO_E2E_OUT, JSON.stringify({
    before, after, posts: posts.length, keys: [...new Set(posts.map((c) => c.args.header['Idempotency-Key']))],
    shot: submit.instance.data.shots[0].id,
  }))
  expect(after).not.toBe(before)
})
