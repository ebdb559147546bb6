"""Reading a family straight from its line, judging its evidence as it goes.

`case.parse_case` builds a dataclass for every member, problem and evidence item
and keeps every field; the decision needs a handful of them. `Reader.read` decodes
only those (the case format's structs, format.py: msgspec checks their types and
reads their dates as it parses), and checks as it goes every other rule that `parse_case` and
`check_case_against_plan` apply. It vouches only for what they accept: wherever it
is unsure (a missing key, an id written as a number, a date written otherwise than
2017-06-30, an unknown outcome...) it raises, `Unsure` or whatever msgspec or
Python raised, and the caller hands the line to the engine, which then decides it
or names the fault exactly as it always has.

Each evidence item that counts (accepted, and ended by the as-of date) is judged
the moment it is read, with its outcome's compiled judge (evidence.py), and its
answer goes straight into the family's Answers (outcomes.py), so that no object is
built for it beyond that answer.
"""

from __future__ import annotations

import datetime as dt
from operator import itemgetter

from ..format import decode_case as decode_line
from .outcomes import Answers, merge

_by_date = itemgetter(0)


class Unsure(Exception):
    """This path cannot vouch for the family: the engine decides it, or names its fault."""


class Family:
    """What the decision reads: ids, dates, and the answers of the outcomes evidenced."""

    __slots__ = ("answers", "born", "children", "closed_on", "essentials", "first_on", "identified",
                 "plan_outcomes", "ref")


class Reader:
    """read(line) -> Family, or raises for the engine to take it; one per compiled plan."""

    def __init__(self, plan, as_of: dt.date, outcomes: dict):
        self.plan_id, self.as_of, self.outcomes = plan.id, as_of, outcomes
        self.indicators = {p.id: frozenset(i.id for i in p.indicators) for p in plan.problems}
        self.outcome_ids = frozenset(plan.outcome_by_id)

    def read(self, line: bytes) -> Family:
        if not line.isascii():
            line.decode()  # msgspec does not look inside the text it skips; the engine's decoder refuses bad UTF-8
        data = decode_line(line)
        family = Family()
        family.ref, named_plan = data.ref, data.plan
        if not data.ref.strip() or (named_plan and named_plan != self.plan_id):
            raise Unsure
        family.born, family.children = self._members(data.members)
        family.essentials = self._essentials(data.essentials)
        family.plan_outcomes = self._plan_outcomes(data.plan_outcomes)
        family.identified, family.first_on = self._problems(data.problems, family.born)
        family.closed_on = data.closed_on
        family.answers = self._evidence(data.evidence, family.born, family.closed_on)
        return family

    @staticmethod
    def _members(members):
        """{id: date of birth}, and (date of birth, activity) for each child."""
        born, children = {}, []
        for m in members or ():
            mid = m.id
            if not mid.strip() or mid in born:
                raise Unsure
            born[mid] = m.date_of_birth
            if m.role == "child":
                children.append((m.date_of_birth, m.activity))
        return born, children

    @staticmethod
    def _essentials(value):
        if type(value) is list:
            return set(map(str, value))
        if type(value) is dict:
            return {k for k, v in value.items() if v is True}
        if value:  # anything else the engine calls a fault; a missing or empty value is none
            raise Unsure
        return set()

    def _plan_outcomes(self, value):
        if not value:
            return []
        if type(value) is not list or not self.outcome_ids.issuperset(value):
            raise Unsure
        return value

    def _problems(self, problems, born):
        """The identified problems in the order first found, each with its indicators
        (engine.identified_problems), and the first date one was identified."""
        found = []
        for p in problems or ():
            pid, indicator, member = p.problem, p.indicator, p.member
            if indicator not in self.indicators[pid] or (member is not None and member not in born):
                raise Unsure
            found.append((p.identified_on, pid, indicator))
        found.sort(key=_by_date)  # a stable sort, as the engine's
        identified = {}
        for _, pid, indicator in found:
            seen = identified.get(pid)
            if seen is None:
                identified[pid] = {indicator}
            else:
                seen.add(indicator)
        return identified, (found[0][0] if found else None)

    def _evidence(self, items, born, closed_on) -> Answers:
        answers, outcomes, as_of = Answers(self.outcomes, born, self.as_of), self.outcomes, self.as_of
        for e in items or ():
            outcome, period, eid, ids = outcomes[e.outcome], e.period, e.id, e.members or []
            start, end = period.start, period.end
            if end < start or (eid is not None and not eid.strip()):
                raise Unsure
            for i in ids:
                if i not in born:
                    raise Unsure  # names someone not in the family
            status = e.status
            if (status is None or status == "accepted") and end <= as_of:  # the engine sets later evidence aside
                values = e.values
                answer = outcome.judge(values if type(values) is dict else {}, e.option, ids, start, end,
                                       born, closed_on, e.source)
                if outcome.plain:
                    before = answers.get(outcome.id)
                    answers[outcome.id] = answer if before is None else merge(before, answer)
                else:
                    answers.add(outcome, answer, ids, start, end, e.option if e.option is not None else
                                values.get("option") if type(values) is dict else None)
        if answers.found:  # `each` outcomes, answered once all their evidence is in
            answers.finish()
        return answers
