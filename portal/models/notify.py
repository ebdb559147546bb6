"""E-mail notifications (the outbox) and forgotten-password resets (docs/notifications.md)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .people import User
from .types import UTCDateTime, utcnow

# pending: waiting for delivery after the commit (or the worker's sweep)
# held: waiting for the recipient's daily digest
# digested: went out inside a digest (digest_id names it)
# sent: handed to GOV.UK Notify, or kept in the outbox (development and tests)
# failed: gave up (the error says why, without case data)
STATUSES = ("pending", "held", "digested", "sent", "failed")


class Notification(db.Model):
    """One e-mail to one user. Its text holds a family reference and a link, never case data.

    A link that is itself a secret (a password reset) is never stored: `body`
    says it was withheld and only the delivery right after the commit has it.
    """

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(320))
    family_ref: Mapped[str] = mapped_column(sa.String(40), default="", server_default=sa.text("''"))
    link: Mapped[str] = mapped_column(sa.String(2000), default="", server_default=sa.text("''"))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    # GOV.UK Notify's id for the message, or "outbox" when kept in the database only.
    provider_ref: Mapped[str] = mapped_column(sa.String(64), default="", server_default=sa.text("''"))
    error: Mapped[str] = mapped_column(sa.String(300), default="", server_default=sa.text("''"))
    digest_id: Mapped[int | None] = mapped_column(sa.ForeignKey("notification.id"))

    user: Mapped[User] = relationship()


class PasswordReset(db.Model):
    """A user-requested reset link: single use, an hour long; only the token's sha256 is kept."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
