"""Employment, progress to work and earnings outcomes."""

from typing import ClassVar

from .. import calendar as cal
from .. import spec as s
from .base import Field, Finding, Measure, fmt

BENEFITS = {
    "jsa": "Jobseeker's Allowance",
    "jsa_severe": "Jobseeker's Allowance (former incapacity benefit claimant)",
    "esa": "Employment and Support Allowance",
    "income_support": "Income Support",
    "incapacity_benefit": "Incapacity Benefit",
    "carers_allowance": "Carer's Allowance",
    "severe_disablement_allowance": "Severe Disablement Allowance",
    "universal_credit": "Universal Credit (out-of-work)",
}
_WEEKS = s.number(1, 104, whole=True)
_REQUIREMENT = s.mapping({"weeks": s.Key(_WEEKS), "of_last": s.Key(_WEEKS, False)})


def requirements(value, path, walk):
    if not isinstance(value, dict) or not value:
        walk.fault(path, f"expected benefits mapped to weeks, got {s.shown(value)}")
        return {}
    out = {}
    for benefit, rule in value.items():
        if benefit not in BENEFITS:
            walk.fault(s.join(path, str(benefit)), f"unknown benefit; expected one of {', '.join(BENEFITS)}")
        out[benefit] = _REQUIREMENT(rule, s.join(path, str(benefit)), walk)
    return out


class ContinuousEmployment(Measure):
    kind: ClassVar[str] = "continuous_employment"
    PARAMS: ClassVar[dict] = {"requirements": s.Key(requirements)}

    def own_fields(self):
        choices = tuple((b, BENEFITS[b]) for b in self.p["requirements"])
        return [
            Field("benefit", "Out-of-work benefit claimed before", "choice", choices=choices),
            Field(
                "weeks_in_work", "Weeks in work (consecutive, or within the last 30 weeks for JSA)", "count", high=104
            ),
        ]

    def decide(self, values, ctx):
        benefit = values.get("benefit")
        weeks, needed = values.get("weeks_in_work") or 0, self.p["requirements"][benefit]["weeks"]
        if weeks >= needed:
            return Finding(True, self.said, (benefit, weeks))
        return Finding(False, self.said, (benefit, weeks), earliest=cal.add_weeks(ctx.end, needed - weeks))

    def said(self, benefit, weeks) -> str:
        rule = self.p["requirements"][benefit]
        needed = rule["weeks"]
        how = f"in the last {rule['of_last']}" if rule.get("of_last") else "consecutive"
        said = f"{BENEFITS[benefit]} claimant: {weeks} week(s) in work {how}"
        return f"{said} ({needed} needed)" if weeks >= needed else f"{said}; {needed} needed ({needed - weeks} more)"


_ACTIVITY = s.mapping(
    {
        "id": s.Key(s.ident),
        "label": s.Key(s.text),
        "min_weeks": s.Key(_WEEKS, False),
        "min_hours": s.Key(s.number(0), False),
        "completed_course_weeks": s.Key(s.list_of(_WEEKS, minimum=2), False),
        "completion": s.Key(s.boolean, False, False),
    }
)


class Activity(Measure):
    kind: ClassVar[str] = "activity"
    PARAMS: ClassVar[dict] = {"activities": s.Key(s.list_of(_ACTIVITY, minimum=1))}

    @classmethod
    def check_params(cls, params, path, walk):
        for i, act in enumerate(params.get("activities") or []):
            if act and not (act.get("min_weeks") or act.get("completion") or act.get("completed_course_weeks")):
                walk.fault(
                    s.join(s.join(path, "activities"), i), "give min_weeks, completion or completed_course_weeks"
                )

    def own_fields(self):
        choices = tuple((a["id"], a["label"]) for a in self.p["activities"])
        out = [
            Field("activity", "Activity", "choice", choices=choices),
            Field("weeks", "Weeks attended so far", "count", high=520),
            Field("completed", "Completed?", "yes_no"),
        ]
        if any(a.get("min_hours") for a in self.p["activities"]):
            out.append(Field("hours", "Hours in total", "number", required=False, low=0, high=5000))
        if any(a.get("completed_course_weeks") for a in self.p["activities"]):
            out.append(Field("course_weeks", "Length of the whole course in weeks", "count", required=False, high=520))
        return out

    def check_more(self, values):
        act = self.activity(values.get("activity"))
        if act and act.get("min_hours") and values.get("hours") is None:
            return [("hours", "Enter the hours in total: this activity needs a number of hours")]
        return []

    def decide(self, values, ctx):
        act = self.activity(values.get("activity"))
        weeks, done = values.get("weeks") or 0, values.get("completed") is True
        if act.get("completion") and done:
            return Finding(True, self.said_completed, (act,))
        span, length = act.get("completed_course_weeks"), values.get("course_weeks")
        if span and done and length is not None and span[0] <= length <= span[1]:
            return Finding(True, self.said_course, (act, length))
        need = act.get("min_weeks")
        if not need:
            return Finding(False, self.said_not_completed, (act,))
        if weeks < need:
            return Finding(False, self.said_weeks, (act, weeks), earliest=cal.add_weeks(ctx.end, need - weeks))
        hours, min_hours = values.get("hours"), act.get("min_hours")
        if min_hours and (hours or 0) < min_hours:
            return Finding(False, self.said_hours, (act, hours or 0))
        return Finding(True, self.said_weeks, (act, weeks))

    def activity(self, activity_id):
        return self._activities.get(activity_id) if type(activity_id) is str else None

    def __init__(self, params, tools):
        super().__init__(params, tools)
        self._activities: dict = {}  # worked out once: id -> the first activity with it
        for act in params["activities"]:
            self._activities.setdefault(act["id"], act)

    @staticmethod
    def said_completed(act) -> str:
        return f"{act['label']}: completed"

    @staticmethod
    def said_course(act, length) -> str:
        return f"{act['label']}: a whole {length}-week course completed"

    @staticmethod
    def said_not_completed(act) -> str:
        return f"{act['label']}: not yet completed"

    @staticmethod
    def said_weeks(act, weeks) -> str:
        need = act["min_weeks"]
        return (
            f"{act['label']}: {weeks} week(s); {need} needed"
            if weeks < need
            else f"{act['label']}: {weeks} weeks ({need} needed)"
        )

    @staticmethod
    def said_hours(act, hours) -> str:
        return f"{act['label']}: {fmt(hours)} hours; {fmt(act['min_hours'])} needed over {act['min_weeks']} weeks"


_BAND = s.mapping(
    {
        "min_age": s.Key(s.number(0, 120, whole=True), False),
        "max_age": s.Key(s.number(0, 120, whole=True), False),
        "amount": s.Key(s.dated(s.number(0))),
    }
)


class EarningsThreshold(Measure):
    kind: ClassVar[str] = "earnings_threshold"
    PARAMS: ClassVar[dict] = {"per": s.Key(s.one_of("week", "month")), "bands": s.Key(s.list_of(_BAND, minimum=1))}

    def own_fields(self):
        return [Field("earnings", f"Earnings per {self.p['per']} (GBP)", "number", low=0, high=100000)]

    def band(self, age):
        for band in self.p["bands"]:
            if (band["min_age"] is None or age >= band["min_age"]) and (
                band["max_age"] is None or age <= band["max_age"]
            ):
                return band
        return None

    def decide(self, values, ctx):
        ages = list(ctx.ages.values())
        if not ages:
            return Finding(False, "the evidence names no family member, so no earnings threshold applies")
        age = ages[0]
        band = self.band(age)
        if band is None:
            return Finding(False, self.said_no_band, (age,))
        amount, earned = band["amount"].at(ctx.start), values.get("earnings") or 0
        return Finding(earned >= amount, self.said, (age, amount, earned))

    @staticmethod
    def said_no_band(age) -> str:
        return f"no earnings threshold is set for someone aged {age}"

    def said(self, age, amount, earned) -> str:
        said = f"earnings of £{earned:,.2f} per {self.p['per']} at age {age}"
        if earned >= amount:
            return f"{said} meet the £{fmt(amount)} threshold"
        return f"{said}; the threshold is £{fmt(amount)} (£{amount - earned:,.2f} short)"
