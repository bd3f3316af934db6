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

module.exports = { localTime, percent }
