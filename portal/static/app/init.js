// Starts GOV.UK Frontend's components. Loaded as a module (deferred), so the
// page is parsed by the time it runs. The import path is relative to this file
// so the app can be served under a path prefix.
import { initAll } from '../govuk-frontend/govuk-frontend.min.js'
import { startTimeoutWarning } from './timeout-warning.js'
import { startLiveCheck } from './live-check.js'

initAll()
startTimeoutWarning(document)
startLiveCheck(document)
