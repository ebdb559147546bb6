// GOV.UK timeout warning: 2 minutes before the session ends (30 minutes idle, or 12 hours
// after sign-in), a modal dialog offers "Stay signed in". The dialog is a native <dialog>
// opened with showModal(), so focus stays inside it and Escape closes it; Escape and the
// button both keep the user signed in. Before it opens, and at the end, the server is asked
// how long is really left: another tab may have kept the session alive. At the end, a form
// the user changed but did not send is handed to the server to keep, and the page goes to
// sign-in; after signing in again, the form comes back filled in (portal/auth/kept_forms.py).

export function startTimeoutWarning (doc) {
  const dialog = doc.getElementById('timeout-warning')
  if (!dialog || typeof dialog.showModal !== 'function') return

  const data = dialog.dataset
  const warnBefore = Number(data.warnSeconds) * 1000
  const countdown = dialog.querySelector('[data-countdown]')
  const countdownWords = dialog.querySelector('[data-countdown-words]')
  const live = dialog.querySelector('[data-live]')
  const forms = Array.from(doc.querySelectorAll('main form[method="post" i]'))
  const initial = new Map(forms.map(form => [form, serialise(form)]))
  let endsAt = Date.now() + Number(data.secondsLeft) * 1000
  let timer = null
  let ticker = null

  function serialise (form) {
    return new URLSearchParams(new FormData(form)).toString()
  }

  function words (seconds) {
    if (seconds >= 60) {
      const minutes = Math.ceil(seconds / 60)
      return minutes === 1 ? '1 minute' : `${minutes} minutes`
    }
    return seconds === 1 ? '1 second' : `${seconds} seconds`
  }

  function later (ms, then) {
    clearTimeout(timer)
    timer = setTimeout(then, Math.max(ms, 0))
  }

  async function status () {
    try {
      const response = await fetch(data.statusUrl, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      return response.ok ? await response.json() : { signed_in: false, seconds_left: 0 }
    } catch (error) {
      return null // offline for a moment: trust the clock we have
    }
  }

  function schedule () {
    later(endsAt - warnBefore - Date.now(), beforeWarning)
  }

  async function beforeWarning () {
    const now = await status()
    if (now && !now.signed_in) return end()
    if (now) endsAt = Date.now() + now.seconds_left * 1000
    if (endsAt - Date.now() > warnBefore + 5000) return schedule()
    open()
  }

  function open () {
    if (!dialog.open) dialog.showModal()
    live.textContent = `You’re about to be signed out. We will sign you out in ${words(secondsLeft())}.`
    update()
    clearInterval(ticker)
    ticker = setInterval(update, 1000)
    later(endsAt - Date.now() + 2000, atEnd)
  }

  function close () {
    clearInterval(ticker)
    if (dialog.open) dialog.close()
  }

  function secondsLeft () {
    return Math.max(0, Math.round((endsAt - Date.now()) / 1000))
  }

  function update () {
    const left = secondsLeft()
    countdown.textContent = words(left)
    countdownWords.textContent = words(left)
    if (left === 60 || left === 20) live.textContent = `We will sign you out in ${words(left)}.`
  }

  async function stay () {
    try {
      const response = await fetch(dialog.querySelector('form[data-keep-alive]').action, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'X-CSRFToken': data.csrfToken, 'X-Requested-With': 'fetch', Accept: 'application/json' }
      })
      const answer = response.ok ? await response.json() : null
      if (!answer || !answer.signed_in) return end()
      endsAt = Date.now() + answer.seconds_left * 1000
    } catch (error) {
      return // stay open: the user can try again
    }
    close()
    schedule()
  }

  async function atEnd () {
    const now = await status()
    if (now && now.signed_in && now.seconds_left > 5) {
      endsAt = Date.now() + now.seconds_left * 1000
      close()
      return schedule()
    }
    end()
  }

  async function end () {
    close()
    const changed = forms.find(form => initial.get(form) !== serialise(form))
    if (changed) {
      const fields = new FormData(changed)
      fields.set('_kept_path', new URL(changed.action, window.location.href).pathname)
      try {
        await fetch(data.keepFormUrl, {
          method: 'POST', body: fields, credentials: 'same-origin', headers: { 'X-CSRFToken': data.csrfToken }
        })
      } catch (error) {}
    }
    const next = window.location.pathname + window.location.search
    window.location.assign(`${data.signInUrl}?timed_out=1&next=${encodeURIComponent(next)}`)
  }

  dialog.querySelector('form[data-keep-alive]').addEventListener('submit', event => {
    event.preventDefault()
    stay()
  })
  dialog.addEventListener('cancel', event => {
    event.preventDefault() // Escape: the same as "Stay signed in"
    stay()
  })
  schedule()
}
