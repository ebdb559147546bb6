"""Whether each outcome is met for one family, as `engine.Decision.outcome` decides it.

An answer here is (met, earliest, via): the engine's OutcomeResult without its
reasons and evidence ids, which no cohort column shows. A judge (evidence.py)
answers for one evidence item as if it were the outcome's only one; `merge` folds
the answers of several items as engine._judge_any does (met by any that is met and
not supplementary; otherwise the earliest date any gives).

The engine judges outcomes as the problems ask for them. Here every evidence item
that counts is judged as it is read, and an outcome with evidence is answered by
the time the family is read; any other outcome is answered when asked: not met,
with no date (the engine's shared `no_evidence`), unless `satisfied_by` can meet
it. Judging in another order changes no answer as long as no satisfied_by chain
loops back on itself (then the engine's answer depends on which outcome it asked
about first), so `compile_plan` leaves such a plan to the engine. Judging an
outcome the engine would not ask about changes no answer either: an error there
only sends the line to the engine.
"""

from __future__ import annotations

from .evidence import NOT_MET, age_range, compile_judge

EMPTY = ()
NO_EVIDENCE = NOT_MET


class CompiledOutcome:
    __slots__ = ("each", "id", "judge", "people", "plain", "satisfied_by")

    def __init__(self, outcome, as_of):
        self.id, self.each, self.satisfied_by = outcome.id, outcome.each, tuple(outcome.satisfied_by)
        self.judge = compile_judge(outcome, as_of)
        # Most outcomes: the answer is the merge of their evidence's answers, nothing more.
        self.plain = not self.each and not self.satisfied_by
        self.people = _people(outcome, as_of)

    def each_answer(self, found, born):
        """engine._judge_each, from [(answer, member ids, start, end, route)]: met when met for every member
        it is about (engine._in_scope: those who fit it over a period its evidence measures)."""
        people = self.people(found, born)
        if not people:
            return NO_EVIDENCE
        if len(found) == 1:  # the usual case: one item, met for everyone only if it names everyone
            answer, ids = found[0][:2]
            for member in people:
                if member not in ids:
                    return NO_EVIDENCE  # someone with no evidence: not met, and no date
            return (True, None, set(answer[2])) if answer[0] else answer
        results = []
        for member in people:
            answer = None
            for item, ids, *_ in found:
                if member in ids:
                    answer = item if answer is None else merge(answer, item)
            results.append(answer or NO_EVIDENCE)
        met = all(r[0] for r in results)
        earliest = latest_of([r[1] for r in results if not r[0]])
        return met, earliest, set().union(*(r[2] for r in results)) if met else EMPTY


def _fits(born, day, bounds) -> bool:
    return bounds is None or bounds[0] <= day.year - born.year - ((day.month, day.day) < (born.month, born.day)) <= bounds[1]


def _people(outcome, as_of):
    """people(found, born) -> the member ids an `each` outcome is about (engine._in_scope): those who fit it
    over a period its evidence measures, and those an item names by a route about someone else who fit it."""
    bounds, at_start = age_range(outcome.about, outcome.ages), outcome.about == "school_age_child"
    routes = {option: (age_range(about, ages), about == "school_age_child")
              for option, (about, ages) in outcome.route_scope.items()}
    if bounds is None:
        return lambda found, born: list(born)

    def people(found, born):
        out = []
        for m, b in born.items():
            for _, ids, start, end, option in found:
                if _fits(b, start if at_start else end, bounds):
                    out.append(m)
                    break
                route = routes.get(option) if type(option) is str else None
                if route is not None and m in ids and _fits(b, start if route[1] else end, route[0]):
                    out.append(m)
                    break
        return out

    return people


def ages_on(day, born: dict) -> dict:
    """Each member's age on `day` (dates.age_on)."""
    year, month_day = day.year, (day.month, day.day)
    return {m: year - b.year - (month_day < (b.month, b.day)) for m, b in born.items()}


def merge(first, then):
    """The answer for two sets of evidence of one outcome, from the answer for each."""
    if first[0]:
        return (True, None, first[2] + then[2]) if then[0] else first
    if then[0]:
        return then
    a, b = first[1], then[1]
    return False, (a if not b or (a and a < b) else b), EMPTY


def latest_of(dates):
    return max(dates) if dates and None not in dates else None


def satisfied_by_loops(plan) -> bool:
    """Whether following satisfied_by from some outcome can come back to it."""
    edges = {oid: o.satisfied_by for oid, o in plan.outcome_by_id.items()}
    done, path = set(), set()

    def visit(oid) -> bool:
        if oid in path:
            return True
        if oid in done:
            return False
        path.add(oid)
        looped = any(visit(other) for other in edges.get(oid, ()))
        path.discard(oid)
        done.add(oid)
        return looped

    return any(visit(oid) for oid in edges)


class Answers(dict):
    """outcome id -> (met, earliest, via) for one family: `answers[oid]`.

    The reader puts each plain outcome's answer in as it reads (`add` for the others),
    then calls `finish` if there were any others; outcomes with no evidence, and those satisfied_by can meet, are
    answered when first asked for.
    """

    __slots__ = ("_ages", "as_of", "born", "compiled", "found", "own")

    def __init__(self, compiled: dict, born: dict, as_of):  # starts empty, as dict() does
        self.compiled, self.born, self.as_of = compiled, born, as_of
        self.found = self.own = self._ages = None

    @property
    def ages(self) -> dict:
        """Each member's age on the as-of date, worked out once, for `each` outcomes."""
        if self._ages is None:
            self._ages = ages_on(self.as_of, self.born)
        return self._ages

    def add(self, outcome, answer, ids, start, end, option) -> None:
        """An evidence item's answer for an outcome that is not plain."""
        if outcome.each:
            self.found = self.found or {}
            self.found.setdefault(outcome.id, []).append((answer, ids, start, end, option))
        else:  # satisfied_by: its own evidence counts only if no other outcome satisfies it
            self.own = self.own or {}
            before = self.own.get(outcome.id)
            self.own[outcome.id] = answer if before is None else merge(before, answer)

    def finish(self) -> None:
        """Answers the `each` outcomes, once all their evidence is in."""
        for oid, found in (self.found or {}).items():
            outcome = self.compiled[oid]
            if not outcome.satisfied_by:
                self[oid] = outcome.each_answer(found, self.born)

    def __missing__(self, oid):
        outcome = self.compiled[oid]
        if not outcome.satisfied_by:
            return NO_EVIDENCE  # answered already if it had evidence
        answer = self[oid] = self._satisfied(outcome)
        return answer

    def _satisfied(self, outcome):
        """engine.Decision._judge for an outcome with satisfied_by."""
        for other in outcome.satisfied_by:
            if self[other][0]:
                return True, None, (other,)
        if outcome.each:
            found = (self.found or {}).get(outcome.id)
            return outcome.each_answer(found, self.born) if found else NO_EVIDENCE
        return (self.own or {}).get(outcome.id, NO_EVIDENCE)
