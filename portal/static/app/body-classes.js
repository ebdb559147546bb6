// Stands in for GOV.UK Frontend's inline <body> script, which our CSP
// (script-src 'self') blocks: see portal/templating.py. Loaded synchronously at
// the start of <body> so styles for JavaScript-enabled pages apply before paint.
// 'noModule' marks browsers that can run GOV.UK Frontend's ES module.
document.body.classList.add('js-enabled')
if ('noModule' in HTMLScriptElement.prototype) {
  document.body.classList.add('govuk-frontend-supported')
}
