"""The bridge between the database and the rules engine.

The engine decides on a family case in the documented JSON format
(docs/case-format.md); this module builds that case from a Family's rows, so
the portal and `portal-rules evaluate` decide in exactly the same way.

Cost (docs/performance.md): a submission check needs no evidence, so its case is
built without any and at most once per request (`check_case`); a verdict reads
the family's evidence as plain rows in one query (`evidence_facts`), never as ORM
objects with their reviews.
"""

import datetime as dt
import functools
import hashlib
from pathlib import Path
from types import SimpleNamespace
from typing import NamedTuple

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session, aliased

from .rules import engine
from .rules import plan as plans
from .rules.case import parse_case
from .rules.submission import SubmissionCheck, check_submission, outcome_refusal, outcomes_open_to


def plan_for(family):
    # load_plans() keeps parsed plans until a file changes; load_plan() would
    # parse the YAML again on every call, several times per page. Asking whether a
    # file changed lists and stats every plan file, so a request asks once.
    if has_request_context():
        known = g.setdefault("plans_by_id", {})
        if family.plan_id not in known:
            known[family.plan_id] = plans.load_plans().get(family.plan_id) or plans.load_plan(family.plan_id)
        return known[family.plan_id]
    return plans.load_plans().get(family.plan_id) or plans.load_plan(family.plan_id)


class EvidenceFacts(NamedTuple):
    """What the engine and the verdict's words read of one evidence version (an Evidence row quacks alike)."""

    id: int
    outcome_id: str
    option: str | None
    member_ids: list
    source: str
    period_start: dt.date
    period_end: dt.date
    values: dict
    statement: str
    status: str


@functools.cache
def _facts_query(counted_only: bool):
    """Built once per process (building it costs more than running it); callers add their filter."""
    from .models import Evidence, Review

    later = aliased(Evidence)
    query = (
        sa.select(
            Evidence.id,
            Evidence.outcome_id,
            Evidence.option,
            Evidence.member_ids,
            Evidence.source,
            Evidence.period_start,
            Evidence.period_end,
            Evidence.values,
            Evidence.statement,
            Review.decision,
            later.id,
            Evidence.family_id,
        )
        .outerjoin(Review, Review.evidence_id == Evidence.id)  # at most one review per version
        .outerjoin(later, later.replaces_id == Evidence.id)
    )  # at most one correction per version
    if counted_only:
        query = query.where(Review.decision == "accepted", later.id.is_(None))
    return query.order_by(Evidence.family_id, Evidence.id)


def _facts(row) -> EvidenceFacts:
    return EvidenceFacts(*row[:9], "superseded" if row[10] is not None else row[9] or "submitted")


def evidence_facts(family_id, counted_only: bool = False) -> list[EvidenceFacts]:
    """Every version of every submission of the family, oldest first, with its status: one query, no ORM.

    counted_only: the accepted versions only, the ones the engine counts (it passes over every other
    status), so a verdict's cost follows what it rests on, not the family's whole history.
    """
    from .extensions import db
    from .models import Evidence

    query = _facts_query(counted_only).where(Evidence.family_id == family_id)
    return [_facts(row) for row in db.session.execute(query)]


def counted_evidence(family_ids, session=None) -> dict[int, list[EvidenceFacts]]:
    """family id -> its accepted versions, oldest first, for many families in one query."""
    from .extensions import db
    from .models import Evidence

    out: dict[int, list[EvidenceFacts]] = {}
    for row in (session or db.session).execute(_facts_query(True).where(Evidence.family_id.in_(list(family_ids)))):
        out.setdefault(row[11], []).append(_facts(row))
    return out


def case_data(family, evidence_rows=None) -> dict:
    """The family as a case dict; evidence_rows defaults to every version of every submission."""
    if evidence_rows is None:
        evidence_rows = evidence_facts(family.id, counted_only=True)  # all the engine reads
    members = family.current_members
    current = {m.id for m in members}
    return {
        "ref": family.ref,
        "plan": family.plan_id,
        "members": [_member(m) for m in members],
        "essentials": sorted({e.essential_id for e in family.essentials}),
        "problems": [_problem(p) for p in family.current_problems],
        "plan_outcomes": [o.outcome_id for o in family.plan_outcomes],
        "engaged_on": _iso(family.engaged_on),
        "closed_on": _iso(family.closed_on),
        "evidence": [_evidence(e, current) for e in evidence_rows],
    }


def _member(m) -> dict:
    # The name lets the engine's messages say who it means ("Sam (m12) is not ...").
    out = {"id": m.key, "name": m.name, "role": m.role, "date_of_birth": m.date_of_birth.isoformat()}
    if m.activity:
        out["activity"] = m.activity
    return out


def _problem(p) -> dict:
    out = {
        "problem": p.problem_id,
        "indicator": p.indicator_id,
        "stage": p.stage,
        "identified_on": p.identified_on.isoformat(),
    }
    if p.member_id is not None and p.member is not None and p.member.withdrawn_at is None:
        out["member"] = p.member.key
    return out


def _evidence(e, current_member_ids) -> dict:
    # A member withdrawn as recorded in error no longer counts for any evidence.
    members = [f"m{i}" for i in e.member_ids if i in current_member_ids]
    out = {
        "id": f"e{e.id}",
        "outcome": e.outcome_id,
        "members": members,
        "source": e.source,
        "period": {"start": e.period_start.isoformat(), "end": e.period_end.isoformat()},
        "values": e.values or {},
        "statement": e.statement,
        "status": e.status,
    }
    if e.option:
        out["option"] = e.option
    return out


def _iso(day):
    return day.isoformat() if day else None


def today() -> dt.date:
    return dt.date.today()


def verdict(family, as_of=None, evidence_rows=None, plan=None):
    """What the rules engine decides for the family today (or as_of; with `plan`, a claim window's stored plan)."""
    return engine.evaluate(plan or plan_for(family), case_data(family, evidence_rows), as_of or today())


def check_case(family):
    """The case a submission is checked against: no evidence (no check reads any), built once per request.

    A commit in the request (a change saved) forgets it, so a case read after a change is built again.
    """
    if not has_request_context():
        return parse_case(check_case_data(family))
    cases = g.setdefault("check_cases", {})
    if family.id not in cases:
        cases[family.id] = parse_case(check_case_data(family))
    return cases[family.id]


def check_case_data(family) -> dict:
    """case_data(family, evidence_rows=()) read as plain rows in one round trip, no ORM objects.

    The same case: current members; current problems, naming their member only while that member
    is current; the essentials in place; the plan's outcomes (each outcome's latest row, unless it
    removes it); the closure in force. tests/test_audit_commits.py holds the two equal.
    """
    members, problems, essentials, latest, closure = [], [], [], {}, None
    for row in _case_rows(family.id):
        if row.kind == "m":
            members.append(SimpleNamespace(id=row.n1, name=row.t1, role=row.t2, activity=row.t3, date_of_birth=row.d1))
        elif row.kind == "p":
            problems.append(
                SimpleNamespace(
                    problem_id=row.t1, indicator_id=row.t2, stage=row.t3, identified_on=row.d1, member_id=row.n1
                )
            )
        elif row.kind == "e":
            essentials.append(row.t1)
        elif row.kind == "o":
            outcome_id, version, row_id = row.t1, row.n1, row.n2
            if outcome_id not in latest or version > latest[outcome_id][0]:
                latest[outcome_id] = (version, bool(row.flag), row_id)
        elif row.kind == "c" and (closure is None or row.n2 > closure.id):
            closure = SimpleNamespace(id=row.n2, closed_on=row.d1, reopened=bool(row.flag))
    current = {m.id for m in members}

    def member(m) -> dict:
        out = {"id": f"m{m.id}", "name": m.name, "role": m.role, "date_of_birth": m.date_of_birth.isoformat()}
        if m.activity:
            out["activity"] = m.activity
        return out

    def problem(p) -> dict:
        out = {
            "problem": p.problem_id,
            "indicator": p.indicator_id,
            "stage": p.stage,
            "identified_on": p.identified_on.isoformat(),
        }
        if p.member_id is not None and p.member_id in current:
            out["member"] = f"m{p.member_id}"
        return out

    return {
        "ref": family.ref,
        "plan": family.plan_id,
        "members": [member(m) for m in members],
        "essentials": sorted(set(essentials)),
        "problems": [problem(p) for p in problems],
        "plan_outcomes": [o for o, (_, removed, _) in sorted(latest.items(), key=lambda kv: kv[1][2]) if not removed],
        "engaged_on": _iso(family.engaged_on),
        "closed_on": _iso(closure.closed_on) if closure and not closure.reopened else None,
        "evidence": [],
    }


def _case_rows(family_id):
    """Every row check_case_data reads, as one UNION ALL: (kind, n1, n2, t1, t2, t3, d1, flag), in
    the order each kind is read (members and problems by id, plan outcomes by id)."""
    from .extensions import db

    return db.session.execute(_case_rows_query(), {"family_id": family_id}).all()


@functools.cache
def _case_rows_query():
    """Built once per process (building it is dearer than running it), with the family as a parameter."""
    from .models import CaseClosure, EssentialRecord, FamilyPlanOutcome, IdentifiedProblem, Member

    def row(kind, n1=None, n2=None, t1=None, t2=None, t3=None, d1=None, flag=None):
        def typed(value, kind_of):
            return sa.cast(sa.null(), kind_of) if value is None else value

        return [
            sa.literal(kind, sa.String).label("kind"),
            typed(n1, sa.Integer).label("n1"),
            typed(n2, sa.Integer).label("n2"),
            typed(t1, sa.String).label("t1"),
            typed(t2, sa.String).label("t2"),
            typed(t3, sa.String).label("t3"),
            typed(d1, sa.Date).label("d1"),
            typed(flag, sa.Boolean).label("flag"),
        ]

    family = sa.bindparam("family_id", type_=sa.Integer)
    parts = [
        sa.select(
            *row(
                "m",
                n1=Member.id,
                n2=Member.id,
                t1=Member.name,
                t2=Member.role,
                t3=Member.activity,
                d1=Member.date_of_birth,
            )
        ).where(Member.family_id == family, Member.withdrawn_at.is_(None)),
        sa.select(
            *row(
                "p",
                n1=IdentifiedProblem.member_id,
                n2=IdentifiedProblem.id,
                t1=IdentifiedProblem.problem_id,
                t2=IdentifiedProblem.indicator_id,
                t3=IdentifiedProblem.stage,
                d1=IdentifiedProblem.identified_on,
            )
        ).where(IdentifiedProblem.family_id == family, IdentifiedProblem.withdrawn_at.is_(None)),
        sa.select(*row("e", n2=EssentialRecord.id, t1=EssentialRecord.essential_id)).where(
            EssentialRecord.family_id == family
        ),
        sa.select(
            *row(
                "o",
                n1=FamilyPlanOutcome.version,
                n2=FamilyPlanOutcome.id,
                t1=FamilyPlanOutcome.outcome_id,
                flag=FamilyPlanOutcome.removed,
            )
        ).where(FamilyPlanOutcome.family_id == family),
        sa.select(*row("c", n2=CaseClosure.id, d1=CaseClosure.closed_on, flag=CaseClosure.reopened)).where(
            CaseClosure.family_id == family
        ),
    ]
    union = sa.union_all(*parts).subquery()
    return sa.select(union).order_by(union.c.kind, union.c.n2)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_check_cases(session, *_):
    if has_request_context():
        g.pop("check_cases", None)


def check(family, submission: dict, as_of=None, evidence_rows=None):
    """Check one evidence submission (the HTMX form and the plain POST both call this;
    a list of many, already loaded, passes the family's evidence_rows and no query is run)."""
    case = check_case(family) if evidence_rows is None else parse_case(case_data(family, evidence_rows))
    result = check_submission(plan_for(family), case, submission, as_of or today())
    return _in_words(family, result)


def refusal_of_outcome(family, outcome_id: str) -> str | None:
    """Why evidence for this outcome cannot be submitted for the family (None: it can), in words:
    what check() says of the outcome, without checking the rest of a form not shown yet."""
    why_not = outcome_refusal(plan_for(family), check_case(family), outcome_id)
    if why_not is None:
        return None
    return _in_words(family, SubmissionCheck(errors=[("outcome", why_not)])).errors[0][1]


def _in_words(family, result):
    """The check's messages as a person reads them: "Samira is not a child ..." (not "Samira (m57)"),
    "The person chosen is not a member of this family" (not "m1 ..."), dates the GOV.UK way. The
    family's members are read only when a message needs them (the live check runs as people type)."""
    from .wording import Words

    texts = [message for _, message in result.errors]
    if result.finding is not None and not result.errors:
        texts.append(result.finding.reason)
    if not any(Words.needed(text) for text in texts):
        return result
    words = Words({m.id: m.name for m in family.members}, {}, unknown_member="the person chosen")
    result.errors = [(key, sentence_start(words(message))) for key, message in result.errors]
    if result.finding is not None and not result.errors:
        result.finding = result.finding.reworded(words)
    return result


def sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


def open_outcomes(family, evidence_rows=None) -> dict:
    """outcome id -> None if evidence may be submitted for it, else the reason why not."""
    case = check_case(family) if evidence_rows is None else parse_case(case_data(family, evidence_rows))
    return outcomes_open_to(plan_for(family), case)


# -- what a verdict was decided on ---------------------------------------------------

# The code that decides a verdict and words it: the rules engine, this module and the
# presentation (portal/verdicts.py). A stored verdict names the fingerprint of these and
# of its plan file, so a new plan file or a new release decides it again (families/standing.py).
_PORTAL = Path(__file__).resolve().parent
_DECIDING_CODE = ("rules", "casefile.py", "verdicts.py", "wording.py", "models/families.py")


def plan_hash(plan_id: str) -> str:
    """The SHA-256 of the plan file and the shared tools file, as they are now."""
    folder = Path(plans.frameworks_dir())
    files = [folder / f"{plan_id}.yaml", folder / "tools.yaml"]
    return _hash_files(tuple((str(p), p.stat().st_mtime_ns) for p in files if p.exists()))


@functools.cache
def _hash_files(stamped) -> str:
    digest = hashlib.sha256()
    for path, _mtime in stamped:
        digest.update(Path(path).name.encode() + b"\0" + Path(path).read_bytes() + b"\0")
    return digest.hexdigest()


@functools.cache
def _code_hash() -> str:
    digest = hashlib.sha256()
    for name in _DECIDING_CODE:
        target = _PORTAL / name
        for path in sorted(target.rglob("*.py")) if target.is_dir() else [target]:
            digest.update(str(path.relative_to(_PORTAL)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def decided_on(plan_id: str) -> str:
    """What a stored verdict of this plan was decided on: the plan's files and the deciding code."""
    return hashlib.sha256(f"{plan_hash(plan_id)}:{_code_hash()}".encode()).hexdigest()
