"""What the reviewer is shown about one submission: its values in the plan's
words, and what the rules engine makes of it today."""

from .. import casefile


def _fields(outcome, option):
    measure = outcome.measure
    fields = list(measure.fields())
    if option and hasattr(measure, "fields_for"):
        fields += measure.fields_for(option)
    return fields


def shown(value) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (list, tuple)):
        return ", ".join(shown(v) for v in value)
    return "Not given" if value in (None, "") else str(value)


def value_rows(family, evidence) -> list[tuple[str, str]]:
    """(label, value) for each value the evidence carries, worded as the form asked for it."""
    outcome = casefile.plan_for(family).outcome_by_id.get(evidence.outcome_id)
    fields = {f.name: f for f in _fields(outcome, evidence.option)} if outcome else {}
    values = {"option": evidence.option, **(evidence.values or {})} if evidence.option else evidence.values or {}
    return [_row(fields.get(name), name, value) for name, value in values.items()]


def _row(field, name, value) -> tuple[str, str]:
    if field is None:
        return name, shown(value)
    choices = dict(field.choices)
    return field.label, choices.get(value, shown(value)) if isinstance(value, str) else shown(value)


def submission_check(family, evidence, evidence_rows=None):
    """The engine's check of this submission against the case as it stands."""
    submission = {
        "outcome": evidence.outcome_id,
        "option": evidence.option,
        "source": evidence.source,
        "members": [f"m{i}" for i in evidence.member_ids if i in {m.id for m in family.current_members}],
        "period": {"start": evidence.period_start, "end": evidence.period_end},
        "values": evidence.values or {},
        "statement": evidence.statement,
    }
    return casefile.check(family, submission, evidence_rows=evidence_rows)
