// The project compiles offline with miniprogram-ci as WeChat's upload would (scripts/compile.js, in a
// process of its own): every page of app.json in it, the main package under 2 MB; a JavaScript
// syntax error in a page fails it.
const { spawnSync } = require('child_process')
const fs = require('fs')
const os = require('os')
const path = require('path')
const { MAX_MAIN_PACKAGE } = require('../scripts/compile')
const { ROOT } = require('./support/page')

const app = JSON.parse(fs.readFileSync(path.join(ROOT, 'app.json'), 'utf8'))

function compile(projectPath) {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'compile.js'), projectPath], { encoding: 'utf8', timeout: 120000 })
  const line = run.stdout.split('\n').find((l) => l.startsWith('{'))
  return { status: run.status, result: line ? JSON.parse(line) : null, error: run.stderr }
}

test('the project compiles offline, every page in it, under 2 MB', () => {
  const { status, result } = compile(ROOT)
  expect(status).toBe(0)
  for (const page of app.pages) expect(result.names.some((n) => n.includes(page))).toBe(true)
  expect(result.bytes).toBeGreaterThan(50 * 1024)
  expect(result.bytes).toBeLessThan(MAX_MAIN_PACKAGE)
}, 130000)

test('a JavaScript syntax error in a page fails the compile', () => {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'jixiao-mp-'))
  try {
    for (const entry of fs.readdirSync(ROOT)) {
      if (!['node_modules', 'tests', 'screenshots'].includes(entry)) fs.cpSync(path.join(ROOT, entry), path.join(copy, entry), { recursive: true })
    }
    fs.appendFileSync(path.join(copy, 'pages', 'home', 'index.js'), '\nconst oops = ( }\n')
    const { status, error } = compile(copy)
    expect(status).not.toBe(0)
    expect(error).toMatch(/home|Unexpected|SyntaxError/)
  } finally {
    fs.rmSync(copy, { recursive: true, force: true })
  }
}, 130000)
