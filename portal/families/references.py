"""Family references such as "SUF-0001": a prefix from the plan, then a sequence.

The sequence counts per prefix rather than per plan id, so two plans from the
same council (suffolk-2017, suffolk-2020) can never hand out the same reference.
"""

import re

from ..extensions import db
from ..models import Family


def prefix(plan_id: str) -> str:
    letters = re.sub(r"[^A-Za-z]", "", plan_id)[:3].upper()
    return letters or "FAM"


def next_reference(plan_id: str) -> str:
    start = f"{prefix(plan_id)}-"
    refs = db.session.scalars(db.select(Family.ref).where(Family.ref.startswith(start, autoescape=True)))
    numbers = [int(ref[len(start) :]) for ref in refs if ref[len(start) :].isdigit()]
    return f"{start}{max(numbers, default=0) + 1:04d}"
