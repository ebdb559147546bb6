"""Control characters: refused in every query parameter and every form field.

PostgreSQL cannot store a NUL in text (the driver raises, a 500), CR and LF in
a value that reaches a header split it, and no person types the other C0
controls, DEL or the C1 controls (U+0080 to U+009F) on purpose, nor the
bidirectional overrides (DIRECTION_CONTROLS, below). So:

- a multi-line box (a textarea) may hold tabs and line breaks (tab, LF, CR, and
  Unicode's line and paragraph separators, U+2028 and U+2029, which PDFs write
  as line breaks: portal/closure/pdf.py), and nothing else below U+0020, nor DEL
  or C1;
- everything else (one-line inputs, radios, checkboxes, query parameters,
  field names) may hold none of them.

Two layers, so a new form cannot forget it:
1. Forms say it next to the field. Every WTForms form derives from `PortalForm`
   (tests/test_input_boundaries.py fails on one that does not), which puts
   `refuse_control_characters` first on every field: "Full name must not include
   tabs, line breaks or other control characters". It runs before the form's own
   checks, some of which ask the database. Readers outside WTForms (the evidence
   form) use `control_problem` and claim their inputs with `checked_by_reader`.
2. A check before every request refuses, with a 400 page naming the input, any
   control character in a query parameter (name or value), in a form field's
   name, or in the value of a posted field that no form claims; and a query
   parameter longer than MAX_QUERY_LENGTH. `next` on the
   sign-in page is let through: portal/auth/next_page.py ignores anything but a
   portal path, so a mangled link still signs the person in.
"""

import functools
import re

from flask import render_template, request
from wtforms import Form, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.validators import StopValidation

# The bidirectional embeddings, overrides and isolates (U+202A to U+202E, U+2066 to U+2069)
# are refused with them: they make text display in an order other than the one it is stored
# in ("Trojan Source"), so a name or a statement could read one way on a page or in a closure
# summary and be another in the records and the claim file. Nobody types them; right-to-left
# scripts need none of them. The direction marks (U+200E, U+200F) stay allowed.
DIRECTION_CONTROLS = "\u202a-\u202e\u2066-\u2069"
# Unicode's line and paragraph separators are line breaks too: refused where a line break is.
LINE_SEPARATORS = "\u2028\u2029"
ONE_LINE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{LINE_SEPARATORS}{DIRECTION_CONTROLS}]")
MULTI_LINE = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f{DIRECTION_CONTROLS}]")  # tab, LF, CR allowed

# Query parameters whose reader accepts any text safely (see the module docstring).
READ_AS_ANY_TEXT = frozenset({"next"})
# No query parameter needs more (a search, an email address); SQLite refuses a LIKE
# pattern over 50,000 bytes, which a longer search became (a 500).
MAX_QUERY_LENGTH = 1000

# What the 400 page calls a query parameter; the name itself for any other.
QUERY_LABELS = {
    "q": "Search",
    "page": "Page number",
    "email": "User email address",
    "action": "Action",
    "outcome": "Outcome",
    "option": "How the evidence shows the outcome",
    "correcting": "Evidence being corrected",
    "step": "Step of submitting evidence",
}


def has_control(text: str, multi_line: bool = False) -> bool:
    return bool((MULTI_LINE if multi_line else ONE_LINE).search(text))


def control_problem(subject: str, multi_line: bool = False) -> str:
    if multi_line:
        return f"{subject} must not include control characters other than tabs and line breaks"
    return f"{subject} must not include tabs, line breaks or other control characters"


def subject_of(form, field) -> str:
    """What messages call a field: the form's `subjects`, a date's subject, or its label."""
    named = getattr(form, "subjects", {}).get(field.short_name) or getattr(field, "subject", None)
    return named or field.label.text.removesuffix(" (optional)")


def refuse_control_characters(form, field):
    """First validator of every PortalForm field; a date's "not a real date" gives way to it."""
    multi_line = isinstance(field, TextAreaField)
    if any(isinstance(v, str) and has_control(v, multi_line) for v in field.raw_data or ()):
        field.errors.clear()
        raise StopValidation(control_problem(subject_of(form, field), multi_line))


# --- layer 2: before every request -------------------------------------------------

_reader_claims = []  # predicates name -> bool, from readers outside WTForms


def checked_by_reader(predicate):
    """Declare posted inputs a reader outside WTForms checks itself (with control_problem)."""
    _reader_claims.append(predicate)
    return predicate


def form_field_names() -> set[str]:
    """Every field name of every WTForms form class in the portal (with and without a prefix)."""
    names = {"csrf_token"}
    for cls in _all_subclasses(Form):
        if cls.__module__.startswith("portal."):
            names |= _field_names(cls)
    return names


@functools.lru_cache(maxsize=1024)
def _field_names(cls) -> frozenset[str]:
    # dir() of every form class on every POST was a tenth of a live check's time (docs/performance.md).
    return frozenset(
        getattr(cls, attr).kwargs.get("name") or attr
        for attr in dir(cls)
        if isinstance(getattr(cls, attr, None), UnboundField)
    )


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def _claimed(name, form_names) -> bool:
    # Prefixed forms (the review form, "e12-decision") name inputs "<prefix>-<field>".
    if name in form_names or name.rpartition("-")[2] in form_names:
        return True
    return any(claims(name) for claims in _reader_claims)


def refused_inputs() -> list[str]:
    """Messages for the inputs of this request that the check before every request refuses."""
    messages = []
    if has_control(request.path):  # a path segment read as text, e.g. a file kind
        messages.append(control_problem("The page address"))
    for name, value in request.args.items(multi=True):
        label = QUERY_LABELS.get(name, name[:100] if not has_control(name) else "A query parameter name")
        if name in READ_AS_ANY_TEXT and not has_control(name):
            continue
        if has_control(name) or has_control(value):
            messages.append(control_problem(label))
        elif len(value) > MAX_QUERY_LENGTH or len(name) > MAX_QUERY_LENGTH:
            messages.append(f"{label} must be {MAX_QUERY_LENGTH} characters or fewer")
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        form_names = form_field_names()
        for name, value in request.form.items(multi=True):
            if has_control(name):
                messages.append(control_problem("A form field name"))
            elif not _claimed(name, form_names) and has_control(value):
                messages.append(control_problem(name[:100]))
    return list(dict.fromkeys(messages))


def check_request():
    messages = refused_inputs()
    if messages:
        return render_template(
            "main/bad_input.html",
            messages=messages,
            has_errors=True,
            page_title="There is a problem with what was sent",
        ), 400
    return None


def init_app(app):
    app.before_request(check_request)
