// 登录/绑定: a bound person is signed in silently and goes on to the home page; the first time,
// the page asks for the employee number and the 8-digit bind code HR issued.
const api = require('../../utils/api')

const CODE = /^\d{8}$/

Component({
  data: { asking: false, employeeNo: '', bindCode: '', errors: {}, error: '', busy: false },
  methods: {
    async onLoad() {
      wx.removeStorageSync(api.TOKEN_KEY)
      try {
        await api.signIn()
        wx.reLaunch({ url: '/pages/home/index' })
      } catch (error) {
        this.setData({ asking: true, error: error.code === 'not_bound' ? '' : error.message })
      }
    },
    onEmployeeNo(event) {
      this.setData({ employeeNo: event.detail.trim(), 'errors.employeeNo': '' })
    },
    onBindCode(event) {
      const value = event.detail.trim()
      this.setData({ bindCode: value, 'errors.bindCode': value && !/^\d*$/.test(value) ? '绑定码只含数字' : '' })
    },
    check() {
      const errors = {}
      if (!this.data.employeeNo) errors.employeeNo = '请输入工号'
      if (!CODE.test(this.data.bindCode)) errors.bindCode = '绑定码是8位数字'
      this.setData({ errors })
      return !errors.employeeNo && !errors.bindCode
    },
    async bind() {
      if (this.data.busy || !this.check()) return
      this.setData({ busy: true, error: '' })
      try {
        await api.signIn({ employee_no: this.data.employeeNo, bind_code: this.data.bindCode })
        wx.reLaunch({ url: '/pages/home/index' })
      } catch (error) {
        this.setData({ error: error.message })
      } finally {
        this.setData({ busy: false })
      }
    },
  },
})
