"""Typed form input <-> the submission the rules engine checks (docs/case-format.md).

Reading only turns text into numbers, dates, yes/no and lists. Whether the
values are allowed or meet the outcome is the engine's decision
(portal.casefile.check); input it cannot read is passed on as typed where the
engine words the fault well ("... must be a real date"), and reported here
where the engine cannot name the exact input (one term of three).
"""

import datetime as dt
import math
import re

from .. import casefile
from ..boundaries import dates
from ..boundaries import text as control
from .forms import CHOICE_TYPES, EvidenceForm, field_key

DATE_PARTS = dates.PARTS
PERIOD_SUBJECTS = {"period-start": "The start of the period", "period-end": "The end of the period"}
# The inputs this module reads, and so checks for control characters (portal/boundaries/text.py).
INPUTS = ("members", "source", "statement")
INPUT_PREFIXES = ("values-", "period-")
control.checked_by_reader(lambda name: name in INPUTS or name.startswith(INPUT_PREFIXES))


# The most a box may hold (decision, 29 November 2026): a statement is a few paragraphs; every other
# box (the source, a practitioner's name and role, a number) is a line. Longer text is refused with a
# message naming the box, before anything is read; it used to be saved whole (100,000 characters) and
# then ran off the closure summary's page.
STATEMENT_MAX, LINE_MAX = 10_000, 300


def check(form: EvidenceForm) -> dict:
    """Read and check the form; sets form.errors and form.finding, returns the submission."""
    refused = control_faults(form) or length_faults(form)
    if refused:  # nothing is read, or shown to the engine, from a form carrying control characters
        form.errors, form.finding = refused, None
        return {}
    submission, faults = read(form)
    result = casefile.check(form.family, submission)
    read_keys = {field_key(key) for key, _ in faults}
    form.errors = faults + [(k, m) for k, m in result.errors if k not in read_keys]
    form.finding = None if faults else result.finding
    return submission


def read(form: EvidenceForm) -> tuple[dict, list]:
    values, faults = {}, []
    for f in form.fields:
        value = read_value(form, f, faults)
        if value is not None:
            values[f["name"]] = value
    chosen = [] if form.about_family else form.chosen("members")
    if any(not (m.isascii() and m.isdigit()) for m in chosen):  # not one of the form's own choices
        faults.append(("members", "Choose who this evidence is about from the list"))
    submission = {
        "outcome": form.outcome.id,
        "members": [f"m{m}" for m in chosen if m.isascii() and m.isdigit()],
        "source": form.value("source").strip(),
        "period": {
            prefix.removeprefix("period-"): read_date(form, prefix, subject, faults, prefix.replace("-", "."))
            for prefix, subject in PERIOD_SUBJECTS.items()
        },
        "values": values,
        "statement": form.value("statement").strip(),
    }
    if form.option:
        submission["option"] = form.option["value"]
    return submission, faults


def read_value(form, f, faults):
    name, key = f"values-{f['name']}", f"values.{f['name']}"
    reader = READERS.get(f["type"], read_text)
    value = reader(form, name, f, lambda message, part="": faults.append((key + part, message)))
    if value is None and f["required"] and f["type"] in CHOICE_TYPES:
        faults.append((key, BLANK_CHOICE[f["type"]].format(label=f["label"])))
    return value


BLANK_CHOICE = {
    "yes_no": "{label}: answer yes or no",
    "choice": "{label}: choose one of the options",
    "choices": "{label}: choose at least one",
}


def read_text(form, name, f, fault):
    return form.value(name).strip() or None


def read_number(form, name, f, fault):
    text = form.value(name).strip()
    return number(text) if text else None


# Digits with an optional sign and decimal point: what people type. Python's float() also reads
# "1_000", "1e308", "nan" and "inf", which are no answer here (the engine refuses the text as typed).
PLAIN_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)")
# Commas only as thousands separators ("1,200"): "92,5" (a decimal comma) was read as 925, silently
# another number; now it is refused as typed, and the partner is asked for a number.
THOUSANDS = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?%?")


def number(text: str):
    """A number as typed ("91.5", "91.5%", "1,200"), or the text itself for the engine to refuse."""
    if "," in text and not THOUSANDS.fullmatch(text.strip()):
        return text
    cleaned = text.replace(",", "").removesuffix("%").strip()
    if len(cleaned) > 20 or not PLAIN_NUMBER.fullmatch(cleaned):  # no count or percentage needs more
        return text
    value = float(cleaned)
    if not math.isfinite(value):  # more digits than a float holds
        return text
    return int(cleaned) if "." not in cleaned else value


def read_percents(form, name, f, fault):
    """One value per term; a blank or unreadable term is named, since the engine sees only the list."""
    texts = [form.value(f"{name}-{i}").strip() for i in range(1, f["size"] + 1)]
    if not any(texts):
        return None
    values = [number(t) for t in texts]
    for i, (text, value) in enumerate(zip(texts, values, strict=True), 1):
        if not text:
            fault(f"Enter term {i} {noun(f)}", f".{i}")
        elif isinstance(value, str):
            fault(f"Term {i} {noun(f)} must be a number", f".{i}")
    return values


def noun(f) -> str:
    return "attendance" if "attendance" in f["name"] else "value"


def read_yes_no(form, name, f, fault):
    return {"yes": True, "no": False}.get(form.value(name))


def read_choice(form, name, f, fault):
    text = form.value(name)
    if not text:
        return None
    # Choice values in a plan may be numbers; the form sends text.
    return next((c["value"] for c in f["choices"] if str(c["value"]) == text), text)


def read_choices(form, name, f, fault):
    chosen = form.chosen(name)
    by_text = {str(c["value"]): c["value"] for c in f["choices"]}
    return [by_text.get(text, text) for text in chosen] or None


def read_value_date(form, name, f, fault):
    try:
        day = dates.read_date(*(form.value(f"{name}-{part}") for part in DATE_PARTS), subject=f["label"])
    except dates.DateProblem as problem:
        fault(str(problem))
        return None
    return day.isoformat() if day else None


def read_date(form, prefix, subject, faults, key) -> str:
    """A GOV.UK date input as an ISO date; "" if blank or not a real date (the fault is added)."""
    try:
        day = dates.read_date(*(form.value(f"{prefix}-{part}") for part in DATE_PARTS), subject=subject)
    except dates.DateProblem as problem:
        faults.append((key, str(problem)))
        return ""
    return day.isoformat() if day else ""


def control_faults(form: EvidenceForm) -> list:
    """(engine key, message) for each input holding a control character; only the statement is multi-line."""
    faults = []
    for name, typed in form.data.items():
        multi_line = name == "statement"
        if any(isinstance(t, str) and control.has_control(t, multi_line) for t in _texts(typed)):
            key, subject = input_subject(form, name)
            faults.append((key, control.control_problem(subject, multi_line)))
    return list(dict.fromkeys(faults))


def length_faults(form: EvidenceForm) -> list:
    """(engine key, message) for each input holding more than it may (STATEMENT_MAX, LINE_MAX)."""
    faults = []
    for name, typed in form.data.items():
        if name not in INPUTS and not name.startswith(INPUT_PREFIXES):
            continue  # not a box the person types in (the CSRF token, the form's key)
        most = STATEMENT_MAX if name == "statement" else LINE_MAX
        if any(isinstance(t, str) and len(t.strip()) > most for t in _texts(typed)):
            key, subject = input_subject(form, name)
            faults.append((key, f"{subject} must be {most:,} characters or fewer"))
    return list(dict.fromkeys(faults))


def _texts(typed):
    return typed if isinstance(typed, list) else [typed]


def input_subject(form, name) -> tuple[str, str]:
    """The engine key and the words for an input's messages: "period-end-day" -> the end of the period."""
    for prefix, subject in PERIOD_SUBJECTS.items():
        if name.startswith(prefix):
            return prefix.replace("-", "."), subject
    for f in form.fields:
        if name == f"values-{f['name']}" or name.startswith(f"values-{f['name']}-"):
            return f"values.{f['name']}", f["label"]
    known = {"members": "Who this evidence is about", "source": "Source", "statement": "Statement"}
    return name, known.get(name, name)


READERS = {
    "number": read_number,
    "count": read_number,
    "percent": read_number,
    "percents": read_percents,
    "yes_no": read_yes_no,
    "choice": read_choice,
    "choices": read_choices,
    "date": read_value_date,
    "text": read_text,
}


def data_from(evidence, form: EvidenceForm) -> dict:
    """A saved version as form input, so a correction starts from what was submitted."""
    data = {
        "members": [str(i) for i in evidence.member_ids],
        "source": evidence.source,
        "statement": evidence.statement,
    }
    data |= date_data("period-start", evidence.period_start) | date_data("period-end", evidence.period_end)
    for f in form.fields:
        value = (evidence.values or {}).get(f["name"])
        if value is not None:
            data |= value_data(f"values-{f['name']}", f["type"], value)
    return data


def value_data(name, kind, value) -> dict:
    if kind == "percents":
        return {f"{name}-{i}": as_text(v) for i, v in enumerate(value, 1)}
    if kind == "yes_no":
        return {name: "yes" if value else "no"}
    if kind == "choices":
        return {name: [str(v) for v in value]}
    if kind == "date":
        return date_data(name, dt.date.fromisoformat(value))
    return {name: as_text(value)}


def date_data(prefix, day: dt.date) -> dict:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


def as_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
