// Subscribe-message prompts (订阅消息). WeChat shows the prompt only when wx.requestSubscribeMessage is
// called from a tap, so a page loads the person's quotas first (`load`) and calls `ask` at the very
// start of a tap handler, before anything it awaits. At most 3 templates per prompt: of the kinds
// the tap makes relevant, those with the fewest sends left come first.
const api = require('./api')

const MAX_PER_PROMPT = 3

async function load() {
  try {
    return (await api.request('GET', '/subscriptions')).subscriptions
  } catch (error) {
    return []  // no prompt is better than a failed page
  }
}

function pick(subscriptions, kinds) {
  return subscriptions
    .filter((s) => kinds.includes(s.kind))
    .sort((a, b) => a.left - b.left || kinds.indexOf(a.kind) - kinds.indexOf(b.kind))
    .slice(0, MAX_PER_PROMPT)
}

// Call first thing in a tap handler; records what the person accepted (one send each).
function ask(subscriptions, kinds) {
  const chosen = pick(subscriptions || [], kinds).map((s) => s.template_id)
  if (!chosen.length) return
  wx.requestSubscribeMessage({
    tmplIds: chosen,
    success(answer) {
      const accepted = chosen.filter((id) => answer[id] === 'accept')
      if (accepted.length) api.request('POST', '/subscriptions', { accepted }).catch(() => {})
    },
  })
}

module.exports = { load, ask, pick, MAX_PER_PROMPT }
