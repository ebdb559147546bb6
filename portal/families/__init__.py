"""Family cases: the list, the family page, and the lead professional's work on a case."""

from flask import Blueprint

from ..jobs.queue import PERIODIC_TASKS
from .filters import FILTERS
from .support import field_params, url_if_built
from .tasks import register_tasks

if register_tasks not in PERIODIC_TASKS:
    PERIODIC_TASKS.append(register_tasks)  # stored verdicts decided again each new day, on the jobs worker

bp = Blueprint("families", __name__, url_prefix="/families")

for _name, _filter in FILTERS.items():
    bp.add_app_template_filter(_filter, _name)
bp.add_app_template_filter(field_params, "govuk_params")
bp.add_app_template_global(url_if_built, "url_if_built")

from . import (  # noqa: F401  (registers the routes; standing keeps each stored verdict in step with changes)
    case_views,
    handover_views,
    member_views,
    review_views,
    standing,
    team_views,
    views,
)
