"""Evidence submitted by partners, and the lead professional's reviews of it.

Both are append-only (see append_only.py): a correction is a new Evidence row
that names the one it replaces, and an acceptance or return is a new Review,
at most one per version.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from ..extensions import db
from .people import Agency, User
from .types import UTCDateTime, utcnow

DECISIONS = {"accepted": "Accepted", "returned": "Returned"}


class Evidence(db.Model):
    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(sa.ForeignKey("family.id"), index=True)
    outcome_id: Mapped[str] = mapped_column(sa.String(40))
    # For outcomes that can be shown several ways (the plan's any_of options).
    option: Mapped[str | None] = mapped_column(sa.String(60))
    # Family member ids (Member.id) the evidence is about; empty for the family.
    member_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    source: Mapped[str] = mapped_column(sa.Text)
    period_start: Mapped[date] = mapped_column(sa.Date)
    period_end: Mapped[date] = mapped_column(sa.Date)
    # What the outcome's measure needs, keyed as in docs/plan-format.md.
    values: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    statement: Mapped[str] = mapped_column(sa.Text)
    submitted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A correction names the version it replaces; unique, so a version is
    # corrected at most once and the versions form a single line.
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("evidence.id"), unique=True)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    submitted_by: Mapped[User] = relationship()
    agency: Mapped[Agency | None] = relationship()
    replaces: Mapped["Evidence | None"] = relationship(remote_side=[id], foreign_keys=[replaces_id])
    reviews: Mapped[list["Review"]] = relationship(order_by="Review.id", back_populates="evidence")
    replaced_by: Mapped["Evidence | None"] = relationship(
        foreign_keys=[replaces_id], back_populates="replaces", uselist=False, viewonly=True
    )

    @staticmethod
    def with_status():
        """Loader options for a query of many rows: what `status` reads, in two queries for all of them."""
        return selectinload(Evidence.reviews), selectinload(Evidence.replaced_by)

    @property
    def latest_review(self) -> "Review | None":
        return self.reviews[-1] if self.reviews else None

    @property
    def status(self) -> str:
        """submitted, accepted, returned or superseded (as the rules engine reads it)."""
        if self.replaced_by is not None:
            return "superseded"
        review = self.latest_review
        return review.decision if review else "submitted"

    @property
    def history(self) -> list["Evidence"]:
        """This version and every earlier one, newest first."""
        versions, current = [], self
        while current is not None:
            versions.append(current)
            current = current.replaces
        return versions


class Review(db.Model):
    __tablename__ = "evidence_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One decision per version, enforced by the database: two reviewers pressing
    # the button at once cannot both be stored (docs/security.md, "Segregation of duties").
    evidence_id: Mapped[int] = mapped_column(sa.ForeignKey("evidence.id"), index=True, unique=True)
    decision: Mapped[str] = mapped_column(sa.String(20))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    reviewed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    evidence: Mapped[Evidence] = relationship(back_populates="reviews")
    reviewed_by: Mapped[User] = relationship()
