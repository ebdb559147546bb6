"""A plan compiled for one cohort run, and a family's CSV row decided with it.

Follows `engine.Decision.verdict` rule for rule (eligibility, each identified
problem under the plan's achievement rule, essentials, sustainment, continuous
employment, the claim and its earliest date) but keeps only what the row shows.
It judges every outcome the engine would judge (so an error the engine would meet
is met here too, and the line goes to the engine), skipping only outcomes with no
evidence, whose answer is known.
"""

from __future__ import annotations

from ..engine import CLAIMS, DEPENDENT_ACTIVITIES
from .dates import add_months
from .outcomes import NO_EVIDENCE, CompiledOutcome, satisfied_by_loops
from .problems import Problems
from .reader import Reader

SS, CE = CLAIMS


def compile_plan(plan, as_of):
    """The plan compiled for a cohort decided as on `as_of`, or None to leave it all to the engine."""
    if satisfied_by_loops(plan):
        return None  # there the engine's answers depend on the order it asks; see outcomes.py
    return CompiledPlan(plan, as_of)


class CompiledPlan:
    """Everything about the plan that is the same for every family, worked out once."""

    def __init__(self, plan, as_of):
        self.as_of = as_of
        self.outcomes = {oid: CompiledOutcome(o, as_of) for oid, o in plan.outcome_by_id.items()}
        self.reader = Reader(plan, as_of, self.outcomes)
        self.problems = Problems(plan, self.outcomes)
        rule = plan.rule
        self.minimum, self.needs_child = rule["eligibility"]["minimum"], rule["eligibility"]["dependent_child"]
        self.months, self.ce_ref = rule["sustainment_after_closure_months"], rule["continuous_employment"]
        # Whether the continuous-employment outcome can be met without evidence of its own.
        self.ce_satisfiable = bool(self.ce_ref and self.outcomes[self.ce_ref].satisfied_by)
        self.essentials = {claim: [e["id"] for e in plan.essentials if claim in (e["claims"] or CLAIMS)]
                           for claim in CLAIMS}

    def eligible(self, family) -> bool:
        if len(family.identified) < self.minimum:
            return False
        return not self.needs_child or self.has_dependent_child(family)

    def has_dependent_child(self, family) -> bool:
        """Aged 0 to 15, or 16 to 18 in education, training or unemployed, when first identified."""
        day = family.first_on or self.as_of
        year, month_day = day.year, (day.month, day.day)
        for born, activity in family.children:
            age = year - born.year - (month_day < (born.month, born.day))  # dates.age_on, inline
            if age < 16 or (age <= 18 and activity in DEPENDENT_ACTIVITIES):
                return True
        return False

    def missing_essential(self, family, claim) -> bool:
        return not family.essentials.issuperset(self.essentials[claim])

    def sustainment(self, family):
        """(still waiting?, the date outcomes may be judged), for a plan that judges after closure."""
        if family.closed_on is None:
            return True, None
        ready = add_months(family.closed_on, self.months)
        return self.as_of < ready, ready

    def row(self, family) -> list:
        """The cohort CSV row: ref, eligible, turned_around, claim_type, problems_not_achieved, earliest date."""
        eligible = self.eligible(family)
        essentials = self.missing_essential(family, SS)
        outcomes, judge = family.answers, self.problems.for_family(family)
        not_achieved, open_dates = [], []  # the problems not achieved, and when each could be
        for pid, indicators in family.identified.items():
            achieved, earliest = judge(pid, indicators, outcomes)
            if not achieved:
                not_achieved.append(pid)
                open_dates.append(earliest)
        problems = bool(family.identified)
        waiting, ready = self.sustainment(family) if self.months else (False, None)
        ce = None
        if self.ce_ref:
            ce = outcomes[self.ce_ref] if self.ce_satisfiable else outcomes.get(self.ce_ref, NO_EVIDENCE)
        ss = eligible and not essentials and problems and not not_achieved and not waiting
        ce_met = eligible and ce is not None and ce[0] and not self.missing_essential(family, CE)
        claim = SS if ss else CE if ce_met else None
        earliest = None if claim or not eligible or essentials else self._claim_date(problems, open_dates, ready, ce)
        return [family.ref, "yes" if eligible else "no", "yes" if claim else "no", claim or "",
                ";".join(not_achieved), earliest.isoformat() if earliest else ""]

    def _claim_date(self, problems: bool, dates, ready, ce):
        """engine.Decision._claim_date, from the dates of the problems not achieved."""
        ss_date = None
        if problems and None not in dates:
            candidates = [d for d in dates if d] + ([ready] if ready else [])
            needs_closure = self.months and ready is None
            ss_date = max(candidates) if candidates and not needs_closure else None
        ce_date = ce[1] if ce is not None and not ce[0] else None
        earliest = min((d for d in (ss_date, ce_date) if d), default=None)
        return max(earliest, self.as_of) if earliest is not None else None
