"""Outcomes decided by a validated tool's score (Outcomes Star, SDQ, WEMWBS, EPDS...)."""

from typing import ClassVar

from .. import spec as s
from .base import Field, Finding, Measure, fmt, is_number

_SCORE = s.number()


class ScoreChange(Measure):
    kind = "score_change"
    PARAMS: ClassVar[dict] = {
        "tools": s.Key(s.list_of(s.ident, minimum=1)),
        "min_change": s.Key(s.number(0), False, 1),
        "final_above": s.Key(_SCORE, False),
        "final_below": s.Key(_SCORE, False),
        "initial_above": s.Key(_SCORE, False),
    }

    def tool(self, tool_id):
        return self.tools[tool_id]

    def own_fields(self):
        choices = tuple((t, self.tool(t)["name"]) for t in self.p["tools"])
        one = len(choices) == 1
        hint = f"{self.tool(choices[0][0])['min']} to {self.tool(choices[0][0])['max']}" if one else ""
        return [
            Field("tool", "Tool used", "choice", choices=choices),
            Field("initial_score", "Score at the start", "number", hint=hint),
            Field("final_score", "Score at the end", "number", hint=hint),
        ]

    def check_more(self, values):
        info = self.tools.get(values.get("tool"))
        if info is None or values.get("tool") not in self.p["tools"]:
            return []
        faults = []
        for name, label in (("initial_score", "Score at the start"), ("final_score", "Score at the end")):
            value = values.get(name)
            if is_number(value) and not info["min"] <= value <= info["max"]:
                message = (f"{label} must be between {fmt(info['min'])} and {fmt(info['max'])} "
                           f"for the {info['name']}; {fmt(value)} is out of range")
                faults.append((name, message))
        return faults

    def decide(self, values, ctx):
        info = self.tool(values.get("tool"))
        start, end = values.get("initial_score"), values.get("final_score")
        gain = end - start if info["better"] == "higher" else start - end
        moved = self._moved(info, start, end)
        failures = self._failures(start, end, gain)
        if failures:
            return Finding(False, f"{moved}: the plan needs " + " and ".join(failures))
        return Finding(True, moved)

    def _moved(self, info, start, end):
        name = info["name"].split(" (")[0]
        if end == start:
            return f"{name} stayed at {fmt(end)}"
        verb = "rose" if end > start else "fell"
        return f"{name} {verb} {fmt(abs(round(end - start, 6)))} point(s) from {fmt(start)} to {fmt(end)}"

    def _failures(self, start, end, gain):
        p, out = self.p, []
        if p["initial_above"] is not None and not start > p["initial_above"]:
            out.append(f"a starting score above {fmt(p['initial_above'])} (clinically high)")
        if round(gain, 6) < p["min_change"]:
            out.append(f"an improvement of at least {fmt(p['min_change'])} point(s)")
        if p["final_above"] is not None and not end > p["final_above"]:
            out.append(f"a final score above {fmt(p['final_above'])}")
        if p["final_below"] is not None and not end < p["final_below"]:
            out.append(f"a final score below {fmt(p['final_below'])}")
        return out
