"""Reading a family straight from its decoded JSON, judging its evidence as it goes.

`case.parse_case` builds a dataclass for every member, problem and evidence item
and keeps every field; the decision needs a handful of them. `Reader.read` takes
those, and checks as it goes every rule that `parse_case` and
`check_case_against_plan` apply. It vouches only for what they accept: wherever it
is unsure (a missing key, an id written as a number, a date it cannot read, an
unknown outcome...) it raises, `Unsure` or whatever Python raised on the odd
value, and the caller hands the line to the engine, which then decides it or names
the fault exactly as it always has.

Each evidence item that counts (accepted, and ended by the as-of date) is judged
the moment it is read, with its outcome's compiled judge (evidence.py), and its
answer goes straight into the family's Answers (outcomes.py), so that no object is
built for it beyond that answer.
"""

from __future__ import annotations

import datetime as dt
from operator import itemgetter

from ..case import ACTIVITIES, ROLES, STAGES, STATUSES
from .outcomes import Answers, merge

_fromiso = dt.date.fromisoformat
_by_date = itemgetter(0)
_ROLES, _ACTIVITIES, _STAGES, _STATUSES = frozenset(ROLES), frozenset(ACTIVITIES), frozenset(STAGES), frozenset(STATUSES)


class Unsure(Exception):
    """This path cannot vouch for the family: the engine decides it, or names its fault."""


class Family:
    """What the decision reads: ids, dates, and the answers of the outcomes evidenced."""

    __slots__ = ("answers", "born", "children", "closed_on", "essentials", "first_on", "identified",
                 "plan_outcomes", "ref")


def text(value) -> bool:
    return type(value) is str and bool(value.strip())


def optional_date(value):
    return None if value is None else _fromiso(value)  # anything but text raises TypeError


class Reader:
    """read(data) -> Family, or raises for the engine to take it; one per compiled plan."""

    def __init__(self, plan, as_of: dt.date, outcomes: dict):
        self.plan_id, self.as_of, self.outcomes = plan.id, as_of, outcomes
        self.indicators = {p.id: frozenset(i.id for i in p.indicators) for p in plan.problems}
        self.outcome_ids = frozenset(plan.outcome_by_id)

    def read(self, data) -> Family:
        if type(data) is not dict:
            raise Unsure
        family = Family()
        family.ref, named_plan = data["ref"], data.get("plan")
        if not text(family.ref) or (named_plan and named_plan != self.plan_id):
            raise Unsure
        family.born, family.children = self._members(data.get("members"))
        family.essentials = self._essentials(data.get("essentials") or ())
        family.plan_outcomes = self._plan_outcomes(data.get("plan_outcomes") or ())
        family.identified, family.first_on = self._problems(data.get("problems"), family.born)
        optional_date(data.get("engaged_on"))  # only checked: no column depends on it
        family.closed_on = optional_date(data.get("closed_on"))
        family.answers = self._evidence(data.get("evidence"), family.born, family.closed_on)
        return family

    @staticmethod
    def _members(members):
        """{id: date of birth}, and (date of birth, activity) for each child."""
        born, children = {}, []
        for m in _objects(members):
            mid, role, activity, day = m["id"], m["role"], m.get("activity"), m["date_of_birth"]
            if type(mid) is not str or not mid.strip() or mid in born or role not in _ROLES:
                raise Unsure
            if activity is not None and activity not in _ACTIVITIES:
                raise Unsure
            born[mid] = day = _fromiso(day)
            if role == "child":
                children.append((day, activity))
        return born, children

    @staticmethod
    def _essentials(value):
        if type(value) is list:
            return set(map(str, value))
        if type(value) is dict:
            return {k for k, v in value.items() if v is True}
        if value != ():  # what `or ()` leaves of a missing or empty value
            raise Unsure
        return set()

    def _plan_outcomes(self, value):
        if value == ():
            return []
        if type(value) is not list or not self.outcome_ids.issuperset(value):
            raise Unsure
        return value

    def _problems(self, problems, born):
        """The identified problems in the order first found, each with its indicators
        (engine.identified_problems), and the first date one was identified."""
        found = []
        for p in _objects(problems):
            pid, indicator, stage, member = p["problem"], p["indicator"], p.get("stage"), p.get("member")
            if type(pid) is not str or indicator not in self.indicators[pid]:
                raise Unsure
            if (stage is not None and stage not in _STAGES) or (member is not None and member not in born):
                raise Unsure
            found.append((_fromiso(p["identified_on"]), pid, indicator))
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
        for e in _objects(items):
            outcome, period, status = outcomes[e["outcome"]], e["period"], e.get("status")
            if type(period) is not dict:
                raise Unsure
            start, end, ids, eid = _fromiso(period["start"]), _fromiso(period["end"]), e.get("members") or [], \
                e.get("id")
            if end < start or type(ids) is not list or (eid is not None and (type(eid) is not str or not eid.strip())):
                raise Unsure
            for i in ids:
                if i not in born:
                    raise Unsure  # names someone not in the family
            if status is None or status == "accepted":
                if end <= as_of:  # the engine sets later evidence aside
                    values = e.get("values")
                    answer = outcome.judge(values if type(values) is dict else {}, e.get("option"), ids, start, end,
                                           born, closed_on)
                    if outcome.plain:
                        before = answers.get(outcome.id)
                        answers[outcome.id] = answer if before is None else merge(before, answer)
                    else:
                        answers.add(outcome, answer, ids)
            elif status not in _STATUSES:
                raise Unsure
        if answers.found:  # `each` outcomes, answered once all their evidence is in
            answers.finish()
        return answers


def _objects(value) -> list:
    """case.objects: a missing list is empty; an item that is not an object raises on its first key."""
    if value is None:
        return []
    if type(value) is not list:
        raise Unsure
    return value
