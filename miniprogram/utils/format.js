// Small display helpers shared by pages (the API already formats figures: "22,000 USD", "完成22%").

// "2026-11-13T10:00" → "11月13日 10:00"
function localTime(iso) {
  if (!iso) return ''
  const [day, time] = iso.split('T')
  const [, month, date] = day.split('-')
  return `${Number(month)}月${Number(date)}日${time ? ` ${time.slice(0, 5)}` : ''}`
}

// "0.3667" → 36.67 (a width or a position in percent, clamped to the bar)
function percent(share) {
  if (share === null || share === undefined || share === '') return null
  return Math.max(0, Math.min(100, Math.round(Number(share) * 10000) / 100))
}

// Times the API gives in UTC without a zone ("2026-11-06T01:00:00", report windows, filed_at) → China
// time ("11月6日 09:00"); China keeps UTC+8 all year.
const CHINA = 8 * 3600 * 1000

function fromUtc(iso) {
  if (!iso) return ''
  const at = new Date(Date.parse(iso.endsWith('Z') ? iso : `${iso}Z`) + CHINA)
  const pad = (n) => String(n).padStart(2, '0')
  return `${at.getUTCMonth() + 1}月${at.getUTCDate()}日 ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}`
}

// What is left until a UTC deadline: "2天3小时", "5小时12分", or '' once it has passed.
function countdown(iso, now = Date.now()) {
  const left = Date.parse(iso.endsWith('Z') ? iso : `${iso}Z`) - now
  if (!(left > 0)) return ''
  const minutes = Math.floor(left / 60000)
  const days = Math.floor(minutes / 1440)
  const hours = Math.floor((minutes % 1440) / 60)
  return days ? `${days}天${hours}小时` : `${hours}小时${minutes % 60}分`
}

module.exports = { localTime, percent, fromUtc, countdown }
