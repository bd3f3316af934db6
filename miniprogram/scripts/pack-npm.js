// "构建 npm" without WeChat DevTools: miniprogram-ci copies the mini-program packages named in
// package.json's dependencies into miniprogram_npm/ (offline), as the tests and DevTools need them.
const path = require('path')
const ci = require('miniprogram-ci')

const root = path.resolve(__dirname, '..')

ci.packNpmManually({ packageJsonPath: path.join(root, 'package.json'), miniprogramNpmDistDir: root })
  .then((result) => {
    if (result.warnList && result.warnList.length) console.warn(result.warnList)
  })
  .catch((error) => {
    console.error(error)
    process.exit(1)
  })
