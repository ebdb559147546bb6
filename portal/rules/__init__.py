"""The rules engine: outcome plans as data, decisions as code.

Imports neither Flask nor the database, so it runs in a worker, a CLI or a notebook.
Its core is compiled from the same source when built (compiled.py); first, before any of
those modules is imported, the build is used only if it is current.
"""

from . import compiled

compiled.use_current_build()

from .case import Case, CaseError, parse_case
from .engine import evaluate
from .plan import Plan, PlanError, load_plan, load_plan_file, load_plans
from .submission import SubmissionCheck, check_submission, outcomes_open_to
from .verdict import Verdict

__all__ = [
    "Case",
    "CaseError",
    "Plan",
    "PlanError",
    "SubmissionCheck",
    "Verdict",
    "check_submission",
    "evaluate",
    "load_plan",
    "load_plan_file",
    "load_plans",
    "outcomes_open_to",
    "parse_case",
]
