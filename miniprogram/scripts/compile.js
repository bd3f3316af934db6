// The whole project compiled offline by miniprogram-ci, as WeChat's upload would compile it: JS
// syntax, every usingComponents path, the package's files and size. No network: the project's
// attributes are given (miniprogram-ci otherwise asks WeChat's servers) and the key is a throwaway
// one, since nothing is uploaded. Exits non-zero on an error or a main package over 2 MB. Run as its
// own process: the compiler forks a helper that outlives the call.
const crypto = require('crypto')
const fs = require('fs')
const os = require('os')
const path = require('path')
const ci = require('miniprogram-ci')

const root = path.resolve(__dirname, '..')
const MAX_MAIN_PACKAGE = 2 * 1024 * 1024

async function compile(projectPath = root) {
  const config = JSON.parse(fs.readFileSync(path.join(projectPath, 'project.config.json'), 'utf8'))
  const keyPath = path.join(os.tmpdir(), `jixiao-ci-key-${process.pid}.pem`)
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 })
  fs.writeFileSync(keyPath, privateKey.export({ type: 'pkcs1', format: 'pem' }))
  try {
    const project = new ci.Project({
      appid: config.appid, type: 'miniProgram', projectPath, privateKeyPath: keyPath,
      ignores: ['node_modules/**/*', 'tests/**/*', 'scripts/**/*', 'screenshots/**/*'],
      attr: async () => Object.assign({}, ci.DefaultProjectAttr, { appid: config.appid }),
    })
    return await ci.getCompiledResult({ project, desc: 'offline check', setting: { useProjectConfig: true } })
  } finally {
    fs.unlinkSync(keyPath)
  }
}

// `node scripts/compile.js [project path]`: prints one JSON line (files, bytes, pages compiled).
if (require.main === module) {
  compile(process.argv[2] || root).then((files) => {
    const names = Object.keys(files)
    const bytes = Object.values(files).reduce((sum, content) => sum + Buffer.byteLength(content), 0)
    console.log(JSON.stringify({ files: names.length, bytes, names }))
    process.exit(bytes < MAX_MAIN_PACKAGE ? 0 : 1)
  }, (error) => {
    console.error(error.message || error)
    process.exit(1)
  })
}

module.exports = { MAX_MAIN_PACKAGE }
