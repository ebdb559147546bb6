"""Each measure kind's decision, compiled once per plan into a closure that says only
whether the evidence meets it and, if a running window could make it met, from when.

The engine's `Measure.decide` also writes the sentence a person reads; a cohort CSV
never shows it, and writing it is most of the cost. So each compiler here follows
its kind's `decide` step by step, in the same order and with the same arithmetic,
but returns `(met, earliest)` only. A kind without a compiler here falls back to its
own `evaluate` (see `generic`), so a new kind is slower in a cohort, never wrong.
tests/rules/test_cohort_fast.py holds the two to the same answers.
"""

from __future__ import annotations

from .. import calendar as cal
from ..measures.attendance import average, passes
from ..measures.base import Context, as_date
from .dates import add_months, age_on, remembered, window_end

COMPILERS: dict = {}
# A bounded memo: counts in a cohort are small whole numbers, so this stays tiny.
_ALLOWANCE_MEMO_UP_TO = 1000


def compiles(kind: str):
    def register(fn):
        COMPILERS[kind] = fn
        return fn

    return register


def at_start(dated):
    """DatedValue.at as a closure; most plan values never change, so skip the search."""
    if dated is None:
        return None
    if not dated.changes:
        value = dated.pairs[0][1]
        return lambda start: value
    return dated.at


def compile_decide(measure, as_of):
    """decide(values, start, end, closed_on, ids, born) -> (met, earliest), including also_confirmed.

    `ids` are the members the evidence names, in its order; `born` their dates of birth by id.
    """
    compiler = COMPILERS.get(measure.kind)
    decide = compiler(measure) if compiler else generic(measure, as_of)
    confirm = measure.also_confirmed
    if not confirm:
        return decide

    def confirmed(values, start, end, closed_on, ids, born):  # Measure.evaluate's extra condition
        met, earliest = decide(values, start, end, closed_on, ids, born)
        if met and values.get("confirmed") is not True:
            return False, None
        return met, earliest

    return confirmed


def generic(measure, as_of):
    """Any kind: its own decide, reasons and all."""

    def decide(values, start, end, closed_on, ids, born):
        ages = {i: age_on(born[i], end) for i in ids}
        finding = measure.decide(values, Context(as_of=as_of, start=start, end=end, closed_on=closed_on, ages=ages))
        return finding.met, finding.earliest

    return decide


@compiles("judgement")
def judgement(measure):
    return lambda values, start, end, closed_on, ids, born: (values.get("confirmed") is True, None)


@compiles("checklist")
def checklist(measure):
    minimum = measure.p["minimum"]
    return lambda values, start, end, closed_on, ids, born: (len(set(values.get("items") or [])) >= minimum, None)


@compiles("sustained")
def sustained(measure):
    p = measure.p
    condition = p["condition"]
    window = remembered(lambda start: window_end(start, p["months"] or 0, p["weeks"] or 0))

    def decide(values, start, end, closed_on, ids, born):
        if condition and values.get("condition_met") is not True:
            return False, None
        if values.get("incidents") or 0:
            return False, None
        ready = window(start)
        if end < ready:  # window_shortfall
            return False, ready
        return True, None

    return decide


@compiles("closure_window")
def closure_window(measure):
    p = measure.p
    supporting = p["also_one_of"]
    # (the day evidence must start by, the day it must run to), from the closure date
    window = remembered(lambda closed: (add_months(closed, -p["before_months"]), window_end(closed, p["after_months"], 0)))

    def decide(values, start, end, closed_on, ids, born):
        closed = as_date(closed_on)
        if closed is None:
            return False, None
        starts_by, ready = window(closed)
        if start > starts_by:
            return False, None
        if values.get("incidents_before_closure") or values.get("referrals_after_closure"):
            return False, None
        if end < ready:
            return False, ready
        if supporting and not values.get("supporting_item"):
            return False, None
        return True, None

    return decide


@compiles("count_reduction")
def count_reduction(measure):
    p = measure.p
    clean_months = p["clean_months"]
    window = remembered(lambda start: window_end(start, p["measured_months"], 0))
    severe_bars, zero_up_to = p["severe_offence_bars"], p["zero_required_up_to"]
    allowed_for = _allowance(measure)

    def decide(values, start, end, closed_on, ids, born):
        if clean_months:
            last = as_date(values.get("last_incident_date"))
            if last is not None and last <= end and (last < start) == bool(values.get("after") or 0):
                return False, None  # CountReduction.contradictions: the evidence is set aside
            if last is not None and end >= window_end(last, clean_months, 0):
                return True, None
        ready = window(start)
        if end < ready:
            return False, ready
        before, after = values.get("before") or 0, values.get("after") or 0
        if zero_up_to is not None and before <= zero_up_to:
            return after == 0, None
        if severe_bars and values.get("severe_offence") is True:
            return False, None
        if before == 0:
            return False, None
        return after <= allowed_for(before), None

    return decide


def _allowance(measure):
    """CountReduction.allowance, remembered for small whole counts (it works in Fractions)."""
    memo: dict = {}

    def allowed(before):
        if type(before) is not int or not 0 <= before <= _ALLOWANCE_MEMO_UP_TO:
            return measure.allowance(before)[0]
        value = memo.get(before)
        if value is None:
            value = memo[before] = measure.allowance(before)[0]
        return value

    return allowed


@compiles("school_attendance")
def school_attendance(measure):
    p = measure.p
    threshold, terms, comparison = at_start(p["threshold"]), p["terms"], p["comparison"]
    each_term, low = p["aggregate"] == "each_term", p["low_start"]
    fixed_max, perm_max, on_roll = p["max_fixed_term_exclusions"], p["max_permanent_exclusions"], p["on_roll_required"]

    def attendance_ok(values, start):
        given = values.get("attendance") or []
        if len(given) != terms:
            return False
        limit, how = threshold(start), comparison
        base = values.get("baseline_attendance")
        if low and base is not None and base < low["below"]:
            limit, how = low["threshold"], low["comparison"]
        return passes(min(given) if each_term else average(given), limit, how)

    def decide(values, start, end, closed_on, ids, born):
        ok = attendance_ok(values, start) if threshold is not None else True
        if fixed_max is not None and (values.get("fixed_term_exclusions") or 0) > fixed_max:
            ok = False
        if perm_max is not None and (values.get("permanent_exclusions") or 0) > perm_max:
            ok = False
        if on_roll and values.get("on_roll") is not True:
            ok = False
        return ok, None

    return decide


@compiles("attendance_improvement")
def attendance_improvement(measure):
    p = measure.p
    terms, each_term = p["terms"], p["aggregate"] == "each_term"
    min_points, min_factor, minimum = at_start(p["min_points"]), at_start(p["min_factor"]), at_start(p["minimum"])

    def decide(values, start, end, closed_on, ids, born):
        base, given = values.get("baseline_attendance") or 0, values.get("attendance") or []
        if len(given) != terms:
            return False, None
        value = min(given) if each_term else average(given)
        if min_points is not None and round(value - base, 6) < min_points(start):
            return False, None
        if min_factor is not None and value < round(base * min_factor(start), 6):
            return False, None
        if minimum is not None and value < minimum(start):
            return False, None
        return True, None

    return decide


@compiles("early_years_entitlement")
def early_years_entitlement(measure):
    p = measure.p
    needed, threshold, points, reception = p["terms"], at_start(p["threshold"]), p["alternative_min_points"], \
        p["ends_at_reception"]

    def decide(values, start, end, closed_on, ids, born):
        if values.get("taken_up") is not True:
            return False, None
        attended = values.get("terms_attended") or 0
        if attended < needed and not (reception and values.get("started_reception") is True):
            return False, None
        if threshold is None:
            return True, None
        rate = values.get("attendance") or 0
        if rate >= threshold(start):
            return True, None
        base = values.get("baseline_attendance")
        return points is not None and base is not None and round(rate - base, 6) >= points, None

    return decide


@compiles("score_change")
def score_change(measure):
    p = measure.p
    initial_above, final_above, final_below, min_change = p["initial_above"], p["final_above"], \
        p["final_below"], p["min_change"]

    def decide(values, start, end, closed_on, ids, born):
        info = measure.tool(values.get("tool"))
        first, last = values.get("initial_score"), values.get("final_score")
        gain = last - first if info["better"] == "higher" else first - last
        ok = initial_above is None or first > initial_above
        ok = round(gain, 6) >= min_change and ok
        ok = (final_above is None or last > final_above) and ok
        ok = (final_below is None or last < final_below) and ok
        return ok, None

    return decide


@compiles("continuous_employment")
def continuous_employment(measure):
    requirements = measure.p["requirements"]

    def decide(values, start, end, closed_on, ids, born):
        needed = requirements[values.get("benefit")]["weeks"]
        weeks = values.get("weeks_in_work") or 0
        if weeks >= needed:
            return True, None
        return False, cal.add_weeks(end, needed - weeks)

    return decide


@compiles("activity")
def activity(measure):
    activities = {}
    for act in measure.p["activities"]:
        activities.setdefault(act["id"], act)  # Activity.activity finds the first with the id

    def decide(values, start, end, closed_on, ids, born):
        act = activities[values.get("activity")]
        weeks, done = values.get("weeks") or 0, values.get("completed") is True
        if act.get("completion") and done:
            return True, None
        span, length = act.get("completed_course_weeks"), values.get("course_weeks")
        if span and done and length is not None and span[0] <= length <= span[1]:
            return True, None
        need = act.get("min_weeks")
        if not need:
            return False, None
        if weeks < need:
            return False, cal.add_weeks(end, need - weeks)
        min_hours = act.get("min_hours")
        return not (min_hours and (values.get("hours") or 0) < min_hours), None

    return decide


@compiles("earnings_threshold")
def earnings_threshold(measure):
    def decide(values, start, end, closed_on, ids, born):
        if not ids:
            return False, None
        age = age_on(born[ids[0]], end)  # the engine's ctx.ages: the first member named
        band = measure.band(age)
        if band is None:
            return False, None
        return (values.get("earnings") or 0) >= band["amount"].at(start), None

    return decide
