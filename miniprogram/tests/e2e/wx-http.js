// A `wx` that talks to a real server over HTTP (Node's http), for the end-to-end run: wx.request
// and wx.uploadFile (multipart, as WeChat sends it) go to the API; `drop` loses the response of
// the first N calls of a route after the server answered them, as a dropped connection does.
const fs = require('fs')
const http = require('http')
const path = require('path')

function send(url, method, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ statusCode: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }))
    })
    req.on('error', reject)
    if (body) req.write(body)
    req.end()
  })
}

function install({ storage = {}, drop = {}, media = [] } = {}) {
  const store = Object.assign({}, storage)
  const drops = Object.assign({}, drop)
  const calls = []
  const route = (method, url) => `${method} ${new URL(url).pathname.replace(/^.*\/api\/mp\/v1/, '')}`
  const deliver = (args, key, result, asText) => {
    if (drops[key] > 0) {
      drops[key] -= 1
      return args.fail && args.fail({ errMsg: 'request:fail timeout (response lost)' })
    }
    const data = asText ? result.text : (result.text ? JSON.parse(result.text) : null)
    return args.success && args.success({ statusCode: result.statusCode, data })
  }
  const ours = {
    request(args) {
      const method = (args.method || 'GET').toUpperCase()
      const key = route(method, args.url)
      calls.push({ name: 'request', key, args })
      const body = method === 'GET' ? null : JSON.stringify(args.data || {})
      send(args.url, method, Object.assign({}, args.header, body ? { 'Content-Length': Buffer.byteLength(body) } : {}), body)
        .then((result) => deliver(args, key, result, false), (err) => args.fail && args.fail({ errMsg: String(err) }))
      return { abort() {} }
    },
    uploadFile(args) {
      const key = route('POST', args.url)
      calls.push({ name: 'uploadFile', key, args })
      const boundary = `----jixiao${Date.now()}`
      const file = fs.readFileSync(args.filePath)
      const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${args.name}"; filename="${path.basename(args.filePath)}"\r\nContent-Type: image/png\r\n\r\n`),
        file, Buffer.from(`\r\n--${boundary}--\r\n`)])
      const listeners = []
      send(args.url, 'POST', Object.assign({}, args.header, { 'Content-Type': `multipart/form-data; boundary=${boundary}`,
        'Content-Length': body.length }), body).then((result) => {
        listeners.forEach((f) => f({ progress: 100, totalBytesSent: body.length, totalBytesExpectedToSend: body.length }))
        deliver(args, key, result, true)
      }, (err) => args.fail && args.fail({ errMsg: String(err) }))
      return { onProgressUpdate: (f) => listeners.push(f), abort() {} }
    },
    login: (args) => args.fail && args.fail({ errMsg: 'login:fail not in WeChat' }),
    getStorageSync: (key) => (key in store ? store[key] : ''),
    setStorageSync: (key, value) => { store[key] = value },
    removeStorageSync: (key) => { delete store[key] },
    requestSubscribeMessage: (args) => args.fail && args.fail({ errMsg: 'requestSubscribeMessage:fail' }),
    chooseMedia: (args) => args.success({ tempFiles: media.map((p) => ({ tempFilePath: p, size: fs.statSync(p).size })) }),
  }
  global.wx = Object.assign(global.wx || {}, ours)
  for (const name of ['navigateTo', 'redirectTo', 'reLaunch', 'navigateBack', 'showToast', 'stopPullDownRefresh']) {
    global.wx[name] = (args) => calls.push({ name, args })
  }
  return { calls, storage: store }
}

module.exports = { install }
