// The evidence form's live check (templates/evidence/_check.html) is replaced
// as the partner types. It is not a live region: a screen reader would re-read
// the whole list on every update. Instead this says only what changed, briefly,
// in the polite live region #evidence-check-news (docs/accessibility.md).

export function startLiveCheck (doc) {
  const check = doc.getElementById('evidence-check')
  const news = doc.getElementById('evidence-check-news')
  if (!check || !news) return
  let before = readState(check)
  doc.body.addEventListener('htmx:afterSwap', (event) => {
    if (event.detail.target !== check) return
    const after = readState(check)
    const message = describeChange(before, after)
    before = after
    if (message) news.textContent = message
  })
}

function readState (check) {
  const state = check.querySelector('[data-check-problems]')
  if (!state) return { finding: '', problems: [] }
  let problems = []
  try {
    problems = JSON.parse(state.getAttribute('data-check-problems') || '[]')
  } catch (error) {
    problems = []
  }
  return { finding: state.getAttribute('data-check-finding') || '', problems }
}

export function describeChange (before, after) {
  const parts = []
  if (after.finding && after.finding !== before.finding) parts.push(after.finding + '.')
  const fixed = before.problems.filter((p) => !after.problems.includes(p))
  const added = after.problems.filter((p) => !before.problems.includes(p))
  if (fixed.length === 1) parts.push('Fixed: ' + fixed[0] + '.')
  if (fixed.length > 1) parts.push(fixed.length + ' problems fixed.')
  if (added.length === 1) parts.push('New problem: ' + added[0] + '.')
  if (added.length > 1) parts.push(added.length + ' new problems.')
  if (fixed.length || added.length) {
    const left = after.problems.length
    parts.push(left === 0 ? 'Nothing left to fix.' : left + (left === 1 ? ' problem' : ' problems') + ' still to fix.')
  }
  return parts.join(' ')
}
