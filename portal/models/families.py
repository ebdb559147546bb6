"""A family's case: members, problems, essentials, team and closure.

Case facts are recorded as new rows. A member or problem recorded in error is
withdrawn (withdrawn_at set, with who and why), never deleted, so the history a
claim was decided on can always be rebuilt.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .people import Agency, User
from .types import UTCDateTime, utcnow

MEMBER_ROLES = {"parent": "Parent", "carer": "Carer", "child": "Child", "other_adult": "Other adult"}
ACTIVITIES = {
    "": "Not recorded",
    "education": "In education",
    "training": "In training",
    "employment": "In employment",
    "unemployed": "Not in education, employment or training",
    "none": "None",
}
STAGES = {"identification": "Identification", "engagement": "Engagement"}


class Family(db.Model):
    __tablename__ = "family"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # The plan the case started under; it never changes (frameworks/<plan_id>.yaml).
    plan_id: Mapped[str] = mapped_column(sa.String(100))
    lead_professional_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    engaged_on: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The council's own case-system id (EHM, Mosaic, ...), upper case; not unique: a lead
    # professional warned of a match may still go ahead (portal/families/matches.py).
    case_system_ref: Mapped[str | None] = mapped_column(sa.String(30), index=True)

    lead_professional: Mapped[User] = relationship()
    members: Mapped[list["Member"]] = relationship(back_populates="family", order_by="Member.id")
    problems: Mapped[list["IdentifiedProblem"]] = relationship(order_by="IdentifiedProblem.id")
    essentials: Mapped[list["EssentialRecord"]] = relationship(order_by="EssentialRecord.id")
    # Every choice and removal, oldest first; `plan_outcomes` is the plan as it stands.
    plan_outcome_history: Mapped[list["FamilyPlanOutcome"]] = relationship(order_by="FamilyPlanOutcome.id")
    team: Mapped[list["TeamMembership"]] = relationship(order_by="TeamMembership.id")
    closures: Mapped[list["CaseClosure"]] = relationship(order_by="CaseClosure.id")
    # Members who left the household, and withdrawals of those records, oldest first.
    departures: Mapped[list["MemberDeparture"]] = relationship(order_by="MemberDeparture.id")

    @property
    def current_members(self) -> list["Member"]:
        return [m for m in self.members if m.withdrawn_at is None]

    @property
    def left_household(self) -> dict[int, "MemberDeparture"]:
        """Member id -> the departure in force (the latest not withdrawn), for current members."""
        withdrawn = {row.withdraws_id for row in self.departures if row.withdraws_id is not None}
        current = {m.id for m in self.current_members}
        out = {}
        for row in self.departures:
            if row.withdraws_id is None and row.id not in withdrawn and row.member_id in current:
                out[row.member_id] = row
        return out

    @property
    def current_problems(self) -> list["IdentifiedProblem"]:
        return [p for p in self.problems if p.withdrawn_at is None]

    @property
    def plan_outcomes(self) -> list["FamilyPlanOutcome"]:
        """The outcomes in the family's plan now: each outcome's latest row, unless it removes it."""
        latest = {}
        for row in self.plan_outcome_history:
            if row.outcome_id not in latest or row.version > latest[row.outcome_id].version:
                latest[row.outcome_id] = row
        return sorted((row for row in latest.values() if not row.removed), key=lambda row: row.id)

    @property
    def removed_plan_outcomes(self) -> list["FamilyPlanOutcome"]:
        """Removals, oldest first (an outcome removed and chosen again is listed too: the history stays)."""
        return [row for row in self.plan_outcome_history if row.removed]

    @property
    def current_team(self) -> list["TeamMembership"]:
        return [t for t in self.team if t.ended_at is None]

    @property
    def closure(self) -> "CaseClosure | None":
        # The latest closure row is the one in force; earlier ones stay as history.
        return self.closures[-1] if self.closures else None

    @property
    def closed_on(self) -> date | None:
        closure = self.closure
        return closure.closed_on if closure and not closure.reopened else None

    def __repr__(self) -> str:
        return f"<Family {self.ref}>"


class Member(db.Model):
    __tablename__ = "family_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(sa.ForeignKey("family.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(20))
    date_of_birth: Mapped[date] = mapped_column(sa.Date)
    activity: Mapped[str] = mapped_column(sa.String(20), default="")
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_reason: Mapped[str | None] = mapped_column(sa.Text)

    family: Mapped[Family] = relationship(back_populates="members")

    @property
    def key(self) -> str:
        # The id the rules engine's case format uses for this member.
        return f"m{self.id}"

    @property
    def role_label(self) -> str:
        return MEMBER_ROLES.get(self.role, self.role)


class IdentifiedProblem(db.Model):
    __tablename__ = "identified_problem"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(sa.ForeignKey("family.id"), index=True)
    # Plan ids: problem (2022: headline) and indicator (2022: family need).
    problem_id: Mapped[str] = mapped_column(sa.String(40))
    indicator_id: Mapped[str] = mapped_column(sa.String(40))
    stage: Mapped[str] = mapped_column(sa.String(20))
    identified_on: Mapped[date] = mapped_column(sa.Date)
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("family_member.id"))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_reason: Mapped[str | None] = mapped_column(sa.Text)

    member: Mapped[Member | None] = relationship()


class EssentialRecord(db.Model):
    """One of the plan's essentials (lead professional, assessment, ...) is in place."""

    __tablename__ = "essential_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(sa.ForeignKey("family.id"), index=True)
    essential_id: Mapped[str] = mapped_column(sa.String(60))
    in_place_on: Mapped[date] = mapped_column(sa.Date)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FamilyPlanOutcome(db.Model):
    """An outcome chosen for, or removed from, the family's own plan (plans that decide on those,
    e.g. Suffolk).

    Append-only: each change of one outcome is a new row with the next version, so the plan a
    claim was decided on can be rebuilt. The latest version of each outcome says whether it is
    in the plan. (family, outcome, version) is unique: of two changes of one outcome made at
    the same moment, the second is refused rather than both kept.
    """

    __tablename__ = "family_plan_outcome"
    __table_args__ = (sa.UniqueConstraint("family_id", "outcome_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(sa.ForeignKey("family.id"), index=True)
    outcome_id: Mapped[str] = mapped_column(sa.String(40))
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # True: this row takes the outcome out of the plan, for `reason`.
    removed: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.text("false"))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    recorded_by: Mapped[User] = relationship()


class TeamMembership(db.Model):
    """A partner agency attached to the family's Team Around the Family."""

    __tablename__ = "team_membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(sa.ForeignKey("family.id"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    attached_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    agency: Mapped[Agency] = relationship()


class CaseClosure(db.Model):
    """The case was closed on a date (or, with reopened set, opened again)."""

    __tablename__ = "case_closure"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(sa.ForeignKey("family.id"), index=True)
    closed_on: Mapped[date | None] = mapped_column(sa.Date)
    reopened: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.text("false"))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


VERDICT_STATUSES = {
    "turned_around": "Turned around",
    "eligible": "Eligible, not yet turned around",
    "not_eligible": "Not eligible",
}


class FamilyVerdict(db.Model):
    """The family's verdict for `as_of` (today when written), kept so lists filter and sort by it.

    Not a record of its own: a copy of the rules engine's answer, rewritten in the same
    transaction as any change that could alter it, again when the date has moved on, and
    again when the plan file or the deciding code is not what it was decided on
    (portal/families/standing.py, docs/performance.md). So it is updated in place.
    """

    __tablename__ = "family_verdict"

    family_id: Mapped[int] = mapped_column(sa.ForeignKey("family.id"), primary_key=True)
    as_of: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(20), index=True)  # a key of VERDICT_STATUSES
    eligible: Mapped[bool] = mapped_column(sa.Boolean)
    turned_around: Mapped[bool] = mapped_column(sa.Boolean)
    claim_type: Mapped[str | None] = mapped_column(sa.String(40))
    earliest_claim_date: Mapped[date | None] = mapped_column(sa.Date)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The whole decision as the family page shows it (portal.verdicts.VerdictView, JSON), and what
    # it was decided on (casefile.decided_on: the plan's files and the deciding code). A row whose
    # `decided_on` is not the current one is stale, like a row of an earlier day.
    view: Mapped[str | None] = mapped_column(sa.Text)
    decided_on: Mapped[str | None] = mapped_column(sa.String(64))


class MemberDeparture(db.Model):
    """A member left the household on a date, as the lead professional recorded it.

    Append-only. The member stays in the case (their evidence still counts); a
    claim line relying on evidence about them is flagged (rules/claims.py). A
    record made in error is withdrawn by a new row naming it (`withdraws_id`,
    unique: a record is withdrawn once), with the reason; `left_on` is then empty.
    """

    __tablename__ = "member_departure"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(sa.ForeignKey("family.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("family_member.id"), index=True)
    left_on: Mapped[date | None] = mapped_column(sa.Date)
    withdraws_id: Mapped[int | None] = mapped_column(sa.ForeignKey("member_departure.id"), unique=True)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    member: Mapped[Member] = relationship()
