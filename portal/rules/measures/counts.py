"""Outcomes decided by fewer incidents after than before (offending, ASB, missing, A&E)."""

import math
from fractions import Fraction
from typing import ClassVar

from .. import calendar as cal
from .. import spec as s
from .base import Field, Finding, Measure, as_date, fmt
from .windows import window_shortfall

_WHOLE = s.number(1, 120, whole=True)


def percent(r: Fraction) -> str:
    value = float(r) * 100
    return f"{value:.0f}%" if abs(value - round(value)) < 0.5 else f"{value:.1f}%"


class CountReduction(Measure):
    kind: ClassVar[str] = "count_reduction"
    PARAMS: ClassVar[dict] = {
        "incident": s.Key(s.text),
        "reduction": s.Key(s.fraction, False),
        "baseline_months": s.Key(_WHOLE),
        "measured_months": s.Key(_WHOLE),
        "method": s.Key(s.one_of("basis_table", "proportional"), False, "proportional"),
        "clean_months": s.Key(_WHOLE, False),
        "zero_required_up_to": s.Key(s.number(0, None, whole=True), False),
        "severe_offence_bars": s.Key(s.boolean, False, False),
    }

    def own_fields(self):
        inc = self.p["incident"]
        out = [
            Field("before", f"Number of {inc} in the {self.p['baseline_months']} months before", "count"),
            Field("after", f"Number of {inc} in the {self.p['measured_months']} months measured", "count"),
        ]
        if self.p["clean_months"]:
            out.append(Field("last_incident_date", "Date of the last incident (if any)", "date", required=False))
        if self.p["severe_offence_bars"]:
            out.append(Field("severe_offence", "Was any of the incidents a severe offence?", "yes_no"))
        return out

    def __init__(self, params, tools):
        super().__init__(params, tools)
        self._allowed: dict = {}  # before -> most allowed after, remembered: counts are small whole numbers

    def decide(self, values, ctx):
        months, last = self.p["clean_months"], as_date(values.get("last_incident_date"))
        if months and last is not None and cal.covers(last, ctx.end, months):
            return Finding(True, self.said_clean, (last,))
        short = window_shortfall(ctx, self.p["measured_months"], 0)
        if short:
            return short
        before, after = values.get("before") or 0, values.get("after") or 0
        zero_up_to = self.p["zero_required_up_to"]
        if zero_up_to is not None and before <= zero_up_to:
            return Finding(after == 0, self.said_none_allowed, (before, after))
        # A severe offence bars the reduction route only (Hertfordshire CRIME3: "5 or more incidents ...
        # at least a 50% reduction ... provided none of these are a severe offence").
        if self.p["severe_offence_bars"] and values.get("severe_offence") is True:
            return Finding(False, "an incident is a severe offence, which rules out the reduction route")
        if before == 0:
            return Finding(False, self.said_nothing_to_reduce)
        allowed = self.allowed(before)
        return Finding(after <= allowed, self.said_reduced, (before, after, allowed))

    def allowed(self, before) -> int:
        """Most incidents allowed in the measured period after `before` in the baseline."""
        allowed = self._allowed.get(before) if type(before) is int else None
        if allowed is None:
            allowed = self.allowance(before)[0]
            if type(before) is int and len(self._allowed) < 1000:
                self._allowed[before] = allowed
        return allowed

    def contradictions(self, values, ctx):
        """A last-incident date that the counts deny: incidents counted in the months measured, yet the
        last one dated before them; or none counted, yet the last one dated within them."""
        last = as_date(values.get("last_incident_date")) if self.p["clean_months"] else None
        if last is None or last > ctx.end:
            return []
        after, inc = values.get("after") or 0, self.p["incident"]
        months = f"the months measured ({ctx.start.isoformat()} to {ctx.end.isoformat()})"
        if after and last < ctx.start:
            why = f"{fmt(after)} {inc} are counted in {months}, but the last incident is dated {last.isoformat()}, before them"
            return [("last_incident_date", why)]
        if not after and last >= ctx.start:
            why = f"no {inc} are counted in {months}, but the last incident is dated {last.isoformat()}, within them"
            return [("last_incident_date", why)]
        return []

    def said_clean(self, last) -> str:
        return (
            f"no {self.p['incident']} since {last.isoformat()}: {self.p['clean_months']} months or more, "
            "which counts as a 100% reduction"
        )

    def said_none_allowed(self, before, after) -> str:
        head = (
            f"{fmt(before)} {self.p['incident']} before ({self.p['zero_required_up_to']} or fewer), so none are allowed"
        )
        if after == 0:
            return f"{head}; none recorded in {self.p['measured_months']} months"
        return f"{head}; {fmt(after)} recorded"

    def said_nothing_to_reduce(self) -> str:
        return f"no {self.p['incident']} in the baseline, so there is nothing to reduce"

    def said_reduced(self, before, after, allowed) -> str:
        basis_words = self.allowance(before)[1]
        want = percent(self.p["reduction"]) + " reduction" if self.p["reduction"] else "a reduction"
        head = f"{fmt(before)} {self.p['incident']} in the {self.p['baseline_months']} months before{basis_words}"
        if after <= allowed:
            return (
                f"{head}; {fmt(after)} in {self.p['measured_months']} months is within "
                f"the {fmt(allowed)} allowed for {want}"
            )
        return (
            f"{head}; at most {fmt(allowed)} allowed for {want}, "
            f"{fmt(after)} recorded ({fmt(after - allowed)} too many)"
        )

    def allowance(self, before):
        """Most incidents allowed in the measured period, and how it was worked out."""
        scale = Fraction(self.p["measured_months"], self.p["baseline_months"])
        keep = 1 - self.p["reduction"] if self.p["reduction"] else None
        if self.p["method"] == "basis_table":
            basis = math.ceil(before * scale)
            allowed = math.floor(keep * basis) if keep is not None else basis - 1
            return allowed, f" (a basis of {basis} for {self.p['measured_months']} months)"
        if keep is None:
            limit = before * scale
            return math.ceil(limit) - 1, ""
        return math.floor(keep * before * scale), ""
