// The mini-program's entry: pages sign in themselves (utils/api.js ensureSignedIn).
App({})
