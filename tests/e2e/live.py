"""The app the browser is talking to, for helpers that read its database (a TOTP code not yet used)."""

LIVE = {}
