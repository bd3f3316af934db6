// The one way pages talk to the API: the token, Chinese error messages, and retries that never
// duplicate (a write carries an Idempotency-Key; its retry after a dropped connection sends the
// same key, so the server answers the first result instead of acting twice).
const { apiBase } = require('./config')

const TOKEN_KEY = 'jixiao.token'
const RETRIES = 2

class ApiError extends Error {
  constructor(status, code, message, fields) {
    super(message)
    this.status = status
    this.code = code
    this.fields = fields || {}
  }
}

function newKey() {
  return `k${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`
}

function token() {
  return wx.getStorageSync(TOKEN_KEY) || ''
}

function headers(key) {
  const given = { 'Content-Type': 'application/json' }
  if (token()) given.Authorization = `Bearer ${token()}`
  if (key) given['Idempotency-Key'] = key
  return given
}

function failed(res) {
  const error = (res.data && res.data.error) || {}
  return new ApiError(res.statusCode, error.code || 'http_error', error.message || `请求失败（${res.statusCode}）`,
    error.fields)
}

function once(method, path, data, key) {
  return new Promise((resolve, reject) => {
    wx.request({
      url: apiBase() + path,
      method,
      data,
      header: headers(key),
      success(res) {
        if (res.statusCode >= 200 && res.statusCode < 300) resolve(res.data)
        else reject(failed(res))
      },
      fail(err) {
        reject(new ApiError(0, 'network', '网络连接失败，请稍后重试', { detail: err && err.errMsg }))
      },
    })
  })
}

// A GET, or a write: writes get an Idempotency-Key (the caller's, so a page can retry a submit it
// showed as failed with the same key) and are retried with it when the network drops.
async function request(method, path, data, key) {
  const write = method !== 'GET'
  const idempotencyKey = write ? key || newKey() : undefined
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await once(method, path, data, idempotencyKey)
    } catch (error) {
      const retry = error.code === 'network' && attempt < RETRIES
      if (!retry) {
        if (error.status === 401) wx.removeStorageSync(TOKEN_KEY)
        throw error
      }
    }
  }
}

// One screenshot through wx.uploadFile; `onProgress(percent)` follows the upload.
function upload(filePath, onProgress) {
  return new Promise((resolve, reject) => {
    const task = wx.uploadFile({
      url: `${apiBase()}/screenshots`,
      filePath,
      name: 'file',
      header: { Authorization: `Bearer ${token()}` },
      success(res) {
        const body = typeof res.data === 'string' ? JSON.parse(res.data || '{}') : res.data
        if (res.statusCode >= 200 && res.statusCode < 300) resolve(body)
        else reject(failed({ statusCode: res.statusCode, data: body }))
      },
      fail(err) {
        reject(new ApiError(0, 'network', '上传失败，请检查网络后重试', { detail: err && err.errMsg }))
      },
    })
    if (task && task.onProgressUpdate && onProgress) task.onProgressUpdate((p) => onProgress(p.progress))
  })
}

function wxLogin() {
  return new Promise((resolve, reject) => {
    wx.login({
      success: (res) => resolve(res.code),
      fail: () => reject(new ApiError(0, 'network', '微信登录失败，请稍后重试')),
    })
  })
}

// Sign in with a fresh wx.login code (a code works once); `bind` = {employee_no, bind_code} the
// first time. Keeps the token; answers the person (me).
// The demo's shortcut (`make run` only): with `jixiao.devEmployee` stored, the code is
// `dev:<employee number>`, which the demo's WeChat stand-in accepts and real WeChat refuses.
async function signIn(bind) {
  const dev = wx.getStorageSync('jixiao.devEmployee')
  const code = dev ? `dev:${dev}` : await wxLogin()
  const answer = await request('POST', '/auth/login', Object.assign({ code }, bind || {}))
  wx.setStorageSync(TOKEN_KEY, answer.token)
  return answer.me
}

// Pages call this first: signed in already, or silently now; a person not yet bound is sent to
// the login page (which asks for the HR bind code) and the page stops.
async function ensureSignedIn() {
  if (token()) return true
  try {
    await signIn()
    return true
  } catch (error) {
    if (error.code === 'not_bound') {
      wx.redirectTo({ url: '/pages/login/index' })
      return false
    }
    throw error
  }
}

module.exports = { request, upload, signIn, ensureSignedIn, ApiError, newKey, TOKEN_KEY }
