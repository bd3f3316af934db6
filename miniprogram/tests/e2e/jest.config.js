// The end-to-end run (tests/miniprogram/test_end_to_end.py starts the server and the worker first).
module.exports = { rootDir: '../..', testEnvironment: 'jsdom', roots: ['<rootDir>/tests/e2e'], testMatch: ['**/*.e2e.js'],
  testTimeout: 90000 }
