"""Closure summaries as generated: one row per download, never changed (append-only).

The row keeps the verification code printed on the PDF and a snapshot of exactly
what the summary was built from (the family's records, the plan file's hash and
the date decided on), so /verify can say, months later, whether the records still
match and what changed since. Who generated it and when belong here, not in the
PDF, so the same records always give the same document (docs/closure-summary.md).
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .families import Family
from .people import User
from .types import UTCDateTime, utcnow


class ClosureSummary(db.Model):
    __tablename__ = "closure_summary"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Not unique: the same records give the same document and code; each download is a row.
    code: Mapped[str] = mapped_column(sa.String(12), index=True)
    family_id: Mapped[int] = mapped_column(sa.ForeignKey("family.id"), index=True)
    snapshot: Mapped[dict] = mapped_column(sa.JSON)
    plan_hash: Mapped[str] = mapped_column(sa.String(64))
    as_of: Mapped[date] = mapped_column(sa.Date)
    generated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    family: Mapped[Family] = relationship()
    generated_by: Mapped[User | None] = relationship()
