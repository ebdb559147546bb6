"""The worker's side of notifications, registered on the jobs queue (portal/jobs/queue.py).

- each minute: deliver what is still pending (GOV.UK Notify was down, or the
  web process stopped before its after-response delivery);
- each hour at 5 past: if it is NOTIFY_DIGEST_HOUR in the UK now, send the digests.
"""

from huey import crontab

from ..models.types import utcnow
from ..uktime import uk_time


def register_tasks(huey, app):
    from . import delivery, digest

    @huey.periodic_task(crontab(minute="*"), name="portal.notify.sweep")
    def notify_sweep():
        delivery.sweep(app)

    @huey.periodic_task(crontab(minute="5"), name="portal.notify.digests")
    def notify_digests():
        if uk_time(utcnow()).hour == int(app.config["NOTIFY_DIGEST_HOUR"]):
            digest.send_digests(app)

    return notify_sweep, notify_digests
