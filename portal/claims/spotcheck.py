"""The spot-check pack for one line: the department's three questions, each with the evidence behind it."""

import datetime as dt

from flask import render_template

from ..models.claims import CLAIM_TYPES, DECISIONS, REJECTION_REASONS
from ..rules.claims import FLAGS
from . import tasks


def pack_html(line, user, now=None) -> str:
    problems = [tasks.section(line, f"problem-{p['id']}") for p in line.verdict["problems"]]
    ce = tasks.section(line, "continuous-employment") if line.claim_type == "continuous_employment" else None
    return render_template(
        "claims/spot_check_pdf.html",
        line=line,
        claim=line.claim,
        eligibility=tasks.section(line, "eligibility"),
        essentials=tasks.section(line, "essentials"),
        problems=problems,
        ce=ce,
        sustainment=tasks.section(line, "sustainment"),
        plan=tasks.plan_of(line),
        generated_at=now or dt.datetime.now(dt.UTC),
        generated_by=user,
        claim_types=CLAIM_TYPES,
        decisions=DECISIONS,
        reasons=REJECTION_REASONS,
        flag_titles=FLAGS,
    )
