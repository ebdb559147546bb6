"""School and early-years attendance outcomes, judged per child."""

from typing import ClassVar

from .. import spec as s
from .base import Field, Finding, Measure, fmt

_PERCENT = s.number(0, 100)
_TERMS = s.number(1, 6, whole=True)
_COMPARISON = s.one_of("at_least", "above")


def average(terms) -> float:
    # Rounded so that 89.9, 90.1, 90.0 averages to exactly 90, as a person would read it.
    return round(sum(terms) / len(terms), 6)


def passes(value, threshold, comparison) -> bool:
    return value > threshold if comparison == "above" else value >= threshold


def needs(threshold, comparison) -> str:
    return f"above {fmt(threshold)}%" if comparison == "above" else f"at least {fmt(threshold)}%"


class SchoolAttendance(Measure):
    kind = "school_attendance"
    PARAMS: ClassVar[dict] = {
        "terms": s.Key(_TERMS),
        "threshold": s.Key(s.dated(_PERCENT), False),
        "comparison": s.Key(_COMPARISON, False, "at_least"),
        "aggregate": s.Key(s.one_of("average", "each_term"), False, "average"),
        "max_fixed_term_exclusions": s.Key(s.number(0, None, whole=True), False),
        "max_permanent_exclusions": s.Key(s.number(0, None, whole=True), False),
        "on_roll_required": s.Key(s.boolean, False, False),
        "low_start": s.Key(s.mapping({
            "below": s.Key(_PERCENT), "threshold": s.Key(_PERCENT),
            "comparison": s.Key(_COMPARISON, False, "at_least"),
        }), False),
    }

    def own_fields(self):
        out = []
        if self.p["threshold"] is not None:
            out.append(Field("attendance", f"Attendance in each of the {self.p['terms']} terms (%), oldest first",
                             "percents", size=self.p["terms"]))
        if self.p["low_start"]:
            out.append(Field("baseline_attendance", "Attendance over the 3 terms before intervention (%)",
                             "percent", required=False))
        if self.p["max_fixed_term_exclusions"] is not None:
            out.append(Field("fixed_term_exclusions", "Fixed-term exclusions in these terms", "count"))
        if self.p["max_permanent_exclusions"] is not None:
            out.append(Field("permanent_exclusions", "Permanent exclusions in these terms", "count"))
        if self.p["on_roll_required"]:
            out.append(Field("on_roll", "On a school roll or in full-time alternative provision", "yes_no"))
        return out

    def decide(self, values, ctx):
        parts, failures = [], []
        if self.p["threshold"] is not None:
            self._attendance(values, ctx, parts, failures)
        self._exclusions(values, parts, failures)
        if self.p["on_roll_required"] and values.get("on_roll") is not True:
            failures.append("not on a school roll or in full-time alternative provision")
        if failures:
            return Finding(False, "; ".join(failures))
        return Finding(True, ", ".join(parts))

    def _attendance(self, values, ctx, parts, failures):
        terms = values.get("attendance") or []
        if len(terms) != self.p["terms"]:
            failures.append(f"attendance for {self.p['terms']} terms is needed; {len(terms)} given")
            return
        threshold, comparison, why = self._threshold(values, ctx)
        if self.p["aggregate"] == "each_term":
            low = min(terms)
            ok, said = passes(low, threshold, comparison), f"lowest of {len(terms)} terms {fmt(low)}%"
        else:
            avg = average(terms)
            ok, said = passes(avg, threshold, comparison), f"{len(terms)} terms averaging {fmt(avg)}%"
            low = avg
        if ok:
            parts.append(f"{said} ({needs(threshold, comparison)} needed{why})")
        else:
            gap = f"{fmt(round(threshold - low, 2))} points short" if low < threshold else "not above it"
            failures.append(f"{said}; the plan needs {needs(threshold, comparison)}{why} ({gap})")

    def _threshold(self, values, ctx):
        dated = self.p["threshold"]
        threshold, comparison, why = dated.at(ctx.start), self.p["comparison"], ""
        if dated.changes:
            since, upcoming = dated.since(ctx.start), dated.next_change(ctx.start)
            when = f"from {since.isoformat()}" if since else f"before {upcoming.isoformat()}"
            why = f", the value in force {when}, as the period measured starts {ctx.start.isoformat()}"
        low = self.p["low_start"]
        base = values.get("baseline_attendance")
        if low and base is not None and base < low["below"]:
            threshold, comparison = low["threshold"], low["comparison"]
            why = f", as attendance before intervention was {fmt(base)}%, below {fmt(low['below'])}%"
        return threshold, comparison, why

    def _exclusions(self, values, parts, failures):
        fixed_max, perm_max = self.p["max_fixed_term_exclusions"], self.p["max_permanent_exclusions"]
        if fixed_max is not None:
            fixed = values.get("fixed_term_exclusions") or 0
            target = failures if fixed > fixed_max else parts
            target.append(f"{fmt(fixed)} fixed-term exclusion(s) (at most {fixed_max} allowed)")
        if perm_max is not None:
            perm = values.get("permanent_exclusions") or 0
            target = failures if perm > perm_max else parts
            target.append(f"{fmt(perm)} permanent exclusion(s) (at most {perm_max} allowed)")


class AttendanceImprovement(Measure):
    kind = "attendance_improvement"
    PARAMS: ClassVar[dict] = {
        "terms": s.Key(_TERMS),
        "setting": s.Key(s.one_of("school", "early_years"), False, "school"),
        "min_points": s.Key(s.dated(_PERCENT), False),
        "min_factor": s.Key(s.dated(s.number(1, 10)), False),
        "minimum": s.Key(s.dated(_PERCENT), False),
        "aggregate": s.Key(s.one_of("average", "each_term"), False, "average"),
    }

    @classmethod
    def check_params(cls, params, path, walk):
        if params.get("min_points") is None and params.get("min_factor") is None:
            walk.fault(path, "give min_points or min_factor")

    def own_fields(self):
        return [
            Field("baseline_attendance", "Attendance at the start (%)", "percent"),
            Field("attendance", f"Attendance in each of the {self.p['terms']} terms (%), oldest first",
                  "percents", size=self.p["terms"]),
        ]

    def decide(self, values, ctx):
        base, terms = values.get("baseline_attendance") or 0, values.get("attendance") or []
        if len(terms) != self.p["terms"]:
            return Finding(False, f"attendance for {self.p['terms']} terms is needed; {len(terms)} given")
        value = min(terms) if self.p["aggregate"] == "each_term" else average(terms)
        said = f"lowest term {fmt(value)}%" if self.p["aggregate"] == "each_term" else f"average {fmt(value)}%"
        failures = self._shortfalls(base, value, ctx)
        if failures:
            return Finding(False, f"from {fmt(base)}% to {said}: " + "; ".join(failures))
        return Finding(True, f"from {fmt(base)}% to {said} over {len(terms)} terms")

    def _shortfalls(self, base, value, ctx):
        out = []
        if self.p["min_points"] is not None:
            points = self.p["min_points"].at(ctx.start)
            if round(value - base, 6) < points:
                out.append(f"up {fmt(round(value - base, 2))} points; {fmt(points)} needed")
        if self.p["min_factor"] is not None:
            factor = self.p["min_factor"].at(ctx.start)
            target = round(base * factor, 6)
            if value < target:
                out.append(f"{fmt(factor)} times the start is {fmt(target)}%, {fmt(round(target - value, 2))} points short")
        if self.p["minimum"] is not None:
            floor = self.p["minimum"].at(ctx.start)
            if value < floor:
                out.append(f"a minimum average of {fmt(floor)}% is needed")
        return out


class EarlyYearsEntitlement(Measure):
    kind = "early_years_entitlement"
    PARAMS: ClassVar[dict] = {
        "terms": s.Key(_TERMS),
        "threshold": s.Key(s.dated(_PERCENT), False),
        "alternative_min_points": s.Key(_PERCENT, False),
        "ends_at_reception": s.Key(s.boolean, False, False),
    }

    def own_fields(self):
        out = [
            Field("taken_up", "Funded early education place taken up", "yes_no"),
            Field("terms_attended", "Consecutive terms attended", "count", high=12),
        ]
        if self.p["threshold"] is not None:
            out.append(Field("attendance", "Attendance over the term(s) (%)", "percent"))
        if self.p["alternative_min_points"] is not None:
            out.append(Field("baseline_attendance", "Attendance before (%)", "percent", required=False))
        if self.p["ends_at_reception"]:
            out.append(Field("started_reception", "Has the child started in reception class?", "yes_no", required=False))
        return out

    def decide(self, values, ctx):
        if values.get("taken_up") is not True:
            return Finding(False, "the early education place has not been taken up")
        attended, needed = values.get("terms_attended") or 0, self.p["terms"]
        if attended < needed and not (self.p["ends_at_reception"] and values.get("started_reception") is True):
            return Finding(False, f"{attended} consecutive term(s) attended; {needed} needed")
        return self._level(values, ctx, attended)

    def _level(self, values, ctx, attended):
        if self.p["threshold"] is None:
            return Finding(True, f"place taken up and {attended} consecutive term(s) attended")
        threshold, rate = self.p["threshold"].at(ctx.start), values.get("attendance") or 0
        if rate >= threshold:
            return Finding(True, f"place taken up, attendance {fmt(rate)}% (at least {fmt(threshold)}% needed)")
        points, base = self.p["alternative_min_points"], values.get("baseline_attendance")
        if points is not None and base is not None and round(rate - base, 6) >= points:
            return Finding(True, f"place taken up, attendance up {fmt(round(rate - base, 2))} points from {fmt(base)}%")
        alt = f" or a rise of {fmt(points)} points" if points is not None else ""
        return Finding(False, f"attendance {fmt(rate)}%; at least {fmt(threshold)}%{alt} needed")
