// What the person types for an item, checked as they type and turned into what the API takes.
// `entry` comes from the API (display: percent | money | ratio | number; two_parts for rates).

const DECIMAL = /^\d+(\.\d{0,4})?$/
const MONEY = /^\d+(\.\d{0,2})?$/

// One typed value → an error message in Chinese, or '' when it is fine (empty is fine: optional).
function check(entry, value, part) {
  const text = String(value || '').trim()
  if (!text) return ''
  if (entry.two_parts) return DECIMAL.test(text) ? '' : `${entry.parts[part === 'denominator' ? 1 : 0]}请填数字`
  if (entry.display === 'money') return MONEY.test(text) ? '' : '金额最多两位小数'
  if (entry.display === 'percent') {
    if (!DECIMAL.test(text)) return '请填数字，如 98.5'
    return Number(text) > 100 ? '百分比不能超过100' : ''
  }
  return DECIMAL.test(text) ? '' : '请填数字'
}

// Both parts of a rate together: the completed count cannot exceed the total, the total not 0.
function checkPair(numerator, denominator) {
  if (!numerator && !denominator) return ''
  if (!numerator || !denominator) return '两项都要填'
  return Number(denominator) === 0 ? '第二项不能为0' : ''
}

// The API's figure for one item: {numerator, denominator?}; a percent typed as 98.5 is 0.985.
function toFigure(entry, numerator, denominator) {
  if (entry.two_parts) return { numerator: String(numerator).trim(), denominator: String(denominator).trim() }
  const text = String(numerator).trim()
  if (entry.display === 'percent') return { numerator: String(Number((Number(text) / 100).toFixed(6))) }
  return { numerator: text }
}

// What to show in an input for a stored figure (the reverse of toFigure).
function fromFigure(entry, figure) {
  if (!figure) return { numerator: '', denominator: '' }
  if (entry.two_parts) return { numerator: figure.numerator, denominator: figure.denominator || '' }
  if (entry.display === 'percent') return { numerator: String(Number((Number(figure.numerator) * 100).toFixed(4))), denominator: '' }
  return { numerator: figure.numerator, denominator: '' }
}

const PLACEHOLDER = { percent: '如 98.5（%）', money: '金额', ratio: '如 3.2', number: '数量' }

function placeholder(entry) {
  return entry.two_parts ? '' : PLACEHOLDER[entry.display] || '数值'
}

module.exports = { check, checkPair, toFigure, fromFigure, placeholder }
