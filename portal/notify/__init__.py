"""E-mail notifications: notify(kind, user, family, link) in the caller's transaction (docs/notifications.md).

GOV.UK Notify in production, an outbox table in development and tests; the
admin's outbox page; each user's choice of a daily digest; the worker's
retries and digests; `flask --app portal notify send-digests`.
"""

from flask import Blueprint

from ..jobs.queue import PERIODIC_TASKS
from .service import link_to, notify
from .tasks import register_tasks

if register_tasks not in PERIODIC_TASKS:
    PERIODIC_TASKS.append(register_tasks)  # e-mail retries and daily digests on the jobs worker

bp = Blueprint("notify", __name__)

__all__ = ["bp", "init_app", "link_to", "notify"]


def init_app(app):
    from . import service
    from .cli import notify_cli

    service.init_app(app)
    app.cli.add_command(notify_cli)
    if app.config["NOTIFY_BACKEND"] == "notify" and not app.config["NOTIFY_API_KEY"]:
        raise RuntimeError("NOTIFY_BACKEND=notify needs NOTIFY_API_KEY (docs/notifications.md)")


from . import views  # noqa: F401
