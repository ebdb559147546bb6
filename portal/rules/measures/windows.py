"""Outcomes judged over a window of time: 'no incident for six months'."""

from typing import ClassVar

from .. import calendar as cal
from .. import spec as s
from .base import Field, Finding, Measure, as_date, fmt, not_confirmed

_WHOLE = s.number(1, 120, whole=True)
_COUNT = s.number(0, None, whole=True)


def window_shortfall(ctx, months, weeks):
    """A finding when the evidence period is too short, else None."""
    ready = cal.period_end_for(ctx.start, months, weeks)
    if ctx.end >= ready:
        return None
    return Finding(False, too_short, (ctx.start, ctx.end, ready, months, weeks), earliest=ready)


def too_short(start, end, ready, months, weeks) -> str:
    return (
        f"the period {start.isoformat()} to {end.isoformat()} is shorter than the "
        f"{cal.length_words(months, weeks)} needed; evidence to {ready.isoformat()} or later is needed"
    )


class Sustained(Measure):
    kind: ClassVar[str] = "sustained"
    PARAMS: ClassVar[dict] = {
        "months": s.Key(_WHOLE, False),
        "weeks": s.Key(_WHOLE, False),
        "condition": s.Key(s.optional_text, False, ""),
        "incident": s.Key(s.optional_text, False, ""),
    }

    @classmethod
    def check_params(cls, params, path, walk):
        if bool(params.get("months")) == bool(params.get("weeks")):
            walk.fault(path, "give exactly one of months or weeks")
        if not params.get("condition") and not params.get("incident"):
            walk.fault(path, "give a condition, an incident, or both")

    def own_fields(self):
        out = []
        if self.p["condition"]:
            out.append(Field("condition_met", f"Confirmed: {self.p['condition']}", "yes_no"))
        if self.p["incident"]:
            out.append(Field("incidents", f"Number of incidents ({self.p['incident']}) in the period", "count"))
        return out

    def decide(self, values, ctx):
        months, weeks = self.p["months"] or 0, self.p["weeks"] or 0
        if self.p["condition"] and values.get("condition_met") is not True:
            return Finding(False, not_confirmed, (self.p["condition"],))
        incidents = values.get("incidents") or 0
        if incidents:
            return Finding(False, self.said_incidents, (incidents,))
        short = window_shortfall(ctx, months, weeks)
        if short:
            return short
        return Finding(True, self.said_clean, (ctx.start, ctx.end))

    def length(self) -> str:
        return cal.length_words(self.p["months"] or 0, self.p["weeks"] or 0)

    def said_incidents(self, incidents) -> str:
        return f"{fmt(incidents)} {self.p['incident']} recorded in the period; none allowed for {self.length()}"

    def said_clean(self, start, end) -> str:
        what = f"no {self.p['incident']}" if self.p["incident"] else self.p["condition"]
        return f"{what} for {self.length()} ({start.isoformat()} to {end.isoformat()})"


_PREPOSITIONS = (" of ", " into ")  # "incident of domestic abuse"; not "missing from home episode"


def plural(phrase: str) -> str:
    """A plan's noun phrase in the plural, for "Number of ...": its head noun takes the plural
    ("incident of domestic abuse" -> "incidents of domestic abuse", "missing report" ->
    "missing reports"); a phrase already plural, or a list, is left as it is."""
    cut = min((i for i in (phrase.find(p) for p in _PREPOSITIONS) if i > 0), default=len(phrase))
    head, rest = phrase[:cut], phrase[cut:]
    if head.endswith("s") or "," in head or " or " in head:  # plural already, or a list: as written
        return phrase
    if head.endswith("y") and head[-2:-1] not in tuple("aeiou"):
        return head[:-1] + "ies" + rest
    return head + "s" + rest


class ClosureWindow(Measure):
    kind: ClassVar[str] = "closure_window"
    PARAMS: ClassVar[dict] = {
        "before_months": s.Key(_WHOLE),
        "after_months": s.Key(_WHOLE),
        "incident": s.Key(s.text),
        "referral": s.Key(s.text),
        "also_one_of": s.Key(s.list_of(s.mapping({"id": s.Key(s.ident), "label": s.Key(s.text)})), False, []),
    }

    def own_fields(self):
        out = [
            Field(
                "incidents_before_closure",
                f"Number of {plural(self.p['incident'])} in the {cal.length_words(self.p['before_months'])} before closure",
                "count",
            ),
            Field(
                "referrals_after_closure",
                f"Number of {plural(self.p['referral'])} in the {cal.length_words(self.p['after_months'])} after closure",
                "count",
            ),
        ]
        if self.p["also_one_of"]:
            choices = tuple((i["id"], i["label"]) for i in self.p["also_one_of"])
            out.append(Field("supporting_item", "Supporting evidence (at least one)", "choice", choices=choices))
        return out

    def decide(self, values, ctx):
        closed = as_date(ctx.closed_on)
        if closed is None:
            return Finding(False, "the case is not closed; this outcome is judged from the closure date")
        starts_by = cal.add_months(closed, -self.p["before_months"])
        ready = cal.period_end_for(closed, self.p["after_months"])
        if ctx.start > starts_by:
            return Finding(False, self.said_start, (starts_by,))
        if values.get("incidents_before_closure"):
            return Finding(False, self.said_before, (values["incidents_before_closure"],))
        if values.get("referrals_after_closure"):
            return Finding(False, self.said_after, (values["referrals_after_closure"],))
        if ctx.end < ready:
            return Finding(False, self.said_ends, (ready, ctx.end), earliest=ready)
        if self.p["also_one_of"] and not values.get("supporting_item"):
            return Finding(False, "no supporting item given (at least one is needed)")
        return Finding(True, self.said_met)

    def said_start(self, starts_by) -> str:
        return f"the evidence must run from {starts_by.isoformat()} (a month before closure)"

    def said_before(self, count) -> str:
        return f"{count} {self.p['incident']}(s) in the month before closure; none allowed"

    def said_after(self, count) -> str:
        return f"{count} {self.p['referral']}(s) after closure; none allowed"

    def said_ends(self, ready, end) -> str:
        return f"the {self.p['after_months']} months after closure run to {ready.isoformat()}; the evidence ends {end.isoformat()}"

    def said_met(self) -> str:
        return (
            f"no {self.p['incident']} in the month before closure and no "
            f"{self.p['referral']} in the {self.p['after_months']} months after"
        )
