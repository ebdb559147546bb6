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
    kind: ClassVar[str] = "school_attendance"
    PARAMS: ClassVar[dict] = {
        "terms": s.Key(_TERMS),
        "threshold": s.Key(s.dated(_PERCENT), False),
        "comparison": s.Key(_COMPARISON, False, "at_least"),
        "aggregate": s.Key(s.one_of("average", "each_term"), False, "average"),
        "max_fixed_term_exclusions": s.Key(s.number(0, None, whole=True), False),
        "max_permanent_exclusions": s.Key(s.number(0, None, whole=True), False),
        "on_roll_required": s.Key(s.boolean, False, False),
        "low_start": s.Key(
            s.mapping(
                {
                    "below": s.Key(_PERCENT),
                    "threshold": s.Key(_PERCENT),
                    "comparison": s.Key(_COMPARISON, False, "at_least"),
                }
            ),
            False,
        ),
    }

    def own_fields(self):
        out = []
        if self.p["threshold"] is not None:
            out.append(
                Field(
                    "attendance",
                    f"Attendance in each of the {self.p['terms']} terms (%), oldest first",
                    "percents",
                    size=self.p["terms"],
                )
            )
        if self.p["low_start"]:
            out.append(
                Field(
                    "baseline_attendance",
                    "Attendance over the 3 terms before intervention (%)",
                    "percent",
                    required=False,
                )
            )
        if self.p["max_fixed_term_exclusions"] is not None:
            out.append(Field("fixed_term_exclusions", "Fixed-term exclusions in these terms", "count"))
        if self.p["max_permanent_exclusions"] is not None:
            out.append(Field("permanent_exclusions", "Permanent exclusions in these terms", "count"))
        if self.p["on_roll_required"]:
            out.append(Field("on_roll", "On a school roll or in full-time alternative provision", "yes_no"))
        return out

    def decide(self, values, ctx):
        p = self.p
        short: tuple[str, ...] = ()
        if p["threshold"] is not None:
            terms = values.get("attendance") or []
            if len(terms) != p["terms"]:
                short += ("terms",)
            else:
                threshold, comparison, _ = self._threshold(values, ctx.start)
                if not passes(min(terms) if p["aggregate"] == "each_term" else average(terms), threshold, comparison):
                    short += ("attendance",)
        if (
            p["max_fixed_term_exclusions"] is not None
            and (values.get("fixed_term_exclusions") or 0) > p["max_fixed_term_exclusions"]
        ):
            short += ("fixed",)
        if (
            p["max_permanent_exclusions"] is not None
            and (values.get("permanent_exclusions") or 0) > p["max_permanent_exclusions"]
        ):
            short += ("permanent",)
        if p["on_roll_required"] and values.get("on_roll") is not True:
            short += ("on_roll",)
        return Finding(not short, self.said, (values, ctx.start, short))

    def _threshold(self, values, start):
        """(threshold, comparison, low start?): the plan's, or the low-start one when attendance before was low."""
        low, base = self.p["low_start"], values.get("baseline_attendance")
        if low and base is not None and base < low["below"]:
            return low["threshold"], low["comparison"], True
        return self.p["threshold"].at(start), self.p["comparison"], False

    def said(self, values, start, short) -> str:
        parts: list[str] = []
        failures: list[str] = []
        if self.p["threshold"] is not None:
            self._said_attendance(values, start, short, parts, failures)
        for key, name, most in (
            ("fixed", "fixed-term", "max_fixed_term_exclusions"),
            ("permanent", "permanent", "max_permanent_exclusions"),
        ):
            if self.p[most] is not None:
                count = values.get(f"{name.replace('-', '_')}_exclusions") or 0
                (failures if key in short else parts).append(
                    f"{fmt(count)} {name} exclusion(s) (at most {self.p[most]} allowed)"
                )
        if "on_roll" in short:
            failures.append("not on a school roll or in full-time alternative provision")
        return "; ".join(failures) if short else ", ".join(parts)

    def _said_attendance(self, values, start, short, parts, failures):
        terms = values.get("attendance") or []
        if "terms" in short:
            failures.append(f"attendance for {self.p['terms']} terms is needed; {len(terms)} given")
            return
        threshold, comparison, low_start = self._threshold(values, start)
        why = self._why(values, start, low_start)
        if self.p["aggregate"] == "each_term":
            low = min(terms)
            said = f"lowest of {len(terms)} terms {fmt(low)}%"
        else:
            low = average(terms)
            said = f"{len(terms)} terms averaging {fmt(low)}%"
        if "attendance" not in short:
            parts.append(f"{said} ({needs(threshold, comparison)} needed{why})")
        else:
            gap = f"{fmt(round(threshold - low, 2))} points short" if low < threshold else "not above it"
            failures.append(f"{said}; the plan needs {needs(threshold, comparison)}{why} ({gap})")

    def _why(self, values, start, low_start) -> str:
        if low_start:
            return (
                f", as attendance before intervention was {fmt(values['baseline_attendance'])}%, below "
                f"{fmt(self.p['low_start']['below'])}%"
            )
        dated = self.p["threshold"]
        if not dated.changes:
            return ""
        since, upcoming = dated.since(start), dated.next_change(start)
        when = f"from {since.isoformat()}" if since else f"before {upcoming.isoformat()}"
        return f", the value in force {when}, as the period measured starts {start.isoformat()}"


class AttendanceImprovement(Measure):
    kind: ClassVar[str] = "attendance_improvement"
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
            Field(
                "attendance",
                f"Attendance in each of the {self.p['terms']} terms (%), oldest first",
                "percents",
                size=self.p["terms"],
            ),
        ]

    def decide(self, values, ctx):
        base, terms = values.get("baseline_attendance") or 0, values.get("attendance") or []
        if len(terms) != self.p["terms"]:
            return Finding(False, self.said_terms, (len(terms),))
        value = min(terms) if self.p["aggregate"] == "each_term" else average(terms)
        short = self._short(base, value, ctx.start)
        return Finding(not short, self.said, (base, value, len(terms), ctx.start, short))

    def _short(self, base, value, start) -> tuple:
        """Which of the plan's conditions the attendance falls short of (none: met)."""
        out: tuple[str, ...] = ()
        if self.p["min_points"] is not None and round(value - base, 6) < self.p["min_points"].at(start):
            out += ("min_points",)
        if self.p["min_factor"] is not None and value < round(base * self.p["min_factor"].at(start), 6):
            out += ("min_factor",)
        if self.p["minimum"] is not None and value < self.p["minimum"].at(start):
            out += ("minimum",)
        return out

    def said_terms(self, given) -> str:
        return f"attendance for {self.p['terms']} terms is needed; {given} given"

    def said(self, base, value, count, start, short) -> str:
        said = f"lowest term {fmt(value)}%" if self.p["aggregate"] == "each_term" else f"average {fmt(value)}%"
        if not short:
            return f"from {fmt(base)}% to {said} over {count} terms"
        out = []
        if "min_points" in short:
            out.append(f"up {fmt(round(value - base, 2))} points; {fmt(self.p['min_points'].at(start))} needed")
        if "min_factor" in short:
            factor = self.p["min_factor"].at(start)
            target = round(base * factor, 6)
            out.append(f"{fmt(factor)} times the start is {fmt(target)}%, {fmt(round(target - value, 2))} points short")
        if "minimum" in short:
            out.append(f"a minimum average of {fmt(self.p['minimum'].at(start))}% is needed")
        return f"from {fmt(base)}% to {said}: " + "; ".join(out)


class EarlyYearsEntitlement(Measure):
    kind: ClassVar[str] = "early_years_entitlement"
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
            out.append(Field("attendance", "Attendance over the terms attended (%)", "percent"))
        if self.p["alternative_min_points"] is not None:
            out.append(Field("baseline_attendance", "Attendance before (%)", "percent", required=False))
        if self.p["ends_at_reception"]:
            out.append(
                Field("started_reception", "Has the child started in reception class?", "yes_no", required=False)
            )
        return out

    def decide(self, values, ctx):
        if values.get("taken_up") is not True:
            return Finding(False, "the early education place has not been taken up")
        attended, needed = values.get("terms_attended") or 0, self.p["terms"]
        if attended < needed and not (self.p["ends_at_reception"] and values.get("started_reception") is True):
            return Finding(False, self.said_terms, (attended,))
        if self.p["threshold"] is None:
            return Finding(True, self.said_taken_up, (attended,))
        threshold, rate = self.p["threshold"].at(ctx.start), values.get("attendance") or 0
        if rate >= threshold:
            return Finding(True, self.said_rate, (rate, threshold))
        points, base = self.p["alternative_min_points"], values.get("baseline_attendance")
        if points is not None and base is not None and round(rate - base, 6) >= points:
            return Finding(True, self.said_rise, (rate, base))
        return Finding(False, self.said_short, (rate, threshold))

    def said_terms(self, attended) -> str:
        return f"{attended} consecutive term(s) attended; {self.p['terms']} needed"

    @staticmethod
    def said_taken_up(attended) -> str:
        return f"place taken up and {attended} consecutive term(s) attended"

    @staticmethod
    def said_rate(rate, threshold) -> str:
        return f"place taken up, attendance {fmt(rate)}% (at least {fmt(threshold)}% needed)"

    @staticmethod
    def said_rise(rate, base) -> str:
        return f"place taken up, attendance up {fmt(round(rate - base, 2))} points from {fmt(base)}%"

    def said_short(self, rate, threshold) -> str:
        points = self.p["alternative_min_points"]
        alt = f" or a rise of {fmt(points)} points" if points is not None else ""
        return f"attendance {fmt(rate)}%; at least {fmt(threshold)}%{alt} needed"
