// The project as a whole: every page in app.json is tested from two recorded states, every WXML
// file compiles with WeChat's own compiler (wcc, from miniprogram-compiler), and the main package stays under 2 MB.
const fs = require('fs')
const path = require('path')
const { spawnSync } = require('child_process')
const { ROOT } = require('./support/page')

const app = JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8'))
const pageName = (page) => page.split('/')[1]

function files(dir, extension) {
  return fs.readdirSync(path.join(ROOT, dir), { recursive: true })
    .filter((f) => f.endsWith(extension)).map((f) => path.join(dir, f))
}

test.each(app.pages)('%s has a test and two recorded states', (page) => {
  expect(fs.existsSync(path.join(ROOT, 'tests', 'pages', `${pageName(page)}.test.js`))).toBe(true)
  const states = fs.readdirSync(path.join(ROOT, 'tests', 'recorded', pageName(page))).filter((f) => f.endsWith('.json'))
  expect(states.length).toBeGreaterThanOrEqual(2)
  for (const extension of ['.js', '.json', '.wxml', '.wxss']) {
    expect(fs.existsSync(path.join(ROOT, `${page}${extension}`))).toBe(true)
  }
})

// WeChat's WXML compiler from miniprogram-compiler, run on one file: status 0, or the error it printed.
function wcc(file) {
  const binary = path.join(ROOT, 'node_modules', 'miniprogram-compiler', 'bin', 'linux', 'wcc')
  fs.chmodSync(binary, 0o755)
  const run = spawnSync(binary, ['-d', '-cc', '0', file, '-gn', '$gwx'], { cwd: ROOT })
  return { status: run.status, error: run.stderr.toString() }
}

test('every page and component WXML compiles with wcc', () => {
  const wxml = [...files('pages', '.wxml'), ...files('components', '.wxml')]
  expect(wxml.length).toBeGreaterThanOrEqual(app.pages.length)
  for (const file of wxml) expect({ file, ...wcc(file) }).toEqual({ file, status: 0, error: '' })
})

test('a WXML mistake fails the compile', () => {
  const broken = path.join('tests', 'broken.wxml')
  fs.writeFileSync(path.join(ROOT, broken), '<view><text>未闭合</view>')
  try {
    const result = wcc(broken)
    expect(result.status).not.toBe(0)
    expect(result.error).toContain('expect end-tag `text`')
  } finally {
    fs.unlinkSync(path.join(ROOT, broken))
  }
})

test('the main package stays under 2 MB', () => {
  const ignored = new Set(['tests', 'scripts', 'node_modules', 'screenshots'])
  let bytes = 0
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (ignored.has(entry.name) && dir === ROOT) continue
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (!['package-lock.json', 'README.md', 'package.json'].includes(entry.name)) bytes += fs.statSync(full).size
    }
  }
  walk(ROOT)
  expect(bytes).toBeGreaterThan(10 * 1024)
  expect(bytes).toBeLessThan(2 * 1024 * 1024)
})
