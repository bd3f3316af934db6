// Rendering a page as WeChat would: miniprogram-simulate loads its WXML, WXSS, JSON and JS, with
// components from npm resolved through miniprogram_npm/ (as "构建 npm" lays them out) and rpx
// converted at 375 px wide (1 rpx = 0.5 px), so a render measures like an iPhone X screen.
const fs = require('fs')
const path = require('path')
const simulate = require('miniprogram-simulate')
const utils = require('miniprogram-simulate/src/utils')
const wxShim = require('./wx')

const ROOT = path.resolve(__dirname, '..', '..')
const RPX = 375 / 750

// WeChat's <input> and <textarea> draw their value (or placeholder); simulate's stand-ins draw
// nothing, so a filled form would read and photograph as empty.
for (const id of ['input', 'textarea']) {
  require('j-component').register({
    id,
    tagName: `wx-${id}`,
    template: '<span class="{{value ? \'wx-value\' : \'wx-placeholder\'}}">{{value || placeholder}}</span>',
    properties: { value: { type: String, value: '' }, placeholder: { type: String, value: '' } },
  })
}

utils.transformRpx = (style) => style.replace(/(-?\d*\.?\d+)rpx/gi, (_, n) => `${Number(n) * RPX}px`)

function usingComponents(file) {
  const json = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8'))
  const mapped = {}
  for (const [tag, target] of Object.entries(json.usingComponents || {})) {
    mapped[tag] = target.startsWith('/') || target.startsWith('.') ? target : `/miniprogram_npm/${target}`
    const where = mapped[tag].startsWith('/') ? path.join(ROOT, mapped[tag]) : path.join(path.dirname(file), mapped[tag])
    if (!fs.existsSync(`${where}.json`)) throw new Error(`${tag}: ${target} is missing (run npm run build:npm)`)
  }
  return mapped
}

const loaded = {}  // a page is loaded once per test file; loading it again leaves it unrendered

// Render `pages/<name>/index` with whatever `wx` is installed; answers the page after onLoad(query).
async function mount(name, query = {}) {
  const file = path.join(ROOT, 'pages', name, 'index')
  loaded[file] = loaded[file] || simulate.load(file, { rootPath: ROOT, usingComponents: usingComponents(file) })
  const page = simulate.render(loaded[file])
  page.attach(document.createElement('parent-wrapper'))
  await page.instance.onLoad(query)
  await simulate.sleep(20)
  return page
}

// Render a page from a recorded state; answers {page, wx, state}.
async function render(name, stateName, options = {}) {
  const state = wxShim.recording(name, stateName)
  const wx = wxShim.install(state, options)
  const page = await mount(name, Object.assign({}, state.query, options.query || {}))
  return { page, wx, state }
}

function text(node) {
  return (node.dom || node).textContent.replace(/\s+/g, ' ').trim()
}

// Tap a component or element (found by selector, or given), then let its async handler run.
async function tap(page, selector) {
  const found = typeof selector === 'string' ? page.querySelector(selector) : selector
  if (!found) throw new Error(`nothing matches ${selector}`)
  // What a handler does before its first await happens inside the tap (subscribe prompts need that).
  // j-component delivers the event one microtask later, so the flag stays up for that microtask.
  global.__tapping = true
  try {
    const inner = found.querySelector && found.querySelector('.van-button')
    ;(inner || found).dispatchEvent('tap')
    await Promise.resolve()
  } finally {
    global.__tapping = false
  }
  await simulate.sleep(30)
}

module.exports = { render, mount, text, tap, ROOT, simulate }
