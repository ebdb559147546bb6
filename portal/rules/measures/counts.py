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
    kind = "count_reduction"
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

    def decide(self, values, ctx):
        clean = self._clean(values, ctx)
        if clean:
            return clean
        short = window_shortfall(ctx, self.p["measured_months"], 0)
        if short:
            return short
        before, after = values.get("before") or 0, values.get("after") or 0
        zero_up_to = self.p["zero_required_up_to"]
        if zero_up_to is not None and before <= zero_up_to:
            return self._none_allowed(before, after, zero_up_to)
        # A severe offence bars the reduction route only (Hertfordshire CRIME3: "5 or more incidents ...
        # at least a 50% reduction ... provided none of these are a severe offence").
        if self.p["severe_offence_bars"] and values.get("severe_offence") is True:
            return Finding(False, "an incident is a severe offence, which rules out the reduction route")
        if before == 0:
            return Finding(False, f"no {self.p['incident']} in the baseline, so there is nothing to reduce")
        return self._reduced(before, after)

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

    def _clean(self, values, ctx):
        months, last = self.p["clean_months"], as_date(values.get("last_incident_date"))
        if not months or last is None or not cal.covers(last, ctx.end, months):
            return None
        return Finding(True, f"no {self.p['incident']} since {last.isoformat()}: {months} months or more, "
                             "which counts as a 100% reduction")

    def _none_allowed(self, before, after, zero_up_to):
        head = f"{fmt(before)} {self.p['incident']} before ({zero_up_to} or fewer), so none are allowed"
        if after == 0:
            return Finding(True, f"{head}; none recorded in {self.p['measured_months']} months")
        return Finding(False, f"{head}; {fmt(after)} recorded")

    def _reduced(self, before, after):
        allowed, basis_words = self.allowance(before)
        want = percent(self.p["reduction"]) + " reduction" if self.p["reduction"] else "a reduction"
        head = f"{fmt(before)} {self.p['incident']} in the {self.p['baseline_months']} months before{basis_words}"
        if after <= allowed:
            return Finding(True, f"{head}; {fmt(after)} in {self.p['measured_months']} months is within "
                                 f"the {fmt(allowed)} allowed for {want}")
        over = after - allowed
        return Finding(False, f"{head}; at most {fmt(allowed)} allowed for {want}, "
                              f"{fmt(after)} recorded ({fmt(over)} too many)")

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
