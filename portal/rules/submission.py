"""Checks one evidence submission against the plan and the family's case.

The web form calls this on every keystroke (HTMX) and again on submit, so every
refusal is a sentence a partner can act on, keyed by the form field it is about.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .case import Case, Evidence, Period
from .engine import about_words, identified_problems, judge_evidence, member_fits, with_option
from .measures import Context, Finding
from .plan import Outcome, Plan, same_text

EARLIEST_PERIOD = dt.date(2010, 1, 1)  # before the programme began: a typing slip


@dataclass
class SubmissionCheck:
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field, message)
    finding: Finding | None = None
    outcome: Outcome | None = None

    @property
    def valid(self) -> bool:
        return not self.errors

    def add(self, name: str, message: str) -> None:
        self.errors.append((name, message))

    def to_json(self) -> dict:
        out = {"valid": self.valid, "errors": [{"field": f, "message": m} for f, m in self.errors]}
        if self.finding is not None:
            out["preview"] = {"met": self.finding.met, "reason": self.finding.reason}
        return out


def outcomes_open_to(plan: Plan, case: Case) -> dict[str, str | None]:
    """Every outcome of the plan -> None if evidence may be submitted for it, else why not."""
    identified = identified_problems(case)
    return {oid: refusal(plan, case, outcome, identified) for oid, outcome in plan.outcome_by_id.items()}


def refusal(plan: Plan, case: Case, outcome: Outcome, identified) -> str | None:
    term = plan.term("problem")
    if outcome.id in case.plan_outcomes and plan.rule["achievement"] == "every_outcome_in_family_plan":
        return None
    if outcome.problem in identified:
        indicators = identified[outcome.problem]["indicators"]
        if outcome.answers_any(indicators):
            return None
        return (
            f"{outcome.id} answers {plan.term('indicator')} {', '.join(sorted(outcome.answers))}; this family's "
            f"{term} {outcome.problem} was identified on {', '.join(sorted(indicators))} only"
        )
    if any(p in identified for p in outcome.also_evidences):
        return None
    return f"{outcome.id} belongs to {term} {outcome.problem}, which is not identified for this family"


def outcome_refusal(plan: Plan, case: Case, outcome_id: str) -> str | None:
    """Why evidence for `outcome_id` cannot be submitted for this case, or None: the first thing
    check_submission checks, asked alone (choosing the outcome, a step before the form)."""
    result = SubmissionCheck()
    _outcome(plan, case, {"outcome": outcome_id}, result)
    return result.errors[0][1] if result.errors else None


def check_submission(plan: Plan, case: Case, data: dict, as_of: dt.date) -> SubmissionCheck:
    result = SubmissionCheck()
    outcome = _outcome(plan, case, data, result)
    if outcome is None:
        return result
    result.outcome = outcome
    option = data.get("option")
    members = _members(case, outcome, option, data, result)
    _source(outcome, data, result)
    start, end = _period(data, as_of, result)
    values = data.get("values") if isinstance(data.get("values"), dict) else {}
    values = with_option(values, data.get("option"))
    for name, message in outcome.measure.check_values(values):
        name = "option" if name == "option" else f"values.{name}"
        result.add(name, message)
    if not str(data.get("statement") or "").strip():
        result.add("statement", "Enter a statement describing the evidence")
    if start and end:
        _fit(outcome, option, members, start, end, result)
        if not any(f.startswith("values.") or f == "option" for f, _ in result.errors):
            ctx = Context(as_of=as_of, start=start, end=end, closed_on=case.closed_on)
            for name, message in outcome.measure.contradictions(values, ctx):
                result.add(f"values.{name}", message[0].upper() + message[1:])
    if not any(
        f.startswith("values.") or f in ("option", "members", "period.start", "period.end") for f, _ in result.errors
    ):
        ev = Evidence(
            id="this submission",
            outcome=outcome.id,
            members=[m.id for m in members],
            source=str(data.get("source") or ""),
            period=Period(start, end),
            values=values,
            option=data.get("option"),
        )
        result.finding = judge_evidence(plan, outcome, ev, case, as_of)
    return result


def _outcome(plan, case, data, result):
    outcome = plan.outcome_by_id.get(str(data.get("outcome") or ""))
    if outcome is None:
        result.add(
            "outcome",
            "Choose an outcome of this family's plan"
            if not data.get("outcome")
            else f"{data.get('outcome')} is not an outcome of {plan.title}",
        )
        return None
    why_not = refusal(plan, case, outcome, identified_problems(case))
    if why_not:
        result.add("outcome", why_not[0].upper() + why_not[1:])
        return None
    return outcome


def _members(case, outcome, option, data, result):
    ids = data.get("members") or []
    known = {m.id: m for m in case.members}
    members = [known[m] for m in ids if m in known]
    for m in ids:
        if m not in known:
            result.add("members", f"{m} is not a member of this family")
    if outcome.scope(option)[0] != "family" and not ids:
        result.add(
            "members", f"Choose who this evidence is about: {outcome.id} must be about {about_words(outcome, option)}"
        )
    return members


def _source(outcome, data, result):
    source = str(data.get("source") or "").strip()
    if not source:
        result.add("source", "Choose the source of this evidence")
    elif same_text(source) not in outcome.source_keys:
        result.add(
            "source", f"{source} is not a source {outcome.id} names; choose one of: {'; '.join(outcome.sources)}"
        )


def _period(data, as_of, result):
    period = data.get("period") if isinstance(data.get("period"), dict) else {}
    start = _date(period.get("start"), "period.start", "the start of the period", result)
    end = _date(period.get("end"), "period.end", "the end of the period", result)
    if start and end and end < start:
        result.add("period.end", "The end of the period must be the same as or after the start")
    if end and end > as_of:
        result.add("period.end", f"The end of the period must be today or in the past ({as_of.isoformat()})")
    if start and start < EARLIEST_PERIOD:
        result.add("period.start", f"The start of the period must be after {EARLIEST_PERIOD.isoformat()}")
    return start, end


def _date(value, name, words, result):
    if value in (None, ""):
        result.add(name, f"Enter {words}")
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        result.add(name, f"{words[0].upper() + words[1:]} must be a real date")
        return None


def _fit(outcome, option, members, start, end, result):
    about, ages = outcome.scope(option)
    for member in members:
        if not member_fits(member, about, ages, start, end):
            result.add(
                "members",
                f"{member.label()} is not {about_words(outcome, option)}, so cannot be the subject of {outcome.id}",
            )
