"""The rules engine: outcome plans as data, decisions as code.

Imports neither Flask nor the database, so it runs in a worker, a CLI or a notebook.
"""

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
