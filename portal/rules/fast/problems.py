"""Whether each identified problem is achieved, under the plan's achievement rule.

Follows engine.Decision._problem_any, _problem_each_need and _problem_family_plan;
the answer is (achieved, earliest): the ProblemResult without its reasons.

Which outcomes can achieve a problem depends only on the plan and the indicators
identified, so each (problem, indicators) is compiled once into a small judge; there
are only as many as the plan has problems and indicator sets.
"""

from __future__ import annotations

from .outcomes import latest_of


def best(among, satisfiable, outcomes):
    """(any of `among` met?, the earliest date one could be). Only outcomes with evidence (answered
    up front, so in `outcomes`) or that satisfied_by can meet can be either; others are no_evidence."""
    met, earliest = False, None
    for oid in (*among.intersection(outcomes), *satisfiable):
        ok, when, _ = outcomes[oid]
        if ok:
            met = True
        elif when and (earliest is None or when < earliest):
            earliest = when
    return met, earliest


class Problems:
    """problems.for_family(family)(pid, indicators, outcomes) -> (achieved, earliest)."""

    def __init__(self, plan, compiled_outcomes: dict):
        self.plan, self.satisfiable = plan, {oid for oid, o in compiled_outcomes.items() if o.satisfied_by}
        rule = plan.rule["achievement"]
        # every_outcome_in_family_plan depends on the family's own plan, so it is not compiled per problem.
        self.by_family_plan = rule == "every_outcome_in_family_plan"
        self.compile = {"every_problem": self._any, "every_indicator": self._each_need}.get(rule)
        self._judges: dict = {}

    def for_family(self, family):
        """The judge of this family's problems; under every_outcome_in_family_plan, with the family's
        plan outcomes sorted once by the problem each counts for."""
        if not self.by_family_plan:
            return self.judge
        owned: dict = {}
        for ref in family.plan_outcomes:
            owned.setdefault(self._plan_owner(ref, family.identified), []).append(ref)
        return lambda pid, indicators, outcomes: self._family_plan(owned.get(pid), outcomes)

    def judge(self, pid, indicators, outcomes):
        key = (pid, *indicators) if len(indicators) == 1 else (pid, frozenset(indicators))
        judge = self._judges.get(key)
        if judge is None:
            judge = self._judges[key] = self.compile(self.plan.problem_by_id[pid], frozenset(indicators))
        return judge(outcomes)

    def _candidates(self, problem, indicators, also: bool):
        """engine.Decision._candidates as (a set, those of them satisfied_by can meet)."""
        ids = [o.id for o in problem.outcomes if o.answers_any(indicators)]
        ids += [o.id for o in self.plan.evidencing[problem.id]] if also else []
        return frozenset(ids), tuple(o for o in ids if o in self.satisfiable)

    def _any(self, problem, indicators):
        """every_problem: any candidate met, and every mandatory route for these indicators taken."""
        among, satisfiable = self._candidates(problem, indicators, also=True)
        mandatory = [(o.id, o.mandatory["option"]) for o in problem.outcomes
                     if o.mandatory and set(o.mandatory["indicators"]) & indicators]

        def judge(outcomes):
            met, earliest = best(among, satisfiable, outcomes)
            if met and mandatory and [oid for oid, option in mandatory if option not in outcomes[oid][2]]:
                met = False  # a mandatory route not taken
            return (True, None) if met else (False, earliest)

        return judge

    def _each_need(self, problem, indicators):
        """every_indicator: for each indicator, one of its own outcomes met."""
        needs = [self._candidates(problem, {need}, also=False) for need in sorted(indicators)]

        def judge(outcomes):
            open_needs = []
            for among, satisfiable in needs:
                met, earliest = best(among, satisfiable, outcomes)
                if not met:
                    open_needs.append(earliest)
            return (True, None) if not open_needs else (False, latest_of(open_needs))

        return judge

    @staticmethod
    def _family_plan(refs, outcomes):
        """every_outcome_in_family_plan: every outcome in the family's plan that counts for it met."""
        if not refs:
            return False, None
        open_dates = [r[1] for r in (outcomes[ref] for ref in refs) if not r[0]]
        return (True, None) if not open_dates else (False, latest_of(open_dates))

    def _plan_owner(self, ref, identified):
        """engine.Decision._plan_owner: the outcome's own problem if identified, else the first
        identified problem that suggests it."""
        own = self.plan.outcome_by_id[ref].problem
        if own in identified:
            return own
        return next((p for p in identified if ref in self.plan.problem_by_id[p].suggested), None)
