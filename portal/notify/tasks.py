"""The worker's side of notifications, registered on the jobs queue (portal/jobs/queue.py).

- on demand: deliver the messages a request saved (`deliver_later`, after its response);
- each minute: deliver what is still pending (GOV.UK Notify was down, the queue could
  not be reached, or a process stopped before delivering);
- each hour at 5 past: if it is NOTIFY_DIGEST_HOUR in the UK now, send the digests.
"""

from huey import crontab

from ..models.types import utcnow
from ..uktime import uk_time

DELIVER = "portal.notify.deliver"  # the task's name; app.extensions[DELIVER]: each queue's task


def deliver_later(app, notification_ids: list[int]) -> None:
    """Hand these saved messages to the jobs worker: one task, carrying only their ids."""
    from ..jobs.queue import queue_for

    huey = queue_for(app).huey  # built on first use, which registers the task below on it
    app.extensions[DELIVER][huey](list(notification_ids))


def register_tasks(huey, app):
    from . import delivery, digest

    @huey.task(name=DELIVER)
    def notify_deliver(notification_ids):
        delivery.deliver_all(app, [(notification_id, None) for notification_id in notification_ids])

    # Keyed by queue: registering on another huey (a test's) does not redirect the app's e-mail.
    app.extensions.setdefault(DELIVER, {})[huey] = notify_deliver

    @huey.periodic_task(crontab(minute="*"), name="portal.notify.sweep")
    def notify_sweep():
        delivery.sweep(app)

    @huey.periodic_task(crontab(minute="5"), name="portal.notify.digests")
    def notify_digests():
        if uk_time(utcnow()).hour == int(app.config["NOTIFY_DIGEST_HOUR"]):
            digest.send_digests(app)

    return notify_deliver, notify_sweep, notify_digests
