"""Delivering a notification: GOV.UK Notify in production, the outbox otherwise.

One small interface, `Backend.send(message) -> provider reference`:

- `NotifyBackend`: GOV.UK Notify through its official client
  (`notifications-python-client`), with the API key from NOTIFY_API_KEY and one
  template per kind (NOTIFY_TEMPLATE_<KIND>, docs/notifications.md).
- `OutboxBackend` (development and tests): nothing leaves the machine. The row
  in the `notification` table is the e-mail (admins read it on /admin/outbox);
  a secret link, which the table never holds, is kept in this process only
  (`sent_here`, for tests) and, in development, written to the log so that the
  demo's "Forgotten your password?" can be followed.

Every change of a row's state is one conditional UPDATE on its own connection
(`WHERE status = 'pending'`), so a row is claimed by one deliverer even when two
meet: the worker's task for a request's messages (or, for a secret link, the web
process after the response) and the worker's sweep.
"""

import datetime as dt
import logging
from collections import deque
from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from ..models import Notification
from ..models.types import utcnow
from .messages import KINDS, WITHHELD_LINK

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
LINK_NOT_KEPT = "the link was a secret and is not kept: the user can ask for a new one"


@dataclass(frozen=True)
class Message:
    id: int
    kind: str
    email: str
    subject: str
    body: str
    personalisation: dict


class OutboxBackend:
    name = "outbox"

    def __init__(self, app):
        self.app = app
        # (email, subject, body with any secret link) of messages sent by this process.
        self.sent_here = deque(maxlen=200)

    def send(self, message: Message) -> str:
        self.sent_here.append((message.email, message.subject, message.body))
        if self.app.debug and KINDS[message.kind].secret_link:
            log.warning("development outbox: %s for %s:\n%s", message.kind, message.email, message.body)
        return "outbox"


class NotifyBackend:
    name = "notify"

    def __init__(self, app):
        from notifications_python_client.notifications import NotificationsAPIClient

        self.client = NotificationsAPIClient(
            app.config["NOTIFY_API_KEY"], base_url=app.config["NOTIFY_BASE_URL"], timeout=10
        )
        self.templates = app.config["NOTIFY_TEMPLATE_IDS"]

    def send(self, message: Message) -> str:
        template_id = self.templates.get(message.kind)
        if not template_id:
            raise RuntimeError(f"no GOV.UK Notify template id for {message.kind} (NOTIFY_TEMPLATE_*)")
        answer = self.client.send_email_notification(
            email_address=message.email,
            template_id=template_id,
            personalisation=message.personalisation,
            reference=f"portal-{message.id}",
        )
        return str(answer.get("id", ""))[:64]


def backend(app):
    found = app.extensions.get("portal_notify")
    if found is None:
        kind = app.config["NOTIFY_BACKEND"]
        found = app.extensions["portal_notify"] = (NotifyBackend if kind == "notify" else OutboxBackend)(app)
    return found


def deliver(app, notification_id: int, secret_link: str | None = None) -> str:
    """Send one pending notification; returns its new status (or 'skipped' if not pending)."""
    with app.app_context():
        with db.engine.begin() as conn:
            row = (
                conn.execute(
                    sa.select(Notification.__table__).where(
                        Notification.id == notification_id, Notification.status == "pending"
                    )
                )
                .mappings()
                .first()
            )
            if row is None:
                return "skipped"
            claimed = conn.execute(
                sa.update(Notification)
                .where(
                    Notification.id == notification_id,
                    Notification.status == "pending",
                    Notification.attempts == row["attempts"],
                )
                .values(attempts=row["attempts"] + 1)
            )
            if claimed.rowcount != 1:
                return "skipped"
        kind = KINDS[row["kind"]]
        if kind.secret_link and not secret_link:
            return _finish(notification_id, "failed", error=LINK_NOT_KEPT)
        body, link = row["body"], row["link"]
        if secret_link:
            body, link = body.replace(WITHHELD_LINK, secret_link), secret_link
        personalisation = {"service": app.config["SERVICE_NAME"], "family_ref": row["family_ref"], "link": link}
        if row["kind"] == "digest":
            personalisation.update(_digest_personalisation(row["body"]))
        message = Message(row["id"], row["kind"], row["email"], row["subject"], body, personalisation)
        try:
            reference = backend(app).send(message)
        except Exception as error:
            log.exception("notification %s (%s) not delivered", notification_id, row["kind"])
            last = row["attempts"] + 1 >= MAX_ATTEMPTS or kind.secret_link
            return _finish(
                notification_id, "failed" if last else "pending", error=f"{type(error).__name__}"[:300], sent=False
            )
        return _finish(notification_id, "sent", provider_ref=reference)


def _digest_personalisation(body: str) -> dict:
    items = [line[2:] for line in body.splitlines() if line.startswith("* ")]
    return {"count": str(len(items)), "items": items}


def _finish(notification_id, status, error="", provider_ref="", sent=True) -> str:
    values = {"status": status, "error": error}
    if status == "sent":
        values.update(sent_at=utcnow(), provider_ref=provider_ref)
    with db.engine.begin() as conn:
        conn.execute(sa.update(Notification).where(Notification.id == notification_id).values(**values))
    return status


def deliver_all(app, items) -> None:
    """Deliver each (notification id, secret link or None) now, one failure not stopping the rest: the
    web process after a response, a command, the worker's task. A failure stays on the row for the sweep."""
    for notification_id, secret in items:
        try:
            deliver(app, notification_id, secret_link=secret)
        except Exception:  # never the user's problem: the row stays pending for the sweep
            log.exception("notification %s: delivery failed", notification_id)


def sweep(app, now=None, older_than=dt.timedelta(minutes=1)) -> list[int]:
    """The worker's retry: deliver rows still pending a minute after they were saved."""
    now = now or utcnow()
    with app.app_context():
        with db.engine.connect() as conn:
            ids = (
                conn.execute(
                    sa.select(Notification.id)
                    .where(Notification.status == "pending", Notification.created_at < now - older_than)
                    .order_by(Notification.id)
                    .limit(500)
                )
                .scalars()
                .all()
            )
        for notification_id in ids:
            try:
                deliver(app, notification_id)
            except Exception:
                log.exception("notification %s: delivery failed in the sweep", notification_id)
    return ids
