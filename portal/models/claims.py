"""Payment-by-results claims: windows, claims, lines with their snapshots, the sample, decisions.

Every table here except ClaimPhaseLock is append-only (append_only.py): a line
leaving a claim, a changed decision, a widened sample, an approval, a submission
and a withdrawal are each a new row, so what was claimed, and why, can always be
shown again.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .families import Family
from .people import User
from .types import UTCDateTime, utcnow

CLAIM_TYPES = {
    "significant_and_sustained": "Significant and sustained progress",
    "continuous_employment": "Continuous employment",
}
DECISIONS = {"verified": "Verified", "rejected": "Rejected", "queried": "Queried"}
REJECTION_REASONS = {
    "not_eligible": "The family was not eligible",
    "no_whole_family": "No whole-family approach (lead professional, assessment and plan)",
    "outcome_not_met": "The claim does not qualify under the plan",
    "evidence_insufficient": "The evidence does not show the outcome",
    "not_attributable": "The result is not attributable to the work with the family",
    "not_sustained": "The progress was not sustained",
    "double_claim": "The family has been claimed for already",
    "other": "Another reason (say in the note)",
}
EXIT_KINDS = {"removed": "Removed from the draft", "withdrawn": "Withdrawn (clawback)"}


class ClaimWindow(db.Model):
    """A claim round: its date, the plans (as stored text) it decides with, and its audit settings."""

    __tablename__ = "claim_window"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    claim_date: Mapped[date] = mapped_column(sa.Date)
    phase: Mapped[str] = mapped_column(sa.String(100))
    tolerance_percent: Mapped[int] = mapped_column()
    sample_percent: Mapped[int] = mapped_column()
    sample_minimum: Mapped[int] = mapped_column()
    minimum_intervention_days: Mapped[int] = mapped_column()
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    created_by: Mapped[User] = relationship()
    plans: Mapped[list["ClaimWindowPlan"]] = relationship(order_by="ClaimWindowPlan.plan_id")

    @property
    def plan_ids(self) -> list[str]:
        return [p.plan_id for p in self.plans]


class ClaimWindowPlan(db.Model):
    """The exact plan file (and tools.yaml) a window decides with: later edits of the file change nothing here."""

    __tablename__ = "claim_window_plan"
    __table_args__ = (sa.UniqueConstraint("window_id", "plan_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(sa.ForeignKey("claim_window.id"), index=True)
    plan_id: Mapped[str] = mapped_column(sa.String(100))
    title: Mapped[str] = mapped_column(sa.Text)
    version: Mapped[str] = mapped_column(sa.String(100))
    plan_sha256: Mapped[str] = mapped_column(sa.String(64))
    plan_text: Mapped[str] = mapped_column(sa.Text)
    tools_sha256: Mapped[str] = mapped_column(sa.String(64))
    tools_text: Mapped[str] = mapped_column(sa.Text)


class ClaimPhaseLock(db.Model):
    """One row per programme phase, updated first by every change that could make a double claim.

    The update serialises those changes per phase on both databases, so two
    people adding the same family to two claims at once cannot both succeed.
    """

    __tablename__ = "claim_phase_lock"

    phase: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    counter: Mapped[int] = mapped_column(default=0)


class Claim(db.Model):
    __tablename__ = "claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(sa.ForeignKey("claim_window.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    window: Mapped[ClaimWindow] = relationship()
    created_by: Mapped[User] = relationship()
    lines: Mapped[list["ClaimLine"]] = relationship(order_by="ClaimLine.id", back_populates="claim")
    samples: Mapped[list["ClaimSample"]] = relationship(order_by="ClaimSample.sequence")
    approval: Mapped["ClaimApproval | None"] = relationship(uselist=False)
    submission: Mapped["ClaimSubmission | None"] = relationship(uselist=False)

    @property
    def label(self) -> str:
        return f"claim {self.id} ({self.window.name})"

    @property
    def status(self) -> str:
        if self.submission is not None:
            return "submitted"
        if self.approval is not None:
            return "approved"
        return "draft"

    @property
    def sample(self) -> "ClaimSample | None":
        return self.samples[-1] if self.samples else None


class ClaimLine(db.Model):
    """One family in a claim, with the snapshot it was claimed on (never changed)."""

    __tablename__ = "claim_line"
    __table_args__ = (sa.UniqueConstraint("claim_id", "family_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(sa.ForeignKey("claim.id"), index=True)
    family_id: Mapped[int] = mapped_column(sa.ForeignKey("family.id"), index=True)
    family_ref: Mapped[str] = mapped_column(sa.String(40))
    plan_id: Mapped[str] = mapped_column(sa.String(100))
    claim_type: Mapped[str] = mapped_column(sa.String(40))
    lead_professional_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    identified_on: Mapped[date | None] = mapped_column(sa.Date)
    engaged_on: Mapped[date | None] = mapped_column(sa.Date)
    closed_on: Mapped[date | None] = mapped_column(sa.Date)
    # The case as the engine read it (accepted evidence only), the verdict as of
    # the claim date, the evidence items and versions relied on, and the flags.
    case_snapshot: Mapped[dict] = mapped_column(sa.JSON)
    verdict: Mapped[dict] = mapped_column(sa.JSON)
    evidence: Mapped[list] = mapped_column(sa.JSON)
    flags: Mapped[list] = mapped_column(sa.JSON)
    # sha256 over the plan file's hash, the case and the verdict (claims/snapshot.py).
    snapshot_hash: Mapped[str] = mapped_column(sa.String(64))
    added_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    claim: Mapped[Claim] = relationship(back_populates="lines")
    family: Mapped[Family] = relationship()
    added_by: Mapped[User] = relationship(foreign_keys=[added_by_id])
    lead_professional: Mapped[User] = relationship(foreign_keys=[lead_professional_id])
    decisions: Mapped[list["LineDecision"]] = relationship(order_by="LineDecision.sequence", back_populates="line")
    exit: Mapped["ClaimLineExit | None"] = relationship(uselist=False)

    @property
    def decision(self) -> "LineDecision | None":
        return self.decisions[-1] if self.decisions else None


class ClaimLineMember(db.Model):
    """A member of a claimed family (name and date of birth), to refuse the same person in another claim."""

    __tablename__ = "claim_line_member"
    __table_args__ = (sa.Index("ix_claim_line_member_person", "name_key", "date_of_birth"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(sa.ForeignKey("claim_line.id"), index=True)
    name_key: Mapped[str] = mapped_column(sa.String(200))
    date_of_birth: Mapped[date] = mapped_column(sa.Date)


class ClaimLineExit(db.Model):
    """A line leaves its claim: removed from a draft, or withdrawn after submission (the clawback ledger)."""

    __tablename__ = "claim_line_exit"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(sa.ForeignKey("claim_line.id"), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    reason: Mapped[str] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    recorded_by: Mapped[User] = relationship()


class ClaimSample(db.Model):
    """An audit sample as drawn: seed and size decide it; a redraw or widening is the next sequence."""

    __tablename__ = "claim_sample"
    __table_args__ = (sa.UniqueConstraint("claim_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(sa.ForeignKey("claim.id"), index=True)
    sequence: Mapped[int] = mapped_column()
    seed: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column()
    population: Mapped[list] = mapped_column(sa.JSON)  # line ids the sample was drawn from
    flagged: Mapped[list] = mapped_column(sa.JSON)  # of those, the flagged ones (always in)
    chosen: Mapped[list] = mapped_column(sa.JSON)  # line ids in the sample
    kind: Mapped[str] = mapped_column(sa.String(20))  # drawn, redrawn, widened, changed (sampling.add_changed)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    drawn_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    drawn_by: Mapped[User] = relationship()


class LineDecision(db.Model):
    """A verifier's decision on a sampled line; a changed decision is the next sequence, naming this one."""

    __tablename__ = "claim_line_decision"
    __table_args__ = (sa.UniqueConstraint("line_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(sa.ForeignKey("claim_line.id"), index=True)
    sequence: Mapped[int] = mapped_column()
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("claim_line_decision.id"), unique=True)
    decision: Mapped[str] = mapped_column(sa.String(20))
    reason_code: Mapped[str | None] = mapped_column(sa.String(40))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    decided_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    line: Mapped[ClaimLine] = relationship(back_populates="decisions")
    decided_by: Mapped[User] = relationship()
    answer: Mapped["QueryAnswer | None"] = relationship(uselist=False)


class QueryAnswer(db.Model):
    """The lead professional's answer to a query, given on the family page."""

    __tablename__ = "claim_query_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(sa.ForeignKey("claim_line_decision.id"), unique=True)
    answer: Mapped[str] = mapped_column(sa.Text)
    answered_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    answered_by: Mapped[User] = relationship()


class ClaimApproval(db.Model):
    __tablename__ = "claim_approval"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(sa.ForeignKey("claim.id"), unique=True)
    approved_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    approved_by: Mapped[User] = relationship()


class ClaimSubmission(db.Model):
    __tablename__ = "claim_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(sa.ForeignKey("claim.id"), unique=True)
    submitted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    submitted_by: Mapped[User] = relationship()


class ClaimFile(db.Model):
    """A file built for a submitted claim (the CSV, the ZIP); a rebuild is a new row."""

    __tablename__ = "claim_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(sa.ForeignKey("claim.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # csv, zip
    path: Mapped[str] = mapped_column(sa.Text)  # relative to the claim files folder (claims/files.py)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
