// A `wx` for jest that answers from a recorded state (tests/recorded/<page>/<state>.json): each
// wx.request is matched to the next recorded answer for its method and path (the last one
// repeats), and every call a page makes is kept in `calls` so a test can assert it.
const fs = require('fs')
const path = require('path')

const RECORDED = path.join(__dirname, '..', 'recorded')
const PREFIX = '/api/mp/v1'

function recording(page, state) {
  return JSON.parse(fs.readFileSync(path.join(RECORDED, page, `${state}.json`), 'utf8'))
}

function pathOf(url) {
  const at = url.indexOf(PREFIX)
  const rest = at >= 0 ? url.slice(at + PREFIX.length) : url
  return rest.split('?')[0]
}

function install(state, options = {}) {
  const answers = {}
  for (const r of state.requests) {
    const key = `${r.method} ${r.path}`
    ;(answers[key] = answers[key] || []).push(r)
  }
  const drops = Object.assign({}, options.drop || {})  // "POST /progress": n → the first n attempts lose the connection
  const storage = Object.assign({ 'jixiao.token': 'recorded-token' }, options.storage || {})
  const calls = []
  const take = (key) => {
    const queue = answers[key]
    if (!queue) return null
    return queue.length > 1 ? queue.shift() : queue[0]
  }
  const record = (name, args) => calls.push({ name, args })
  const done = (args, value) => {
    if (args && args.success) args.success(value)
    if (args && args.complete) args.complete(value)
  }
  const ours = {
    request(args) {
      record('request', args)
      const key = `${(args.method || 'GET').toUpperCase()} ${pathOf(args.url)}`
      if (drops[key] > 0) {
        drops[key] -= 1
        setTimeout(() => args.fail && args.fail({ errMsg: 'request:fail timeout' }), 0)
        return { abort() {} }
      }
      const answer = take(key)
      setTimeout(() => {
        if (!answer) return args.fail && args.fail({ errMsg: `request:fail no recording for ${args.method} ${args.url}` })
        return done(args, { statusCode: answer.status, data: answer.body, header: {} })
      }, 0)
      return { abort() {} }
    },
    uploadFile(args) {
      record('uploadFile', args)
      const answer = take(`POST ${pathOf(args.url)}`)
      const listeners = []
      setTimeout(() => {
        listeners.forEach((f) => f({ progress: 100, totalBytesSent: 1, totalBytesExpectedToSend: 1 }))
        if (!answer) return args.fail && args.fail({ errMsg: 'uploadFile:fail no recording' })
        return done(args, { statusCode: answer.status, data: JSON.stringify(answer.body) })
      }, 0)
      return { onProgressUpdate: (f) => listeners.push(f), abort() {} }
    },
    login(args) {
      record('login', args)
      setTimeout(() => done(args, { code: `code-${calls.length}` }), 0)
    },
    getStorageSync: (key) => (key in storage ? storage[key] : ''),
    setStorageSync: (key, value) => { storage[key] = value },
    removeStorageSync: (key) => { delete storage[key] },
    requestSubscribeMessage(args) {
      record('requestSubscribeMessage', Object.assign({ fromTap: global.__tapping === true }, args))
      const answer = { errMsg: 'requestSubscribeMessage:ok' }
      ;(args.tmplIds || []).forEach((id) => { answer[id] = 'accept' })
      setTimeout(() => done(args, answer), 0)
    },
    chooseMedia(args) {
      record('chooseMedia', args)
      const files = (options.media || []).map((tempFilePath) => ({ tempFilePath, size: 1024, fileType: 'image' }))
      setTimeout(() => done(args, { tempFiles: files, type: 'image' }), 0)
    },
  }
  global.wx = Object.assign(global.wx || {}, ours)  // miniprogram-simulate's own wx (system info …) stays
  for (const name of ['navigateTo', 'redirectTo', 'reLaunch', 'navigateBack', 'showToast', 'showModal',
    'stopPullDownRefresh', 'previewImage', 'showLoading', 'hideLoading']) {
    global.wx[name] = (args) => {
      record(name, args)
      if (name === 'showModal') setTimeout(() => done(args, { confirm: true, cancel: false }), 0)
      else setTimeout(() => done(args, {}), 0)
    }
  }
  return { calls, storage, called: (name) => calls.filter((c) => c.name === name).map((c) => c.args) }
}

module.exports = { install, recording }
