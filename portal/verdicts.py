"""The verdict as people read it: one presentation for the family page, the PDF and the claim file.

The rules engine (portal.rules) answers in clauses that name members and evidence
by their case ids ("Sam (m12)", "evidence e22") and dates in ISO form. This module
turns one verdict into the words every output shows: names instead of ids, dates
the GOV.UK way ("7 November 2025"), reasons as whole sentences, and a
continuous-employment claim explained as such. The family page's verdict block,
the closure summary PDF and anything else that states a verdict take every figure
and sentence from `present()`, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import msgspec

from .models.families import STAGES
from .wording import EVIDENCE_KEY, ISO_DAY, MEMBER_KEY, NAMED_MEMBER, Words, day, sentence  # noqa: F401 (used by callers)

CLAIM_TYPES = {
    "significant_and_sustained": "Significant and sustained progress",
    "continuous_employment": "Continuous employment",
}
NO_CLAIM = "No claim yet"
NOT_NEEDED = "Not needed for a continuous-employment claim"


@dataclass
class OutcomeLine:
    id: str
    name: str  # "2.1: Attendance of 90% ..." (the plan's own number and words)
    met: bool
    reasons: list[str]


@dataclass
class NeedLine:
    id: str
    heading: str
    achieved: bool
    outcomes: list[OutcomeLine]


@dataclass
class ProblemLine:
    id: str
    heading: str  # "Headline EDU: Getting a Good Education"
    achieved: bool
    status: str  # "Achieved", "Not achieved" or NOT_NEEDED
    stage: str
    identified_on: str
    indicators: str  # "family needs EDU1, EDU2"
    needs: list[NeedLine] | None
    outcomes: list[OutcomeLine]
    reasons: list[str]


@dataclass
class VerdictView:
    as_of: str
    eligible: bool
    eligible_label: str
    eligibility: list[str]
    turned_around: bool
    turned_around_label: str
    claim_type: str
    earliest_claim_date: str
    missing: list[str]
    not_needed: list[str]
    problems: list[ProblemLine]
    continuous_employment: OutcomeLine | None
    continuous_employment_claim: bool
    notes: list[str] = field(default_factory=list)
    nothing_missing: str = "Nothing: the family meets the plan's rules for a claim."

    def facts(self) -> dict[str, str]:
        """The four headline facts, as every output prints them."""
        return {
            "Eligible": self.eligible_label,
            "Claim type": self.claim_type,
            "Earliest claim date": self.earliest_claim_date,
        }


def words_for(family, evidence_rows=None) -> Words:
    from .casefile import evidence_facts

    rows = evidence_rows if evidence_rows is not None else evidence_facts(family.id, counted_only=True)
    return Words({m.id: m.name for m in family.members}, {e.id: evidence_name(e) for e in rows})


def evidence_name(e) -> str:
    """How a sentence names an evidence item: what it is and the period it covers."""
    return f"the evidence \u201c{e.source}\u201d for {day(e.period_start)} to {day(e.period_end)}"


def earliest_claim_text(verdict) -> str:
    """One answer for "Earliest claim date", wherever it is shown."""
    if verdict.turned_around:
        return "Now: the family can be claimed for"
    if verdict.earliest_claim_date:
        return day(verdict.earliest_claim_date)
    if not verdict.eligible:
        return "None: the family is not eligible"
    return "Not known yet: it depends on what is still missing"


def present(plan, verdict, words: Words) -> VerdictView:
    ce_claim = verdict.claim_type == "continuous_employment"
    missing = words.sentences(verdict.missing)
    return VerdictView(
        as_of=day(verdict.as_of),
        eligible=verdict.eligible,
        eligible_label="Eligible" if verdict.eligible else "Not eligible",
        eligibility=words.sentences(verdict.eligibility),
        turned_around=verdict.turned_around,
        turned_around_label="Turned around" if verdict.turned_around else "Not yet",
        claim_type=CLAIM_TYPES.get(verdict.claim_type, NO_CLAIM),
        earliest_claim_date=earliest_claim_text(verdict),
        # A continuous-employment claim does not wait for the problems or the essentials
        # of a significant-and-sustained claim: they are not missing, just not needed.
        missing=[] if ce_claim else missing,
        not_needed=missing if ce_claim else [],
        problems=[_problem(plan, p, words, ce_claim) for p in verdict.problems],
        continuous_employment=_outcome(plan, verdict.continuous_employment, words)
        if verdict.continuous_employment
        else None,
        continuous_employment_claim=ce_claim,
        notes=words.sentences(verdict.notes),
    )


def _outcome(plan, result, words) -> OutcomeLine:
    outcome = plan.outcome_by_id.get(result.id)
    name = f"{result.id}: {outcome.text}" if outcome else result.id
    return OutcomeLine(result.id, name, result.met, words.sentences(result.reasons))


def _problem(plan, p, words, ce_claim) -> ProblemLine:
    indicator = plan.term("indicator")
    status = "Achieved" if p.achieved else NOT_NEEDED if ce_claim else "Not achieved"
    needs = None
    if p.needs is not None:
        needs = [
            NeedLine(
                n.id,
                f"{indicator.capitalize()} {n.id}: {n.text}",
                n.achieved,
                [_outcome(plan, o, words) for o in n.outcomes],
            )
            for n in p.needs
        ]
    indicators = sorted(p.info["indicators"])
    return ProblemLine(
        id=p.id,
        heading=f"{plan.term('problem').capitalize()} {p.id}: {p.title}",
        achieved=p.achieved,
        status=status,
        stage=STAGES.get(p.stage, p.stage),
        identified_on=day(p.info.get("identified_on")),
        indicators=f"{plan.terms_of('indicator', len(indicators))} {', '.join(indicators)}",
        needs=needs,
        outcomes=[_outcome(plan, o, words) for o in p.outcomes],
        reasons=words.sentences(p.reasons),
    )


def family_verdict(family, as_of=None, rows=None):
    """The family's verdict, presented: (VerdictView, the engine's Verdict). `rows`: its accepted
    versions when already read (the stored verdict reads many families' at once)."""
    from . import casefile

    # The accepted versions, as plain rows in one query: all the engine reads, and all its sentences name.
    if rows is None:
        rows = casefile.evidence_facts(family.id, counted_only=True)
    verdict = casefile.verdict(family, as_of=as_of, evidence_rows=rows)
    return present(casefile.plan_for(family), verdict, words_for(family, rows)), verdict


# A presented verdict is stored with the family's verdict for today (family_verdict.view), so the
# family page shows it without deciding again (families/standing.py). Stored as JSON, read back as
# the same dataclasses: equal, field for field, to the one it was made from.
_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(VerdictView)


def encode_view(view: VerdictView) -> str:
    return _encoder.encode(view).decode()


def decode_view(text: str) -> VerdictView:
    return _decoder.decode(text)


# -- what a verdict asks of people next (the to-do lists, portal/todo) -----------------------

SOON_DAYS = 28  # "ends soon": within four weeks, time to gather the last evidence


def window_ends_soon(verdict, today: dt.date) -> dt.date | None:
    """The day the family's running windows (sustainment, months after closure) end, when that is
    within SOON_DAYS and the engine says the family can be claimed for then; else None."""
    end = verdict.earliest_claim_date
    if not verdict.eligible or verdict.turned_around or end is None:
        return None
    return end if today <= end <= today + dt.timedelta(days=SOON_DAYS) else None


def every_problem_achieved(verdict) -> bool:
    """Every identified problem achieved, as the engine decides (none identified: not achieved)."""
    return bool(verdict.problems) and all(p.achieved for p in verdict.problems)


def outcomes_not_met(verdict) -> list[tuple[str, str]]:
    """(problem, outcome) for every outcome that could still achieve a problem not yet achieved."""
    out = []
    for p in verdict.problems:
        if p.achieved:
            continue
        results = [o for n in p.needs if not n.achieved for o in n.outcomes] if p.needs else p.outcomes
        out += [(p.id, o.id) for o in results if not o.met]
    return list(dict.fromkeys(out))


def check_words(check) -> tuple[bool, str]:
    """(meets?, what the engine says of one submission) in its own words: "meets 2.1" or
    "does not meet 2.1: 3 terms averaging 87.5%, above 90% needed"."""
    outcome = check.outcome.id if check.outcome is not None else "the outcome"
    if check.finding is not None and not check.errors:
        if check.finding.met:
            return True, f"meets {outcome}"
        return False, f"does not meet {outcome}: {check.finding.reason}"
    first = check.errors[0][1] if check.errors else "the engine could not judge it"
    return False, f"cannot count for {outcome} as it stands: {first[:1].lower()}{first[1:]}"
