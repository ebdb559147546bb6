"""The evidence form for one outcome, generated from the plan.

Every outcome's measure asks for different values, so the form is built from
`portal.rules.describe.outcome_json` rather than written by hand: the rules
engine's `fields()` feed both this form and the submission check, so the two
cannot disagree. Inputs are named after the engine's error keys with "-" for
"." ("values.attendance" -> "values-attendance"), so every message the check
returns links to the input it is about.
"""

from dataclasses import dataclass, field

from ..rules.describe import outcome_json
from ..rules.engine import about_words

DATE_KEYS = ("period.start", "period.end")
CHOICE_TYPES = ("yes_no", "choice", "choices")


@dataclass
class EvidenceForm:
    family: object
    outcome: object  # the plan's Outcome
    described: dict  # outcome_json(outcome)
    option: dict | None  # the chosen route of an any_of outcome: {"value", "label"}
    fields: list[dict]  # the values the measure needs, as Field.to_json describes them
    data: dict = field(default_factory=dict)  # what was typed, by input name
    errors: list = field(default_factory=list)  # (engine key, message)
    finding: object = None  # the engine's preview, when the values could be judged
    files_chosen: bool = False  # files were sent (a page shown again cannot keep them)
    keep: set | None = None  # a correction's earlier documents to carry forward; None: all (not posted yet)

    @property
    def about_family(self) -> bool:
        return self.outcome.about == "family"

    @property
    def about_words(self) -> str:
        return about_words(self.outcome)

    @property
    def members(self) -> list:
        return self.family.current_members

    def value(self, name: str) -> str:
        value = self.data.get(name, "")
        return value[0] if isinstance(value, list) and value else value or ""

    def chosen(self, name: str) -> list[str]:
        value = self.data.get(name) or []
        return [str(v) for v in (value if isinstance(value, list) else [value])]

    def error(self, key: str) -> dict | None:
        """The inline error for one field (a list's terms included), in the shape GOV.UK macros take."""
        messages = [m for k, m in self.errors if field_key(k) == key]
        return {"text": " ".join(messages)} if messages else None

    def marks(self, key: str, part: int) -> bool:
        """Whether one input of a list is in error: named itself, or the whole list is."""
        return any(k in (key, f"{key}.{part}") for k, _ in self.errors)

    def summary(self) -> list[tuple[str, str]]:
        """(input id, message) for the error summary, in the order of the form."""
        order = {key: i for i, key in enumerate(self.keys())}
        ranked = sorted(self.errors, key=lambda e: order.get(field_key(e[0]), -1))
        return [(self.anchor(key), message) for key, message in ranked]

    def keys(self) -> list[str]:
        return [
            "outcome",
            "option",
            "members",
            "source",
            *DATE_KEYS,
            *(f"values.{f['name']}" for f in self.fields),
            "statement",
            "documents",
        ]

    def anchor(self, key: str) -> str:
        """The id of the input for an error key (a date's day, a list's first or named term)."""
        base = key.replace(".", "-")
        if key != field_key(key):  # one term of a list, e.g. values.attendance.2
            return base
        kind = self.field_type(key)
        if key in DATE_KEYS or kind == "date":
            return f"{base}-day"
        return f"{base}-1" if kind == "percents" else base

    def field_type(self, key: str) -> str | None:
        return next((f["type"] for f in self.fields if f"values.{f['name']}" == key), None)


def field_key(key: str) -> str:
    """The field an error key is about: "values.attendance.2" (term 2) -> "values.attendance"."""
    return ".".join(key.split(".")[:2]) if key.startswith("values.") else key


def needs_option(outcome) -> bool:
    """Whether the outcome can be shown several ways (any_of), so a route is chosen first."""
    return hasattr(outcome.measure, "fields_for")


def routes(outcome) -> list[dict]:
    """The any_of routes as {"value", "label"}."""
    return outcome_json(outcome)["fields"][0]["choices"] if needs_option(outcome) else []


def route(outcome, option_id) -> dict | None:
    return next((r for r in routes(outcome) if r["value"] == option_id), None)


def evidence_form(family, outcome, option_id=None, data=None) -> EvidenceForm:
    """The form for evidence of `outcome` (any_of outcomes: for the chosen route only)."""
    described = outcome_json(outcome)
    option = route(outcome, option_id)
    fields = described["option_fields"].get(option_id, []) if needs_option(outcome) else described["fields"]
    return EvidenceForm(family, outcome, described, option, fields, dict(data or {}))


def form_data(request_form) -> dict:
    """A posted form as {name: text, or a list where the name repeats (ticked checkboxes)}."""
    return {name: values if len(values) > 1 else values[0] for name, values in request_form.lists()}
