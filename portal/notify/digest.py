"""The daily digest: a user who chose it gets one e-mail listing what needed them.

`send_digests()` runs from `flask --app portal notify send-digests` (cron) and
from the jobs worker once a day (NOTIFY_DIGEST_HOUR, UK time; portal/notify/tasks.py).
For each user with held messages it saves one `digest` notification and marks
those messages `digested` with a conditional UPDATE (`WHERE status = 'held'`), in
one transaction per user: two runs at once cannot send an item twice, as the
second run's UPDATE changes fewer rows than it read and it rolls its digest back.
"""

import itertools

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..models import Notification, User
from .delivery import deliver
from .messages import KINDS, render


def send_digests(app=None) -> list[int]:
    """Save and deliver one digest per user with held messages; returns the digests' ids."""
    app = app or current_app._get_current_object()
    made = []
    with app.app_context():
        held = db.session.execute(
            sa.select(Notification.id, Notification.user_id, Notification.subject, Notification.link)
            .where(Notification.status == "held")
            .order_by(Notification.user_id, Notification.id)
        ).all()
        db.session.rollback()
        for user_id, rows in itertools.groupby(held, key=lambda r: r.user_id):
            digest_id = _save_digest(app, user_id, list(rows))
            if digest_id:
                made.append(digest_id)
        db.session.remove()
    for digest_id in made:
        deliver(app, digest_id)
    return made


def _save_digest(app, user_id, rows):
    user = db.session.get(User, user_id)
    ids = [r.id for r in rows]
    if user is None or not user.active:
        db.session.execute(
            sa.update(Notification)
            .where(Notification.id.in_(ids), Notification.status == "held")
            .values(status="failed", error="account deactivated before the digest")
        )
        db.session.commit()
        return None
    items = "\n".join(f"* {r.subject}: {r.link}" for r in rows)
    link = app.config["SERVICE_URL"].rstrip("/") + "/home"
    subject, body = render(KINDS["digest"], app.config["SERVICE_NAME"], link=link, count=len(rows), items=items)
    digest = Notification(
        kind="digest", user_id=user.id, email=user.email, link=link, subject=subject, body=body, status="pending"
    )
    db.session.add(digest)
    db.session.flush()
    taken = db.session.execute(
        sa.update(Notification)
        .where(Notification.id.in_(ids), Notification.status == "held")
        .values(status="digested", digest_id=digest.id)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != len(ids):
        db.session.rollback()  # another run took some of them: it sends them
        return None
    # Committed on the session, but delivered by send_digests after every user is saved.
    db.session.info.pop("notify_new", None)
    db.session.commit()
    return digest.id
