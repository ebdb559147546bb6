"""The verdict as a person reads it, made from the engine's decision (engine.Decision).

The decision is compact: each outcome's answer (met, earliest, routes) and each
problem's (id, achieved, earliest). `Reading` turns it into the objects the page,
the PDF and `portal-rules evaluate` show (verdict.py), and writes their sentences
the first time someone reads them. Nothing here decides anything: every met,
achieved and date comes from the decision.
"""

from __future__ import annotations

from .plan import Outcome, Problem
from .verdict import NeedResult, OutcomeResult, ProblemResult, Verdict
from .words import about_words


class Reading:
    """A decision's results as objects, each built once when first asked for."""

    def __init__(self, decision):
        self.d = decision
        self._results: dict = {}

    def outcome(self, outcome_id: str) -> OutcomeResult:
        """The outcome's answer with the evidence it rests on and, when read, why."""
        done = self._results.get(outcome_id)
        if done is None:
            outcome = self.d.plan.outcome_by_id[outcome_id]
            met, earliest, via = self.d.answer(outcome_id)
            if not met and earliest is None and not via and outcome_id not in self.d.found and not outcome.each:
                return no_evidence(outcome)
            items = [ev for ev, _ in self.d.found.get(outcome_id, ())]
            done = self._results[outcome_id] = OutcomeResult(
                outcome_id,
                met,
                None,
                lambda: self._evidence_ids(outcome, met, via, items),
                earliest,
                frozenset(via),
                explain=lambda: self._why(outcome, met, via, items),
            )
        return done

    def _evidence_ids(self, outcome: Outcome, met, via, items) -> list[str]:
        """The items an outcome's answer rests on: those that meet it, if any do; else every one judged."""
        if met and len(via) == 1 and via[0] in outcome.satisfied_by and self.d.answer(via[0])[0]:
            return []
        if outcome.each:
            return [ev.id for m in self.d._in_scope(outcome, items) for ev in self._for_member(outcome, m, items)]
        return self._for_member(outcome, None, items)

    def _for_member(self, outcome: Outcome, member, items) -> list:
        mine = [ev for ev in items if member is None or member.id in ev.members]
        good = [ev for ev in mine if self.d.finding(outcome, ev).met and not self.d.finding(outcome, ev).supplementary]
        if member is None:
            return [ev.id for ev in (good or mine)]
        return good or mine

    def _why(self, outcome: Outcome, met, via, items) -> list[str]:
        if met and len(via) == 1 and via[0] in outcome.satisfied_by and self.d.answer(via[0])[0]:
            return [f"met because {via[0]} is met"]
        if not met and outcome.satisfied_by and outcome.id in self.d._answers and self.d._answers[outcome.id] is None:
            return ["(circular satisfied_by)"]
        if outcome.each:
            return self._why_each(outcome, met, items)
        return (
            why_any(outcome, [self.d.finding(outcome, ev) for ev in items]) if items else no_evidence(outcome).reasons
        )

    def _why_each(self, outcome: Outcome, met, items) -> list[str]:
        people = self.d._in_scope(outcome, items)
        if not people:
            return [f"no family member is {about_words(outcome)}"]
        out, found = [], self.d.found.get(outcome.id, ())
        for m in people:
            answer = self.d.member_answer(outcome, m, found)
            if answer is None:
                if not met:
                    out.append(f"{m.label()}: no accepted evidence for {outcome.id} yet")
            elif answer[0] == met:
                mine = [f for ev, f in found if m.id in ev.members]
                out.append(f"{m.label()}: {why_any(outcome, mine)[0]}")
        return out

    def problems(self) -> list[ProblemResult]:
        out = []
        for pid, achieved, earliest in self.d.problem_answers():
            problem, info = self.d.plan.problem_by_id[pid], self.d.identified[pid]
            out.append(self._problem_result(problem, info, achieved, earliest))
        return out

    def _problem_result(self, problem: Problem, info, achieved, earliest) -> ProblemResult:
        indicators, rule = info["indicators"], self.d.plan.rule["achievement"]
        if rule == "every_indicator":
            needs = []
            for need_id in sorted(indicators):
                candidates = self.d.plan.need_candidates(problem.id, need_id)
                met, need_earliest = self.d._best(candidates)
                needs.append(
                    NeedResult(
                        need_id,
                        problem.indicator(need_id).text,
                        met,
                        lambda c=candidates: [self.outcome(o.id) for o in c.outcomes],
                        need_earliest,
                    )
                )
            term = self.d.plan.term("indicator")
            return ProblemResult(
                problem.id,
                problem.title,
                achieved,
                info,
                lambda: [r for n in needs for r in n.outcomes],
                None,
                needs=needs,
                earliest=earliest,
                explain=lambda: [f"{term} {n.id} ({n.text}): no positive outcome yet" for n in needs if not n.achieved],
            )
        if rule == "every_outcome_in_family_plan":
            mine = [ref for ref in self.d.case.plan_outcomes if self.d._plan_owner(ref) == problem.id]

            def explain():
                reasons = [f"{ref} is in the family's plan and is not met" for ref in mine if not self.d.answer(ref)[0]]
                if not mine:
                    reasons.append(f"the family's plan lists no outcome for {self.d.plan.term('problem')} {problem.id}")
                return reasons

            return ProblemResult(
                problem.id,
                problem.title,
                achieved,
                info,
                lambda: [self.outcome(r) for r in mine],
                None,
                earliest=earliest,
                explain=explain,
            )
        candidates, mandatory = self.d.plan.candidates(problem.id, indicators)

        def explain_any():
            reasons = [
                self._mandatory_gap(o, indicators)
                for o, rule in mandatory
                if rule["option"] not in self.d.answer(o.id)[2]
            ]
            if not self.d._best(candidates)[0]:
                reasons.insert(0, self._none_met(candidates, indicators))
            return reasons

        return ProblemResult(
            problem.id,
            problem.title,
            achieved,
            info,
            lambda: [self.outcome(o.id) for o in candidates.outcomes],
            None,
            earliest=earliest,
            explain=explain_any,
        )

    def _mandatory_gap(self, o: Outcome, indicators) -> str:
        rule = o.mandatory
        label = o.measure.option(rule["option"])["label"]
        which = ", ".join(sorted(set(rule["indicators"]) & set(indicators)))
        return (
            f'{o.id} through "{label}" (option {rule["option"]}) is mandatory where '
            f"{self.d.plan.term('indicator')} {which} is identified, and it is not met"
        )

    def _none_met(self, candidates, indicators) -> str:
        ids = ", ".join(o.id for o in candidates.outcomes) or "none"
        term = self.d.plan.term("indicator")
        return f"no outcome answering {term} {', '.join(sorted(indicators))} is met (outcomes that could: {ids})"

    def verdict(self) -> Verdict:
        not_eligible, essentials, _, waiting, ready, _, claim, earliest = self.d.decide()
        problems = self.problems()
        ce_ref = self.d.plan.rule["continuous_employment"]
        return Verdict(
            ref=self.d.case.ref,
            plan=self.d.plan.id,
            as_of=self.d.as_of,
            eligible=not not_eligible,
            turned_around=claim is not None,
            claim_type=claim,
            earliest_claim_date=earliest,
            problems=problems,
            essentials_missing=[e["id"] for e in essentials],
            continuous_employment=self.outcome(ce_ref) if ce_ref else None,
            explain=Explanation(self.d, not_eligible, essentials, problems, waiting, ready),
        )


class Explanation:
    """A verdict's sentences, written from the decision when first read."""

    def __init__(self, decision, not_eligible, essentials, problems, waiting, ready):
        self.d, self.not_eligible, self.essentials = decision, not_eligible, essentials
        self.problems, self.waiting, self.ready = problems, waiting, ready

    def eligibility(self) -> list[str]:
        d, plan = self.d, self.d.plan
        n, titles = len(d.identified), ", ".join(plan.problem_by_id[p].title for p in d.identified)
        if not self.not_eligible:
            return [f"{n} {plan.terms_of('problem', n)} identified: {titles}"]
        reasons = []
        if "minimum" in self.not_eligible:
            minimum, problems = plan.rule["eligibility"]["minimum"], plan.terms_of("problem", n)
            if plan.rule["achievement"] == "every_indicator":
                reasons.append(
                    f"{plan.terms_of('indicator')} from only {n} distinct {problems}: {titles or 'none'}; "
                    f"{minimum} are required"
                )
            else:
                reasons.append(f"only {n} {problems} identified ({titles or 'none'}); {minimum} are required")
        if "dependent_child" in self.not_eligible:
            reasons.append(
                "the family has no dependent child (aged 0 to 15, or 16 to 18 and in full-time "
                "education, training or unemployed)"
            )
        return reasons

    def waiting_words(self) -> list[str]:
        months = self.d.plan.rule["sustainment_after_closure_months"]
        if not self.waiting:
            return []
        if self.ready is None:
            return [f"the case is not closed: outcomes are judged {months} months after closure"]
        return [f"outcomes are judged {months} months after closure: no claim before {self.ready.isoformat()}"]

    def missing(self) -> list[str]:
        plan = self.d.plan
        out = [f"Not eligible: {r}." for r in (self.eligibility() if self.not_eligible else [])]
        out += [f"Essential not evidenced: {e['text']}" for e in self.essentials]
        for p in self.problems:
            if not p.achieved:
                term = plan.term("problem").capitalize()
                out.append(f"{term} {p.id} ({p.title}) is not achieved: " + "; ".join(p.reasons) + ".")
        if not self.problems:
            out.append(f"No {plan.term('problem')} has been identified.")
        out += [w[0].upper() + w[1:] + "." for w in self.waiting_words()]
        out += self.d.set_aside_items()
        return out

    def notes(self) -> list[str]:
        as_of = self.d.as_of.isoformat()
        return [
            f"evidence {ev.id} runs to {ev.period.end.isoformat()}, after {as_of}, so it is not counted yet"
            for ev in self.d.later
        ]


def why_any(outcome: Outcome, findings) -> list[str]:
    """Why an outcome with these findings is met (the first item that meets it) or not (every item)."""
    good = [f for f in findings if f.met and not f.supplementary]
    if good:
        return [good[0].reason]
    reasons = [f.reason for f in findings]
    if any(f.met for f in findings):
        reasons.append(f"supplementary evidence supports {outcome.id} but cannot prove it alone")
    return reasons


def no_evidence(outcome: Outcome) -> OutcomeResult:
    """The shared answer for an outcome nobody has evidenced: built once per outcome."""
    result = outcome.no_evidence
    if result is None:
        result = OutcomeResult(outcome.id, False, [f"no accepted evidence for {outcome.id} yet"])
        outcome.no_evidence = result
    return result
