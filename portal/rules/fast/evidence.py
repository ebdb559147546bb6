"""Judging one evidence item for its outcome, compiled once per outcome.

Follows `engine.judge_evidence` step for step: the values are checked as the
measure's `check_values` checks them (so a fault is exactly the engine's fault),
then the members the evidence names, then the measure decides. From the engine's Finding
(met, earliest, supplementary, option, and a sentence) it keeps what an outcome's
answer needs, and gives the answer the outcome would have if this were its only
evidence (engine._judge_any): (met, earliest, via), met only if met and not
supplementary, via the route taken.

The reader calls the judge with what it read of the item: its values, its option
(route), the member ids it names, its period, and the family's dates of birth and
closure date.
"""

from __future__ import annotations

from ..engine import with_option
from ..measures import AnyOf
from ..measures.base import Context
from ..plan import same_text
from .checks import compile_check
from .dates import age_on
from .measures import compile_decide

NOT_MET = (False, None, ())
MET = (True, None, (None,))  # met with no route: the engine's via is {None}


_NO_BOUND = 10**9  # ages are whole years; a date of birth after the day gives a negative one
# Who each `about` means, as a range of ages (engine.member_fits); None: no bound.
AGE_RANGES = {
    "any": (None, None), "adult": (18, None), "child": (None, 17), "school_age_child": (5, 15),
    "young_person": (16, 17), "pre_school_child": (None, 4),
}


def age_range(about: str, ages):
    """The ages that fit an outcome, or None when anyone fits (engine.member_fits as a range)."""
    if about == "family":
        return None
    low, high = AGE_RANGES[about]
    if ages:  # the plan's own ages replace a young person's 16 to 17, and narrow any other
        if about == "young_person":
            low, high = None, None
        low = ages[0] if low is None else max(low, ages[0])
        high = ages[1] if high is None else min(high, ages[1])
    if low is None and high is None:
        return None
    return -_NO_BOUND if low is None else low, _NO_BOUND if high is None else high


def members_test(outcome, option=None):
    """(someone must be named?, fits(ids, born, start, end) or None when anyone named fits):
    engine.judge_evidence's test of the members an evidence item names (by this route)."""
    about, ages = outcome.scope(option)
    bounds = age_range(about, ages)
    someone = about != "family"
    if bounds is None:
        return someone, None
    low, high = bounds
    at_start = about == "school_age_child"

    def fits(ids, born, start, end):
        day = start if at_start else end
        year, month_day = day.year, (day.month, day.day)
        for i in ids:
            b = born[i]
            if not low <= year - b.year - (month_day < (b.month, b.day)) <= high:  # dates.age_on, inline
                return False
        return True

    return someone, fits


def source_test(outcome):
    """known(source) -> whether the outcome names this source (engine.unusable), remembered per text."""
    keys, memo = outcome.source_keys, {}

    def known(source):
        ok = memo.get(source)
        if ok is None:
            if len(memo) > 256:
                memo.clear()
            ok = memo[source] = same_text(source or "") in keys
        return ok

    return known


def not_before(as_of):
    """An earliest date before the as-of date is the as-of date (engine.judge_evidence)."""
    return lambda earliest: earliest if earliest is None or earliest >= as_of else as_of


def compile_judge(outcome, as_of):
    """judge(values, option, ids, start, end, born, closed_on, source) -> (met, earliest, via)."""
    measure = outcome.measure
    if isinstance(measure, AnyOf):
        if any(isinstance(o["measure"], AnyOf) for o in measure.p["options"]):
            return _engine_judge(outcome, as_of)  # a route within a route: rare, so keep the engine's own code
        return _any_of_judge(outcome, measure, as_of)
    return _plain_judge(outcome, measure, as_of)


def _plain_judge(outcome, measure, as_of):
    faulty, decide = compile_check(measure), compile_decide(measure, as_of)
    someone, fits = members_test(outcome)
    known, dated = source_test(outcome), not_before(as_of)

    def judge(values, option, ids, start, end, born, closed_on, source):
        # No measure but any_of has a field called "option", so the engine's with_option changes nothing here.
        if faulty(values) or not known(source) or (someone and not ids) or \
                (fits is not None and not fits(ids, born, start, end)):
            return NOT_MET
        met, earliest = decide(values, start, end, closed_on, ids, born)
        return MET if met else (False, dated(earliest), ())

    return judge


def _any_of_judge(outcome, measure, as_of):
    """AnyOf.check_values, then AnyOf.decide and AnyOf's own also_confirmed, per route."""
    routes = {}
    for option in measure.p["options"]:
        inner = option["measure"]
        routes.setdefault(option["id"], (compile_check(inner), compile_decide(inner, as_of),
                                         option["supplementary"], (True, None, (option["id"],)),
                                         members_test(outcome, option["id"])))
    confirm, known, dated = measure.also_confirmed, source_test(outcome), not_before(as_of)

    def judge(values, option, ids, start, end, born, closed_on, source):
        route = routes.get(values.get("option") if option is None else option)
        if route is None:
            return NOT_MET  # "choose which evidence route this is"
        faulty, decide, supplementary, met_this_way, (someone, fits) = route
        if faulty(values) or not known(source) or (someone and not ids) or \
                (fits is not None and not fits(ids, born, start, end)):
            return NOT_MET
        met, earliest = decide(values, start, end, closed_on, ids, born)
        if met and confirm and values.get("confirmed") is not True:
            return NOT_MET
        return met_this_way if met and not supplementary else (False, dated(earliest), ())

    return judge


def _engine_judge(outcome, as_of):
    """The engine's judge_evidence, reasons and all, on this path's evidence tuples."""
    measure, known, dated = outcome.measure, source_test(outcome), not_before(as_of)

    def judge(values, option, ids, start, end, born, closed_on, source):
        values = with_option(values, option)
        someone, fits = members_test(outcome, values.get("option"))
        if measure.check_values(values) or not known(source) or (someone and not ids) or \
                (fits is not None and not fits(ids, born, start, end)):
            return NOT_MET
        ctx = Context(as_of=as_of, start=start, end=end, closed_on=closed_on, ages={i: age_on(born[i], end) for i in ids})
        if measure.contradictions(values, ctx):
            return NOT_MET
        f = measure.evaluate(values, ctx)
        return (True, None, (f.option,)) if f.met and not f.supplementary else (False, dated(f.earliest), ())

    return judge
