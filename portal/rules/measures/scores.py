"""Outcomes decided by a validated tool's score (Outcomes Star, SDQ, WEMWBS, EPDS...)."""

from typing import ClassVar

from .. import spec as s
from .base import Field, Finding, Measure, fmt, is_number

_SCORE = s.number()


class ScoreChange(Measure):
    kind: ClassVar[str] = "score_change"
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
        tool = values.get("tool")
        info = self.tools.get(tool) if type(tool) is str else None
        if info is None or tool not in self.p["tools"]:
            return []
        faults = []
        for name, label in (("initial_score", "Score at the start"), ("final_score", "Score at the end")):
            value = values.get(name)
            if is_number(value) and not info["min"] <= value <= info["max"]:
                message = (
                    f"{label} must be between {fmt(info['min'])} and {fmt(info['max'])} "
                    f"for the {info['name']}; {fmt(value)} is out of range"
                )
                faults.append((name, message))
        return faults

    def decide(self, values, ctx):
        info = self.tool(values.get("tool"))
        start, end = values.get("initial_score"), values.get("final_score")
        gain = end - start if info["better"] == "higher" else start - end
        short = self._short(start, end, gain)
        return Finding(not short, self.said, (info, start, end, short))

    def _short(self, start, end, gain) -> tuple:
        """What the scores fall short of, as the names of the plan's conditions (none: met)."""
        p = self.p
        out: tuple[str, ...] = ()
        if p["initial_above"] is not None and not start > p["initial_above"]:
            out += ("initial_above",)
        if round(gain, 6) < p["min_change"]:
            out += ("min_change",)
        if p["final_above"] is not None and not end > p["final_above"]:
            out += ("final_above",)
        if p["final_below"] is not None and not end < p["final_below"]:
            out += ("final_below",)
        return out

    def said(self, info, start, end, short) -> str:
        moved = self._moved(info, start, end)
        if not short:
            return moved
        return f"{moved}: the plan needs " + " and ".join(NEEDS[key].format(fmt(self.p[key])) for key in short)

    def _moved(self, info, start, end):
        name = info["name"].split(" (")[0]
        if end == start:
            return f"{name} stayed at {fmt(end)}"
        verb = "rose" if end > start else "fell"
        return f"{name} {verb} {fmt(abs(round(end - start, 6)))} point(s) from {fmt(start)} to {fmt(end)}"


NEEDS = {
    "initial_above": "a starting score above {} (clinically high)",
    "min_change": "an improvement of at least {} point(s)",
    "final_above": "a final score above {}",
    "final_below": "a final score below {}",
}
