"""gunicorn settings for scripts/serve; PORT and WEB_CONCURRENCY come from the environment."""

import os

from portal.requestlog import GUNICORN_LOGCONFIG

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Requests are logged by the portal itself, as JSON with the request id (portal/requestlog.py).
accesslog = None
errorlog = "-"
logconfig_dict = GUNICORN_LOGCONFIG
# Behind a proxy that terminates TLS (docs/operations.md); slow PDF exports need more than 30s.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
