"""Measure kinds by name. A plan's `measure.kind` picks one; its other keys are parameters."""

from .. import spec as s
from .attendance import AttendanceImprovement, EarlyYearsEntitlement, SchoolAttendance
from .base import Context, Field, Finding, Measure
from .choice import AnyOf, Checklist
from .counts import CountReduction
from .judgement import Judgement
from .scores import ScoreChange
from .windows import ClosureWindow, Sustained
from .work import Activity, ContinuousEmployment, EarningsThreshold

KINDS = {
    cls.kind: cls
    for cls in (
        Judgement, Sustained, ClosureWindow, CountReduction, SchoolAttendance,
        AttendanceImprovement, EarlyYearsEntitlement, ScoreChange, ContinuousEmployment,
        Activity, EarningsThreshold, Checklist, AnyOf,
    )
}

# Tools are plan-wide data; the loader sets them before walking a plan file.
_TOOLS: dict = {}


def use_tools(tools: dict) -> None:
    _TOOLS.clear()
    _TOOLS.update(tools)


def measure_spec(value, path, walk):
    if not isinstance(value, dict):
        walk.fault(path, f"expected a measure (a mapping with a kind), got {s.shown(value)}")
        return None
    cls = KINDS.get(value.get("kind"))
    if cls is None:
        walk.fault(s.join(path, "kind"), f"expected one of {', '.join(sorted(KINDS))}, got {s.shown(value.get('kind'))}")
        return None
    before = len(walk.faults)
    params = s.mapping(cls.schema())(value, path, walk)
    if len(walk.faults) == before:
        cls.check_params(params, path, walk)
    _check_tools(params, path, walk)
    return None if len(walk.faults) > before else cls(params, _TOOLS)


def _check_tools(params, path, walk):
    for i, tool in enumerate(params.get("tools") or []):
        if tool and tool not in _TOOLS:
            walk.fault(f"{path}.tools[{i}]", f'unknown tool "{tool}"; tools are listed in frameworks/tools.yaml')


__all__ = ["KINDS", "Context", "Field", "Finding", "Measure", "measure_spec", "use_tools"]
