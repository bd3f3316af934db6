// Where the API lives. `make run` serves it on this machine; in WeChat DevTools set another base
// once with wx.setStorageSync('jixiao.apiBase', 'https://kpi.example.com/api/mp/v1').
const DEFAULT_API_BASE = 'http://127.0.0.1:8000/api/mp/v1'

function apiBase() {
  return wx.getStorageSync('jixiao.apiBase') || DEFAULT_API_BASE
}

module.exports = { apiBase, DEFAULT_API_BASE }
