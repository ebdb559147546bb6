"""Decides a family case against a plan: eligibility, each problem, the claim.

Pure Python: no Flask, no database, so it runs in a worker, the CLI or a notebook.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from . import calendar as cal
from .case import Case, CaseError, Evidence, parse_case
from .measures import Context, Finding
from .plan import Outcome, Plan, Problem, same_text
from .verdict import NeedResult, OutcomeResult, ProblemResult, Verdict

ABOUT_WORDS = {
    "adult": "an adult (18 or over)",
    "child": "a child (under 18)",
    "school_age_child": "a child of statutory school age (5 to 15)",
    "young_person": "a young person (16 or 17)",
    "pre_school_child": "a pre-school child (0 to 4)",
    "any": "a family member",
}
DEPENDENT_ACTIVITIES = ("education", "training", "unemployed")
CLAIMS = ("significant_and_sustained", "continuous_employment")


def evaluate(plan: Plan, case_data, as_of: dt.date) -> Verdict:
    """The verdict for one case; raises CaseError if the case does not fit the plan."""
    case = case_data if isinstance(case_data, Case) else parse_case(case_data)
    check_case_against_plan(plan, case)
    return Decision(plan, case, as_of).verdict()


def check_case_against_plan(plan: Plan, case: Case) -> None:
    faults = []
    if case.plan and case.plan != plan.id:
        faults.append(f"plan: the case is on plan {case.plan!r}, not {plan.id!r}")
    for i, item in enumerate(case.problems):
        problem = plan.problem_by_id.get(item.problem)
        if problem is None:
            faults.append(f"problems[{i}].problem: no {plan.term('problem')} {item.problem!r} in {plan.id}")
        elif problem.indicator(item.indicator) is None:
            faults.append(f"problems[{i}].indicator: {plan.term('problem')} {item.problem} has no "
                          f"{plan.term('indicator')} {item.indicator!r}")
    for i, ev in enumerate(case.evidence):
        if ev.outcome not in plan.outcome_by_id:
            faults.append(f"evidence[{i}].outcome: no outcome {ev.outcome!r} in {plan.id}")
    for ref in case.plan_outcomes:
        if ref not in plan.outcome_by_id:
            faults.append(f"plan_outcomes: no outcome {ref!r} in {plan.id}")
    if faults:
        raise CaseError(faults)


def member_fits(member, about: str, ages, start: dt.date, end: dt.date) -> bool:
    if about == "family":
        return True
    age = cal.age_on(member.born, start if about == "school_age_child" else end)
    if ages and not ages[0] <= age <= ages[1]:
        return False
    return {
        "any": True,
        "adult": age >= 18,
        "child": age < 18,
        "school_age_child": 5 <= age <= 15,
        "young_person": 16 <= age <= 17 if not ages else True,
        "pre_school_child": age <= 4,
    }[about]


def about_words(outcome: Outcome, option=None) -> str:
    about, ages = outcome.scope(option)
    words = ABOUT_WORDS.get(about, "a family member")
    if ages:
        words += f" aged {ages[0]} to {ages[1]}"
    return words


def judge_evidence(plan: Plan, outcome: Outcome, ev: Evidence, case: Case, as_of: dt.date) -> Finding:
    """What one evidence item shows. An item that cannot be used (faulty values, a source the outcome
    does not name, a member it cannot be about, values that contradict each other) is set aside: it never
    meets, and the finding says why (`set_aside`)."""
    values = with_option(ev.values, ev.option)
    why = unusable(outcome, ev, values, case, as_of)
    if why:
        return Finding(False, f"evidence {ev.id} cannot be used: {why}", set_aside=why)
    members = [case.members[m] for m in ev.members]
    ages = {m.id: cal.age_on(m.born, ev.end) for m in members}
    ctx = Context(as_of=as_of, start=ev.start, end=ev.end, closed_on=case.closed_on, ages=ages)
    finding = outcome.measure.evaluate(values, ctx)
    if finding.earliest is not None and finding.earliest < as_of:
        # The window has closed already: evidence to its end could come in today, so no earlier date.
        finding.earliest = as_of
    return finding


def unusable(outcome: Outcome, ev: Evidence, values: dict, case: Case, as_of: dt.date) -> str | None:
    """Why this evidence item cannot be used for its outcome, or None."""
    faults = outcome.measure.check_values(values)
    if faults:
        return faults[0][1]
    if outcome.source_keys and same_text(ev.source) not in outcome.source_keys:
        named = "; ".join(outcome.sources)
        if not ev.source.strip():
            return f"it names no source; {outcome.id} names: {named}"
        return f"its source \"{ev.source}\" is not one {outcome.id} names ({named})"
    about, ages = outcome.scope(values.get("option"))
    if about != "family" and not ev.members:
        return f"it names no family member; it must be about {about_words(outcome, values.get('option'))}"
    for mid in ev.members:
        member = case.members[mid]
        if not member_fits(member, about, ages, ev.start, ev.end):
            return f"it is about {member.label()}, but {outcome.id} must be about {about_words(outcome, values.get('option'))}"
    ctx = Context(as_of=as_of, start=ev.start, end=ev.end, closed_on=case.closed_on)
    contradictions = outcome.measure.contradictions(values, ctx)
    if contradictions:
        return f"it contradicts itself: {contradictions[0][1]}"
    return None


def with_option(values: dict, option) -> dict:
    """The chosen route of an any_of measure travels beside the values, not among them."""
    return {**values, "option": option} if option is not None else values


@dataclass
class Decision:
    plan: Plan
    case: Case
    as_of: dt.date
    _outcomes: dict = field(default_factory=dict)

    def __post_init__(self):
        self.by_outcome: dict[str, list[Evidence]] = {}
        self.set_aside: list[str] = []
        for ev in self.case.evidence:
            if ev.status != "accepted":
                continue
            if ev.end > self.as_of:
                self.set_aside.append(f"evidence {ev.id} runs to {ev.end.isoformat()}, after {self.as_of.isoformat()}, "
                                      "so it is not counted yet")
                continue
            self.by_outcome.setdefault(ev.outcome, []).append(ev)
        self.identified = identified_problems(self.case)
        self._findings: dict = {}

    # -- outcomes ---------------------------------------------------------------

    def outcome(self, outcome_id: str) -> OutcomeResult:
        done = self._outcomes.get(outcome_id)
        if done is not None:
            return done
        outcome = self.plan.outcome_by_id[outcome_id]
        if outcome_id not in self.by_outcome and not outcome.each and not outcome.satisfied_by:
            return no_evidence(outcome)
        if outcome_id not in self._outcomes:
            self._outcomes[outcome_id] = None  # a satisfied_by loop reads as "not met"
            self._outcomes[outcome_id] = self._judge(self.plan.outcome_by_id[outcome_id])
        return self._outcomes[outcome_id] or OutcomeResult(outcome_id, False, ["(circular satisfied_by)"])

    def _judge(self, outcome: Outcome) -> OutcomeResult:
        for other in outcome.satisfied_by:
            if self.outcome(other).met:
                return OutcomeResult(outcome.id, True, [f"met because {other} is met"], via={other})
        items = self.by_outcome.get(outcome.id)
        if not items and not outcome.each:
            return no_evidence(outcome)  # most outcomes of most families: shared, never changed
        findings = [(ev, self.finding(outcome, ev)) for ev in items or ()]
        if outcome.each:
            return self._judge_each(outcome, findings)
        return self._judge_any(outcome, findings)

    def finding(self, outcome: Outcome, ev: Evidence) -> Finding:
        """One evidence item's finding, worked out once."""
        done = self._findings.get(id(ev))
        if done is None:
            done = self._findings[id(ev)] = judge_evidence(self.plan, outcome, ev, self.case, self.as_of)
        return done

    def set_aside_items(self) -> list[str]:
        """Every counted evidence item that cannot be used, which and why (each is judged, asked or not)."""
        out = []
        for oid, items in self.by_outcome.items():
            outcome = self.plan.outcome_by_id[oid]
            for ev in items:
                why = self.finding(outcome, ev).set_aside
                if why:
                    out.append(f"Evidence {ev.id} for {oid} is set aside: {why}.")
        return out

    def _judge_any(self, outcome: Outcome, findings) -> OutcomeResult:
        if not findings:
            return no_evidence(outcome)
        good = [(ev, f) for ev, f in findings if f.met and not f.supplementary]
        if good:
            return OutcomeResult(outcome.id, True, [f.reason for _, f in good[:1]], [ev.id for ev, _ in good],
                                 via={f.option for _, f in good})
        reasons = [f.reason for _, f in findings]
        if any(f.met for _, f in findings):
            reasons.append(f"supplementary evidence supports {outcome.id} but cannot prove it alone")
        earliest = min((f.earliest for _, f in findings if f.earliest), default=None)
        return OutcomeResult(outcome.id, False, reasons, [ev.id for ev, _ in findings], earliest=earliest)

    def _judge_each(self, outcome: Outcome, findings) -> OutcomeResult:
        people = self._in_scope(outcome, [ev for ev, _ in findings])
        if not people:
            return OutcomeResult(outcome.id, False, [f"no family member is {about_words(outcome)}"])
        results = [self._judge_member(outcome, m, findings) for m in people]
        met = all(r.met for r in results)
        reasons = [r.reasons[0] for r in results if r.met == met]
        earliest = latest_of([r.earliest for r in results if not r.met])
        evidence = [e for r in results for e in r.evidence]
        via = set().union(*(r.via for r in results)) if met else set()
        return OutcomeResult(outcome.id, met, reasons, evidence, earliest=earliest, via=via)

    def _in_scope(self, outcome: Outcome, items) -> list:
        """Whom an "every child" outcome is about: each member who fits it over a period its evidence
        measures (statutory school age on the period's start, other ages on its end), and each member an
        item names by a route that is about someone else (Suffolk 2.1's 16-17 route) who fits that route.
        With no evidence yet, nothing is measured: those who fit it on the as-of date."""
        members = self.case.members.values()
        if not items:
            return [m for m in members if member_fits(m, outcome.about, outcome.ages, self.as_of, self.as_of)]
        people = []
        for m in members:
            for ev in items:
                if member_fits(m, outcome.about, outcome.ages, ev.start, ev.end):
                    break
                option = ev.option if ev.option is not None else ev.values.get("option")
                route = outcome.route_scope.get(option) if type(option) is str else None
                if route and m.id in ev.members and member_fits(m, *route, ev.start, ev.end):
                    break
            else:
                continue
            people.append(m)
        return people

    def _judge_member(self, outcome, member, findings) -> OutcomeResult:
        mine = [(ev, f) for ev, f in findings if member.id in ev.members]
        if not mine:
            return OutcomeResult(outcome.id, False, [f"{member.label()}: no accepted evidence for {outcome.id} yet"])
        result = self._judge_any(outcome, mine)
        result.reasons = [f"{member.label()}: {r}" for r in result.reasons]
        return result

    # -- problems ---------------------------------------------------------------

    def problems(self) -> list[ProblemResult]:
        rule = self.plan.rule["achievement"]
        judge = {
            "every_problem": self._problem_any,
            "every_indicator": self._problem_each_need,
            "every_outcome_in_family_plan": self._problem_family_plan,
        }[rule]
        return [judge(self.plan.problem_by_id[pid], info) for pid, info in self.identified.items()]

    def _problem_any(self, problem: Problem, info) -> ProblemResult:
        indicators = info["indicators"]
        candidates = self._candidates(problem, indicators)
        results = [self.outcome(o.id) for o in candidates]
        reasons = self._mandatory_gaps(problem, indicators)
        achieved = any(r.met for r in results) and not reasons
        if not any(r.met for r in results):
            reasons.insert(0, self._none_met(problem, candidates, indicators))
        return ProblemResult(problem.id, problem.title, achieved, info, results, reasons,
                             earliest=None if achieved else self._earliest(results))

    def _candidates(self, problem: Problem, indicators) -> list[Outcome]:
        """Outcomes that can achieve this problem for these indicators; the same for every family."""
        key = (problem.id, frozenset(indicators))
        cache = self.plan.__dict__.setdefault("_candidates", {})
        if key not in cache:
            cache[key] = [o for o in problem.outcomes if o.answers_any(indicators)] + self.plan.evidencing[problem.id]
        return cache[key]

    def _mandatory_gaps(self, problem: Problem, indicators) -> list[str]:
        gaps = []
        for o in problem.outcomes:
            rule = o.mandatory
            if rule and set(rule["indicators"]) & set(indicators) and rule["option"] not in self.outcome(o.id).via:
                label = o.measure.option(rule["option"])["label"]
                which = ", ".join(sorted(set(rule["indicators"]) & set(indicators)))
                gaps.append(f"{o.id} through \"{label}\" (option {rule['option']}) is mandatory where "
                            f"{self.plan.term('indicator')} {which} is identified, and it is not met")
        return gaps

    def _none_met(self, problem, candidates, indicators) -> str:
        ids = ", ".join(o.id for o in candidates) or "none"
        term = self.plan.term("indicator")
        return (f"no outcome answering {term} {', '.join(sorted(indicators))} is met "
                f"(outcomes that could: {ids})")

    def _problem_each_need(self, problem: Problem, info) -> ProblemResult:
        needs = []
        for need_id in sorted(info["indicators"]):
            candidates = [o for o in problem.outcomes if o.answers_any({need_id})]
            results = [self.outcome(o.id) for o in candidates]
            achieved = any(r.met for r in results)
            needs.append(NeedResult(need_id, problem.indicator(need_id).text, achieved, results))
        achieved = all(n.achieved for n in needs)
        reasons = [f"{self.plan.term('indicator')} {n.id} ({n.text}): no positive outcome yet"
                   for n in needs if not n.achieved]
        results = [r for n in needs for r in n.outcomes]
        earliest = None if achieved else self._need_earliest(needs)
        return ProblemResult(problem.id, problem.title, achieved, info, results, reasons, needs=needs,
                             earliest=earliest)

    def _problem_family_plan(self, problem: Problem, info) -> ProblemResult:
        mine = [ref for ref in self.case.plan_outcomes if self._plan_owner(ref) == problem.id]
        results = [self.outcome(ref) for ref in mine]
        reasons = [f"{r.id} is in the family's plan and is not met" for r in results if not r.met]
        if not mine:
            reasons.append(f"the family's plan lists no outcome for {self.plan.term('problem')} {problem.id}")
        achieved = bool(mine) and not reasons
        return ProblemResult(problem.id, problem.title, achieved, info, results, reasons,
                             earliest=None if achieved or not mine else latest_of([r.earliest for r in results if not r.met]))

    def _plan_owner(self, outcome_id: str) -> str | None:
        """The identified problem a family-plan outcome counts for: its own, else one suggesting it."""
        own = self.plan.outcome_by_id[outcome_id].problem
        if own in self.identified:
            return own
        return next((p for p in self.identified if outcome_id in self.plan.problem_by_id[p].suggested), None)

    def _earliest(self, results) -> dt.date | None:
        """When the first running window could close (None when no window is running)."""
        return min((r.earliest for r in results if r.earliest), default=None)

    def _need_earliest(self, needs) -> dt.date | None:
        return latest_of([min((r.earliest for r in n.outcomes if r.earliest), default=None)
                          for n in needs if not n.achieved])

    # -- the family -------------------------------------------------------------

    def eligibility(self) -> list[str]:
        reasons = []
        minimum = self.plan.rule["eligibility"]["minimum"]
        if len(self.identified) < minimum:
            reasons.append(self._too_few(minimum))
        if self.plan.rule["eligibility"]["dependent_child"] and not self._has_dependent_child():
            reasons.append("the family has no dependent child (aged 0 to 15, or 16 to 18 and in full-time "
                           "education, training or unemployed)")
        return reasons

    def _too_few(self, minimum: int) -> str:
        titles = ", ".join(self.plan.problem_by_id[p].title for p in self.identified) or "none"
        n = len(self.identified)
        problems = self.plan.terms_of("problem", n)
        if self.plan.rule["achievement"] == "every_indicator":
            needs = self.plan.terms_of("indicator")
            return f"{needs} from only {n} distinct {problems}: {titles}; {minimum} are required"
        return f"only {n} {problems} identified ({titles}); {minimum} are required"

    def _has_dependent_child(self) -> bool:
        dates = [p.on for p in self.case.problems if p.on]
        day = min(dates) if dates else self.as_of
        for m in self.case.members.values():
            age = cal.age_on(m.born, day)
            if m.role == "child" and (age < 16 or (age <= 18 and m.activity in DEPENDENT_ACTIVITIES)):
                return True
        return False

    def essentials_missing(self, claim: str) -> list[dict]:
        return [e for e in self.plan.essentials
                if e["id"] not in self.case.essentials and claim in (e["claims"] or CLAIMS)]

    def sustainment(self) -> tuple[list[str], dt.date | None]:
        months = self.plan.rule["sustainment_after_closure_months"]
        if not months:
            return [], None
        closed = self.case.closed_on
        if closed is None:
            return [f"the case is not closed: outcomes are judged {months} months after closure"], None
        ready = cal.add_months(closed, months)
        if self.as_of < ready:
            return [f"outcomes are judged {months} months after closure: no claim before {ready.isoformat()}"], ready
        return [], ready

    def continuous_employment(self) -> OutcomeResult | None:
        ref = self.plan.rule["continuous_employment"]
        return self.outcome(ref) if ref else None

    def verdict(self) -> Verdict:
        not_eligible = self.eligibility()
        essentials = self.essentials_missing("significant_and_sustained")
        problems = self.problems()
        waiting, ready = self.sustainment()
        ce = self.continuous_employment()
        ss = not not_eligible and not essentials and bool(problems) and all(p.achieved for p in problems) and not waiting
        ce_met = not not_eligible and ce is not None and ce.met and not self.essentials_missing("continuous_employment")
        claim = "significant_and_sustained" if ss else "continuous_employment" if ce_met else None
        missing = self._missing(not_eligible, essentials, problems, waiting)
        earliest = None if claim or not_eligible or essentials else self._claim_date(problems, ready, ce)
        return Verdict(
            ref=self.case.ref, plan=self.plan.id, as_of=self.as_of, eligible=not not_eligible,
            eligibility=not_eligible or [self._eligible_because()], turned_around=claim is not None,
            claim_type=claim, earliest_claim_date=earliest, problems=problems,
            essentials_missing=[e["id"] for e in essentials], continuous_employment=ce,
            missing=missing, notes=self.set_aside,
        )

    def _eligible_because(self) -> str:
        titles = ", ".join(self.plan.problem_by_id[p].title for p in self.identified)
        n = len(self.identified)
        return f"{n} {self.plan.terms_of('problem', n)} identified: {titles}"

    def _missing(self, not_eligible, essentials, problems, waiting) -> list[str]:
        out = [f"Not eligible: {r}." for r in not_eligible]
        out += [f"Essential not evidenced: {e['text']}" for e in essentials]
        for p in problems:
            if not p.achieved:
                term = self.plan.term("problem").capitalize()
                out.append(f"{term} {p.id} ({p.title}) is not achieved: " + "; ".join(p.reasons) + ".")
        if not problems:
            out.append(f"No {self.plan.term('problem')} has been identified.")
        out += [w[0].upper() + w[1:] + "." for w in waiting]
        out += self.set_aside_items()
        return out

    def _claim_date(self, problems, ready, ce) -> dt.date | None:
        open_problems = [p for p in problems if not p.achieved]
        dates = [p.earliest for p in open_problems]
        ss_date = None
        if problems and None not in dates:
            candidates = [d for d in dates if d] + ([ready] if ready else [])
            needs_closure = self.plan.rule["sustainment_after_closure_months"] and ready is None
            ss_date = max(candidates) if candidates and not needs_closure else None
        ce_date = ce.earliest if ce is not None and not ce.met else None
        earliest = min((d for d in (ss_date, ce_date) if d), default=None)
        # Never before the as-of date: a window that has closed already could be evidenced today.
        return max(earliest, self.as_of) if earliest is not None else None


def no_evidence(outcome: Outcome) -> OutcomeResult:
    """The shared answer for an outcome nobody has evidenced: built once per outcome."""
    result = outcome.__dict__.get("_no_evidence")
    if result is None:
        result = OutcomeResult(outcome.id, False, [f"no accepted evidence for {outcome.id} yet"])
        outcome._no_evidence = result
    return result


def latest_of(dates) -> dt.date | None:
    """When every part could be met: the last date, or None if any part has no date."""
    return max(dates) if dates and None not in dates else None


def identified_problems(case: Case) -> dict[str, dict]:
    """Identified problems in the order first found, each with its indicators and stage."""
    out: dict[str, dict] = {}
    for item in sorted(case.problems, key=lambda p: (p.on or dt.date.max)):
        info = out.setdefault(item.problem, {"indicators": set(), "stage": item.stage, "identified_on": item.on})
        info["indicators"].add(item.indicator)
        if item.stage == "identification":
            info["stage"] = "identification"
    return out
