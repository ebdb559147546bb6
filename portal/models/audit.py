"""The audit log: who did or saw what, to which family, when (UTC)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # Copied, not only linked: the log must still say who it was after a
    # user's name, role or agency changes.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    user_email: Mapped[str] = mapped_column(sa.String(320), default="")
    user_role: Mapped[str] = mapped_column(sa.String(30), default="")
    agency_name: Mapped[str] = mapped_column(sa.String(200), default="")
    # e.g. "sign-in", "family.read", "evidence.submit"
    action: Mapped[str] = mapped_column(sa.String(60))
    family_id: Mapped[int | None] = mapped_column(sa.ForeignKey("family.id"), index=True)
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    # The request that did it (X-Request-Id, also in the JSON logs), so a log
    # line and an audit row can be matched.
    request_id: Mapped[str] = mapped_column(sa.String(64), default="", server_default=sa.text("''"))
