"""Measure kinds by name. A plan's `measure.kind` picks one; its other keys are parameters."""

from .attendance import AttendanceImprovement, EarlyYearsEntitlement, SchoolAttendance
from .base import Context, Field, Finding, Measure
from .choice import AnyOf, Checklist
from .counts import CountReduction
from .judgement import Judgement
from .registry import KINDS, measure_spec, use_tools
from .scores import ScoreChange
from .windows import ClosureWindow, Sustained
from .work import Activity, ContinuousEmployment, EarningsThreshold

KINDS.update(
    {
        cls.kind: cls
        for cls in (
            Judgement,
            Sustained,
            ClosureWindow,
            CountReduction,
            SchoolAttendance,
            AttendanceImprovement,
            EarlyYearsEntitlement,
            ScoreChange,
            ContinuousEmployment,
            Activity,
            EarningsThreshold,
            Checklist,
            AnyOf,
        )
    }
)

__all__ = ["KINDS", "Context", "Field", "Finding", "Measure", "measure_spec", "use_tools"]
