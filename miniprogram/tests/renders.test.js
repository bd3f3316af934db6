// Every page of app.json, rendered from each of its recorded states, as a person would read it:
// no `undefined`, `NaN`, `null` or `{{` in the text, and the strings the state says the page must
// show (each taken from the recorded answers) are there. Each render is also written as a
// standalone HTML file (DOM + the pages' and components' WXSS, rpx at 375 px) under
// screenshots/html/, which `make screenshots` photographs in Chromium.
const fs = require('fs')
const path = require('path')
const { ROOT } = require('./support/page')

const OUT = path.join(ROOT, 'screenshots', 'html')
const app = JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8'))
const BASE_CSS = `
  html, body { margin: 0; padding: 0; width: 375px; background: #f5f6f7; }
  body { font-family: "Noto Sans CJK SC", "PingFang SC", sans-serif; font-size: 14px; color: #1f2329; }
  wx-view, wx-form, wx-scroll-view, wx-swiper, wx-navigator, wx-label, wx-picker { display: block; }
  wx-text, wx-icon, wx-rich-text { display: inline; }
  wx-image { display: inline-block; width: 160px; height: 120px; overflow: hidden; }
  wx-image img { width: 100%; height: 100%; object-fit: cover; }
  wx-button { display: block; }
  wx-input, wx-textarea { display: block; min-height: 1.4em; }
  .wx-placeholder { color: #c8c9cc; }
  [hidden] { display: none !important; }
`

const cases = app.pages.flatMap((page) => {
  const name = page.split('/')[1]
  const dir = path.join(ROOT, 'tests', 'recorded', name)
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => [name, f.replace(/\.json$/, '')])
})

function html(page) {
  const styles = [...document.head.querySelectorAll('style')].map((s) => s.textContent).join('\n')
  const appWxss = fs.readFileSync(path.join(ROOT, 'app.wxss'), 'utf8').replace(/\bpage\s*\{/g, 'body {')
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<style>${BASE_CSS}</style><style>${appWxss.replace(/(-?\d*\.?\d+)rpx/g, (_, n) => `${n / 2}px`)}</style>
<style>${styles}</style></head><body>${page.dom.outerHTML}</body></html>`
}

test.each(cases)('%s (%s) reads as it should', async (name, state) => {
  jest.resetModules()  // a fresh miniprogram-simulate per page: components register once per load
  document.head.innerHTML = ''
  const { render, text } = require('./support/page')
  const { page, state: recorded } = await render(name, state)
  const shown = text(page.dom)
  expect(shown).not.toMatch(/undefined|NaN|null|\{\{/)
  for (const expected of recorded.shows || []) {
    expect(JSON.stringify(recorded.requests)).toContain(JSON.stringify(expected).slice(1, -1))
    expect(shown).toContain(expected)
  }
  fs.mkdirSync(OUT, { recursive: true })
  fs.writeFileSync(path.join(OUT, `${name}--${state}.html`), html(page))
})
