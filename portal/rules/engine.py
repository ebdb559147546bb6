"""Decides a family case against a plan: eligibility, each problem, the claim.

Pure Python: no Flask, no database, so it runs in a worker, the CLI or a notebook.
This is the only place the plans' rules are decided, for the portal, the command
line and the cohort alike. It decides first and writes later: every result keeps
what was decided and the facts behind it, and its sentences are written from
those only when someone reads them (reading.py, verdict.py), so a cohort of a
million families writes none.
"""

from __future__ import annotations

import datetime as dt
from operator import attrgetter

from . import calendar as cal
from .case import Case, CaseError, Evidence, parse_case
from .measures import Context, Finding
from .plan import Candidates, Outcome, Plan, age_bounds, age_on
from .reading import Reading
from .verdict import OutcomeResult, Verdict
from .words import ABOUT_WORDS, about_words

__all__ = [
    "ABOUT_WORDS",
    "CLAIMS",
    "CaseError",
    "Decision",
    "about_words",
    "check_case_against_plan",
    "evaluate",
    "judge_evidence",
    "member_fits",
    "with_option",
]
DEPENDENT_ACTIVITIES = ("education", "training", "unemployed")
CLAIMS = ("significant_and_sustained", "continuous_employment")
SS, CE = CLAIMS


def evaluate(plan: Plan, case_data, as_of: dt.date) -> Verdict:
    """The verdict for one case; raises CaseError if the case does not fit the plan."""
    case = parse_case(case_data)
    check_case_against_plan(plan, case)
    return Decision(plan, case, as_of).verdict()


def check_case_against_plan(plan: Plan, case: Case) -> None:
    faults = []
    if case.plan and case.plan != plan.id:
        faults.append(f"plan: the case is on plan {case.plan!r}, not {plan.id!r}")
    for i, item in enumerate(case.problems):
        indicators = plan.indicator_ids.get(item.problem)
        if indicators is None:
            faults.append(f"problems[{i}].problem: no {plan.term('problem')} {item.problem!r} in {plan.id}")
        elif item.indicator not in indicators:
            faults.append(
                f"problems[{i}].indicator: {plan.term('problem')} {item.problem} has no "
                f"{plan.term('indicator')} {item.indicator!r}"
            )
    outcomes = plan.outcome_by_id
    for i, ev in enumerate(case.evidence):
        if ev.outcome not in outcomes:
            faults.append(f"evidence[{i}].outcome: no outcome {ev.outcome!r} in {plan.id}")
    for ref in case.plan_outcomes:
        if ref not in outcomes:
            faults.append(f"plan_outcomes: no outcome {ref!r} in {plan.id}")
    if faults:
        raise CaseError(faults)


def member_fits(member, about: str, ages, start: dt.date, end: dt.date) -> bool:
    bounds = age_bounds(about, ages)
    return bounds is None or bounds.fits(member.date_of_birth, start, end)


def judge_evidence(
    plan: Plan, outcome: Outcome, ev: Evidence, case: Case, as_of: dt.date, members=None, ctx: Context | None = None
) -> Finding:
    """What one evidence item shows. An item that cannot be used (faulty values, a source the outcome
    does not name, a member it cannot be about, values that contradict each other) is set aside: it never
    meets, and the finding says why (`set_aside`). `ctx` may be a Context to reuse (it is reset here)."""
    members = members if members is not None else {m.id: m for m in case.members}
    option = ev.option
    values = ev.values if option is None else {**ev.values, "option": option}
    period = ev.period
    start, end = period.start, period.end
    if ctx is None:
        ctx = Context(as_of, start, end, case.closed_on, ids=ev.members, people=members)
    else:
        ctx.start, ctx.end, ctx._ids, ctx._ages = start, end, ev.members, None
    why = unusable(outcome, ev, values, members, ctx)
    if why:
        return Finding(False, cannot_be_used, (ev.id, why), set_aside=why)
    finding = outcome.measure.judge(values, ctx)
    if finding.earliest is not None and finding.earliest < as_of:
        # The window has closed already: evidence to its end could come in today, so no earlier date.
        finding.earliest = as_of
    return finding


def cannot_be_used(ev_id: str, why: str) -> str:
    return f"evidence {ev_id} cannot be used: {why}"


def unusable(outcome: Outcome, ev: Evidence, values: dict, members: dict, ctx: Context) -> str | None:
    """Why this evidence item cannot be used for its outcome, or None (`ctx`: its period)."""
    measure = outcome.measure
    faults = measure.check_values(values)
    if faults:
        return faults[0][1]
    if not outcome.names_source(ev.source):
        named = "; ".join(outcome.sources)
        if not ev.source.strip():
            return f"it names no source; {outcome.id} names: {named}"
        return f'its source "{ev.source}" is not one {outcome.id} names ({named})'
    option = values.get("option") if outcome.route_bounds else None
    if ev.members:
        bounds = outcome.bounds_for(option)
        if bounds is not None:
            start, end = ctx.start, ctx.end
            for mid in ev.members:
                member = members[mid]
                if not bounds.fits(member.date_of_birth, start, end):
                    return (
                        f"it is about {member.label()}, but {outcome.id} must be about {about_words(outcome, option)}"
                    )
    elif outcome.scope(option)[0] != "family":
        return f"it names no family member; it must be about {about_words(outcome, option)}"
    if measure.may_contradict:
        contradictions = measure.contradictions(values, ctx)
        if contradictions:
            return f"it contradicts itself: {contradictions[0][1]}"
    return None


def with_option(values: dict, option) -> dict:
    """The chosen route of an any_of measure travels beside the values, not among them."""
    return {**values, "option": option} if option is not None else values


NO_ANSWER = (False, None, ())  # an outcome nobody has evidenced: not met, no date, no route
_ACHIEVEMENT = {
    "every_problem": "_problem_any",
    "every_indicator": "_problem_each_need",
    "every_outcome_in_family_plan": "_problem_family_plan",
}


class Decision:
    """One family's decision. Each outcome's answer is compact, (met, earliest date, routes), worked out
    once when first asked for (`answer`); so is each problem's. The objects a person reads, with their
    sentences (`verdict()`), are made from those; the cohort's row (`row()`) needs none of them."""

    def __init__(self, plan: Plan, case: Case, as_of: dt.date):
        self.plan, self.case, self.as_of = plan, case, as_of
        self.members = members = {m.id: m for m in case.members}
        # Every counted evidence item (accepted, ended by the as-of date) is judged as it is read:
        # outcome id -> [(item, finding)].
        found: dict[str, list[tuple[Evidence, Finding]]] = {}
        later = []
        outcomes, ctx = plan.outcome_by_id, Context(as_of, as_of, as_of, case.closed_on, people=members)
        for ev in case.evidence:
            if ev.status != "accepted":
                continue
            if ev.period.end > as_of:
                later.append(ev)
                continue
            item = (ev, judge_evidence(plan, outcomes[ev.outcome], ev, case, as_of, members, ctx))
            items = found.get(ev.outcome)
            if items is None:
                found[ev.outcome] = [item]
            else:
                items.append(item)
        self.found, self.later = found, later
        self.identified = identified_problems(case)
        self._answers: dict = {}
        self._results: dict = {}
        self._problem_answers: list[tuple] | None = None
        self._decided: tuple | None = None
        self._essentials: set | None = None
        self._reading: Reading | None = None

    @property
    def by_outcome(self) -> dict[str, list[Evidence]]:
        """outcome id -> its counted evidence items."""
        return {oid: [ev for ev, _ in items] for oid, items in self.found.items()}

    # -- outcomes: the decision -------------------------------------------------

    def answer(self, outcome_id: str) -> tuple:
        """(met, earliest, routes) for an outcome."""
        done = self._answers.get(outcome_id)
        if done is not None:
            return done
        outcome = self.plan.outcome_by_id[outcome_id]
        if outcome.plain:  # neither "every child" nor satisfied by another: its items' answer, merged
            found = self.found.get(outcome_id)
            if not found:
                return NO_ANSWER
            if len(found) == 1:
                f = found[0][1]
                done = (True, None, (f.option,)) if f.met and not f.supplementary else (False, f.earliest, ())
            else:
                done = merged([f for _, f in found])
            self._answers[outcome_id] = done
            return done
        if outcome_id not in self.found and not outcome.each and not outcome.satisfied_by:
            return NO_ANSWER
        if outcome_id in self._answers:
            return NO_ANSWER  # a satisfied_by loop reads as "not met"
        self._answers[outcome_id] = None
        done = self._answers[outcome_id] = self._decide(outcome)
        return done

    def _decide(self, outcome: Outcome) -> tuple:
        for other in outcome.satisfied_by:
            if self.answer(other)[0]:
                return True, None, (other,)
        if outcome.each:
            return self._decide_each(outcome)
        found = self.found.get(outcome.id)
        if not found:
            return NO_ANSWER
        if len(found) == 1:
            f = found[0][1]
            return (True, None, (f.option,)) if f.met and not f.supplementary else (False, f.earliest, ())
        return merged([f for _, f in found])

    def _decide_each(self, outcome: Outcome) -> tuple:
        found = self.found.get(outcome.id, ())
        people = self._in_scope(outcome, [ev for ev, _ in found])
        if not people:
            return NO_ANSWER
        met, dates = True, []
        via: tuple = ()
        for m in people:
            mine = [f for ev, f in found if m.id in ev.members]
            a = merged(mine) if mine else NO_ANSWER
            if a[0]:
                via += a[2]
            else:
                met = False
                dates.append(a[1])
        return (True, None, via) if met else (False, latest_of(dates), ())

    def finding(self, outcome: Outcome, ev: Evidence) -> Finding:
        """One evidence item's finding."""
        return next(f for item, f in self.found[outcome.id] if item is ev)

    def _in_scope(self, outcome: Outcome, items) -> list:
        """Whom an "every child" outcome is about: each member who fits it over a period its evidence
        measures (statutory school age on the period's start, other ages on its end), and each member an
        item names by a route that is about someone else (Suffolk 2.1's 16-17 route) who fits that route.
        With no evidence yet, nothing is measured: those who fit it on the as-of date."""
        members = self.case.members
        if not items:
            day = self.as_of
            return [m for m in members if outcome.fits(m.date_of_birth, day, day)]
        bounds, routes, people = outcome.bounds, outcome.route_bounds, []
        if bounds is None:
            return list(members)
        for m in members:
            born = m.date_of_birth
            for ev in items:
                period = ev.period
                if bounds.fits(born, period.start, period.end):
                    break
                if routes:
                    option = ev.option if ev.option is not None else ev.values.get("option")
                    if type(option) is str and option in routes and m.id in ev.members:
                        route = routes[option]  # None: the route is about anyone
                        if route is None or route.fits(born, period.start, period.end):
                            break
            else:
                continue
            people.append(m)
        return people

    def member_answer(self, outcome: Outcome, member, found) -> tuple | None:
        """(met, earliest, routes) of an "every child" outcome for one member, or None with no item for them."""
        mine = [f for ev, f in found if member.id in ev.members]
        return merged(mine) if mine else None

    def set_aside_items(self) -> list[str]:
        """Every counted evidence item that cannot be used, which and why (each is judged, asked or not)."""
        out = []
        for oid, items in self.found.items():
            for ev, f in items:
                why = f.set_aside
                if why:
                    out.append(f"Evidence {ev.id} for {oid} is set aside: {why}.")
        return out

    # -- problems: the decision -------------------------------------------------

    def _best(self, candidates: Candidates) -> tuple[bool, dt.date | None]:
        """(is any of these outcomes met?, the earliest date one could be). Only outcomes with evidence, or
        that another can satisfy, can be either."""
        met, earliest, answers = False, None, self._answers
        if candidates.any_order:
            ids = candidates.ids
            asked = [oid for oid in self.found if oid in ids]
            if candidates.satisfiable:
                asked += candidates.satisfiable
        else:
            asked = [o.id for o in candidates.outcomes if o.id in self.found or o.satisfied_by]
        for oid in asked:
            a = answers.get(oid) or self.answer(oid)
            if a[0]:
                met = True
            elif a[1] and (earliest is None or a[1] < earliest):
                earliest = a[1]
        return met, earliest

    def problem_answers(self) -> list[tuple]:
        """(problem id, achieved, earliest) for each identified problem, in the order first identified."""
        done = self._problem_answers
        if done is None:
            decide = getattr(self, _ACHIEVEMENT[self.plan.achievement])
            done = self._problem_answers = [decide(pid, info["indicators"]) for pid, info in self.identified.items()]
        return done

    def _problem_any(self, pid, indicators) -> tuple:
        candidates, mandatory = self.plan.candidates(pid, indicators)
        met, earliest = self._best(candidates)
        if met and mandatory and any(rule["option"] not in self.answer(o.id)[2] for o, rule in mandatory):
            met = False  # a mandatory route not taken
        return (pid, True, None) if met else (pid, False, earliest)

    def _problem_each_need(self, pid, indicators) -> tuple:
        dates = []
        for need_id in sorted(indicators):
            met, earliest = self._best(self.plan.need_candidates(pid, need_id))
            if not met:
                dates.append(earliest)
        return (pid, True, None) if not dates else (pid, False, latest_of(dates))

    def _problem_family_plan(self, pid, indicators) -> tuple:
        mine = [ref for ref in self.case.plan_outcomes if self._plan_owner(ref) == pid]
        if not mine:
            return pid, False, None
        dates = [a[1] for a in map(self.answer, mine) if not a[0]]
        return (pid, True, None) if not dates else (pid, False, latest_of(dates))

    def _plan_owner(self, outcome_id: str) -> str | None:
        """The identified problem a family-plan outcome counts for: its own, else one suggesting it."""
        own = self.plan.outcome_by_id[outcome_id].problem
        if own in self.identified:
            return own
        return next((p for p in self.identified if outcome_id in self.plan.problem_by_id[p].suggested), None)

    # -- the family -------------------------------------------------------------

    def not_eligible(self) -> tuple:
        """Why the family is not eligible, as the names of the rules it fails (none: eligible)."""
        out: tuple[str, ...] = ()
        if len(self.identified) < self.plan.minimum:
            out += ("minimum",)
        if self.plan.needs_child and not self._has_dependent_child():
            out += ("dependent_child",)
        return out

    def _has_dependent_child(self) -> bool:
        day = min((p.identified_on for p in self.case.problems), default=self.as_of)
        for m in self.case.members:
            if m.role != "child":
                continue
            born = m.date_of_birth
            age = age_on(born, day)
            if age < 16 or (age <= 18 and m.activity in DEPENDENT_ACTIVITIES):
                return True
        return False

    def essentials(self) -> set:
        given = self._essentials
        if given is None:
            value = self.case.essentials
            given = self._essentials = {k for k, v in value.items() if v is True} if type(value) is dict else set(value)
        return given

    def essentials_missing(self, claim: str) -> list[dict]:
        given = self.essentials()
        return [e for e in self.plan.essentials_for(claim) if e["id"] not in given]

    def sustainment(self) -> tuple[bool, dt.date | None]:
        """(still waiting for the months after closure?, the day they end), for a plan that judges outcomes
        after closure; (False, None) for any other."""
        months = self.plan.months_after_closure
        if not months:
            return False, None
        closed = self.case.closed_on
        if closed is None:
            return True, None
        ready = cal.add_months(closed, months)
        return self.as_of < ready, ready

    def decide(self) -> tuple:
        """(reasons not eligible, essentials missing, problem answers, waiting, ready, continuous employment's
        answer, the claim, the earliest claim date): the whole decision, compact."""
        done = self._decided
        if done is not None:
            return done
        plan = self.plan
        not_eligible = self.not_eligible()
        essentials = self.essentials_missing(SS)
        problems = self.problem_answers()
        waiting, ready = self.sustainment() if plan.months_after_closure else (False, None)
        ce = self.answer(plan.ce_ref) if plan.ce_ref else None
        ss = not not_eligible and not essentials and bool(problems) and not waiting and all(p[1] for p in problems)
        claim = (
            SS
            if ss
            else CE
            if not not_eligible and ce is not None and ce[0] and not self.essentials_missing(CE)
            else None
        )
        earliest = None if claim or not_eligible or essentials else self._claim_date(problems, ready, ce)
        done = self._decided = (not_eligible, essentials, problems, waiting, ready, ce, claim, earliest)
        return done

    def verdict(self) -> Verdict:
        """The verdict a person reads: the objects are built, and their sentences written, from the decision."""
        return Reading(self).verdict()

    def outcome(self, outcome_id: str) -> OutcomeResult:
        """One outcome's answer as a person reads it."""
        return self.reading.outcome(outcome_id)

    @property
    def reading(self) -> Reading:
        reading = self._reading
        if reading is None:
            reading = self._reading = Reading(self)
        return reading

    def row(self) -> list:
        """The cohort CSV row: ref, eligible, turned_around, claim_type, problems_not_achieved, earliest date."""
        not_eligible, _, problems, _, _, _, claim, earliest = self.decide()
        return [
            self.case.ref,
            "no" if not_eligible else "yes",
            "yes" if claim else "no",
            claim or "",
            ";".join([p[0] for p in problems if not p[1]]),
            earliest.isoformat() if earliest else "",
        ]

    def _claim_date(self, problems, ready, ce) -> dt.date | None:
        dates = [p[2] for p in problems if not p[1]]
        ss_date = None
        if problems and None not in dates:
            candidates = [d for d in dates if d] + ([ready] if ready else [])
            needs_closure = self.plan.rule["sustainment_after_closure_months"] and ready is None
            ss_date = max(candidates) if candidates and not needs_closure else None
        ce_date = ce[1] if ce is not None and not ce[0] else None
        earliest = min((d for d in (ss_date, ce_date) if d), default=None)
        # Never before the as-of date: a window that has closed already could be evidenced today.
        return max(earliest, self.as_of) if earliest is not None else None


def merged(findings) -> tuple:
    """(met, earliest, routes) of several items for one outcome: met by any met and not supplementary;
    otherwise the earliest date any could be."""
    via: tuple = ()
    earliest = None
    for f in findings:
        if f.met and not f.supplementary:
            via += (f.option,)
        elif f.earliest and (earliest is None or f.earliest < earliest):
            earliest = f.earliest
    return (True, None, via) if via else (False, earliest, ())


def earliest_of(results) -> dt.date | None:
    """When the first running window could close (None when no window is running)."""
    return min((r.earliest for r in results if r.earliest), default=None)


def latest_of(dates) -> dt.date | None:
    """When every part could be met: the last date, or None if any part has no date."""
    return max(dates) if dates and None not in dates else None


def identified_problems(case: Case) -> dict[str, dict]:
    """Identified problems in the order first found, each with its indicators and stage."""
    out: dict[str, dict] = {}
    problems = case.problems
    if len(problems) > 1:
        problems = sorted(problems, key=_identified_on)  # a stable sort: ties keep the case's order
    for item in problems:
        info = out.get(item.problem)
        if info is None:
            out[item.problem] = {
                "indicators": {item.indicator},
                "stage": item.stage,
                "identified_on": item.identified_on,
            }
        else:
            info["indicators"].add(item.indicator)
            if item.stage == "identification":
                info["stage"] = "identification"
    for info in out.values():
        info["indicators"] = frozenset(info["indicators"])
    return out


_identified_on = attrgetter("identified_on")
