// The project as a whole: every page in app.json is tested from two recorded states, and every WXML
// file compiles with WeChat's own compiler (wcc, from miniprogram-compiler). The package: compile.test.js.
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
