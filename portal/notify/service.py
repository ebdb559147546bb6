"""notify(): an e-mail to a user, saved in the outbox in the caller's transaction.

The row is added to the session and saved by the caller's own commit, with the
change it is about: a change rolled back sends nothing. Delivery never runs
inside the request's work: after the commit the row's id is noted, and once the
response has gone to the browser (`call_on_close`) it is handed to the jobs worker
(`portal.notify.deliver`, one task carrying the ids), so no web worker waits for
GOV.UK Notify. Only a message with a secret link (a password reset) is delivered
by the web process itself, after the response: the link is never stored, in the
table or in the queue. Outside a request (a command, the worker) it is delivered
at once. Whatever is still pending after that (GOV.UK Notify was down, the queue
could not be reached, the process stopped) is delivered by the worker's sweep
(portal/notify/delivery.py). A failure is logged and kept on the row; it never
reaches the user who triggered it.
"""

import logging

from flask import current_app, g, has_request_context, url_for
from sqlalchemy import event

from ..extensions import db
from ..models import Notification
from .messages import KINDS, WITHHELD_LINK, render

log = logging.getLogger(__name__)

_NEW = "notify_new"  # session.info: rows added in this transaction
_DONE = "notify_committed"  # session.info: (id, secret link or None) flushed in this transaction


def link_to(endpoint: str, **values) -> str:
    """An absolute link for a message: SERVICE_URL + the portal's path (never the request's host)."""
    return current_app.config["SERVICE_URL"].rstrip("/") + url_for(endpoint, **values)


def notify(kind: str, user, family=None, link: str = "", secret_link: str = "") -> Notification | None:
    """Add the e-mail of `kind` for `user` to the session; the caller commits.

    `link` is an absolute link to the page to act on (link_to(...)); `secret_link`
    instead for a link that must not be stored (a reset link). None for a user
    who cannot receive it (deactivated).
    """
    definition = KINDS[kind]
    if user is None or not user.active:
        return None
    family_ref = family.ref if family is not None else ""
    stored_link = WITHHELD_LINK if secret_link else link
    subject, body = render(definition, current_app.config["SERVICE_NAME"], family_ref, stored_link)
    held = definition.digestible and bool(user.notify_digest)
    row = Notification(
        kind=kind,
        user_id=user.id,
        email=user.email,
        family_ref=family_ref,
        link="" if secret_link else link,
        subject=subject,
        body=body,
        status="held" if held else "pending",
    )
    db.session.add(row)
    if not held:
        db.session.info.setdefault(_NEW, []).append((row, secret_link or None))
    return row


def init_app(app):
    from flask_sqlalchemy.session import Session

    if not getattr(Session, "_portal_notify_events", False):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        Session._portal_notify_events = True
    app.after_request(_deliver_after_response)


def _after_flush(session, _context):
    new = session.info.get(_NEW)
    if not new:
        return
    keep = []
    for row, secret in new:
        if row.id is not None:
            session.info.setdefault(_DONE, []).append((row.id, secret))
        else:
            keep.append((row, secret))
    session.info[_NEW] = keep


def _after_rollback(session):
    session.info.pop(_NEW, None)
    session.info.pop(_DONE, None)


def _after_commit(session):
    done = session.info.pop(_DONE, None)
    session.info.pop(_NEW, None)
    if not done:
        return
    if has_request_context():
        g.setdefault("notify_after_response", []).extend(done)
        return
    _deliver_all(current_app._get_current_object(), done)


def _deliver_after_response(response):
    waiting = g.pop("notify_after_response", None)
    if waiting:
        app = current_app._get_current_object()
        response.call_on_close(lambda: _hand_over(app, waiting))
    return response


def _hand_over(app, items):
    """After the response: the worker delivers (a web worker never waits for GOV.UK Notify);
    a secret link exists only in this process, so its message is delivered here."""
    secret = [(notification_id, link) for notification_id, link in items if link]
    queued = [notification_id for notification_id, link in items if not link]
    if queued:
        from .tasks import deliver_later

        try:
            deliver_later(app, queued)
        except Exception:  # the queue is unreachable: the rows stay pending for the sweep
            log.exception("notifications %s: not queued; the worker's sweep sends them", queued)
    if secret:
        _deliver_all(app, secret)


def _deliver_all(app, items):
    from .delivery import deliver_all

    deliver_all(app, items)
