"""A request id for every request, and JSON logs on stdout.

- The id comes from the proxy's `X-Request-Id` header when it is a plain token
  (letters, digits, `.`, `_`, `-`, at most 64), else a new random one. It is
  sent back in `X-Request-Id`, written on every log line of the request and on
  every audit row the request adds (AuditEvent.request_id), and shown on the 500
  page as a reference, so a user's report, a log line and an audit row meet.
- With JSON_LOGS (production), every log line is one JSON object on stdout,
  including one line per request (method, path, status, duration, user).
"""

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import g, has_request_context, request

HEADER = "X-Request-Id"
_TOKEN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
requests_log = logging.getLogger("portal.request")


def init_app(app):
    app.before_request(_start)
    app.after_request(_finish)
    if app.config.get("JSON_LOGS"):
        use_json_logs()
        from flask.logging import default_handler

        app.logger.removeHandler(default_handler)


def _start():
    given = request.headers.get(HEADER, "")
    g.request_id = given if _TOKEN.match(given) else uuid.uuid4().hex
    g.request_started = time.monotonic()


def _finish(response):
    response.headers[HEADER] = g.get("request_id", "")
    if request.endpoint != "static":
        from flask_login import current_user

        started = g.get("request_started", time.monotonic())
        requests_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
                "user_id": current_user.id if current_user.is_authenticated else None,
            },
        )
    return response


class JsonFormatter(logging.Formatter):
    FIELDS = ("method", "path", "status", "duration_ms", "user_id")

    def format(self, record):
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is None and has_request_context():
            request_id = g.get("request_id")
        if request_id:
            line["request_id"] = request_id
        for name in self.FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def use_json_logs(stream=None):
    """One JSON handler on the root logger (replacing an earlier one of ours)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_portal_json", False):
            root.removeHandler(handler)
        elif stream is None and isinstance(handler.formatter, JsonFormatter):
            return handler  # under gunicorn: its logging config already writes JSON to stdout
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter())
    handler._portal_json = True
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler


# gunicorn's own lines (started, worker booted, ...) in the same JSON (scripts/serve).
GUNICORN_LOGCONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "portal.requestlog.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}},
    "root": {"level": "INFO", "handlers": ["stdout"]},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": "INFO", "propagate": False, "qualname": "gunicorn.error"},
        "gunicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False, "qualname": "gunicorn.access"},
    },
}
