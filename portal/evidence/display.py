"""Saved evidence values as the partner entered them, labelled as on the form."""

import datetime as dt

from .. import casefile
from ..rules.plan import age_on
from .forms import evidence_form
from .reading import as_text

YES_NO = {True: "Yes", False: "No"}


def value_rows(family, evidence, plan=None) -> list[tuple[str, str]]:
    """(label, text) for each value of one version, in the order of the form.

    `plan`: the family's plan, where the caller has it already (a closure summary lists 30
    items; looking the plan up asks whether any plan file changed, each time)."""
    values = evidence.values or {}
    outcome = (plan or casefile.plan_for(family)).outcome_by_id.get(evidence.outcome_id)
    fields = evidence_form(family, outcome, evidence.option).fields if outcome else []
    rows = [(f["label"], shown(f, values[f["name"]])) for f in fields if f["name"] in values]
    known = {f["name"] for f in fields}
    # Values the form no longer asks for are still shown: the record must be complete.
    return rows + [(name, str(value)) for name, value in values.items() if name not in known]


def shown(f, value) -> str:
    if f["type"] == "percents":
        return ", ".join(f"Term {i}: {as_text(v)}%" for i, v in enumerate(value, 1))
    if f["type"] == "percent":
        return f"{as_text(value)}%"
    if f["type"] == "yes_no":
        return YES_NO.get(value, str(value))
    if f["type"] in ("choice", "choices"):
        labels = {c["value"]: c["label"] for c in f.get("choices", [])}
        return "; ".join(labels.get(v, str(v)) for v in (value if isinstance(value, list) else [value]))
    if f["type"] == "date":
        return long_date(dt.date.fromisoformat(value))
    return as_text(value)


def long_date(day: dt.date) -> str:
    """GOV.UK style: 8 January 2018."""
    return f"{day.day} {day:%B %Y}"


def age(born: dt.date, on: dt.date | None = None) -> int:
    on = on or casefile.today()
    return age_on(born, on)


def field_hint(f) -> str:
    """The plan's hint for a value, or its range ("0 to 12") where the measure sets one."""
    if f.get("hint"):
        return f["hint"]
    low, high = f.get("low"), f.get("high")
    if high is not None:
        return f"{as_text(low if low is not None else 0)} to {as_text(high)}"
    return ""


def size(n: int) -> str:
    """A file's size as people read it: "812 KB", "2.4 MB"."""
    if n < 1024 * 1024:
        return f"{max(1, round(n / 1024))} KB"
    return f"{n / (1024 * 1024):.1f} MB"
