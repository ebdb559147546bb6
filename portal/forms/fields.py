"""Choice fields with GOV.UK messages, and radios or checkboxes grouped under headings.

WTForms reports an empty or unknown choice as "Not a valid choice"; GOV.UK asks
for "Choose ..." naming the question, so the choice fields say that instead.
Plans list dozens of indicators and outcomes; grouping them under their
problem's heading keeps one question readable.
"""

from flask import render_template
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput
from markupsafe import Markup
from wtforms import RadioField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices (tuples are deprecated from WTForms 3.3)."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def offered(field) -> set[str]:
    return {str(SelectChoice.from_input(choice).value) for choice in field.choices}


class ChoiceField(RadioField):
    """Radios; `message` when nothing (or something not offered) is chosen.

    With message=None the question is optional and no answer reads as "".
    """

    widget = GovRadioInput()

    def __init__(self, label=None, message=None, **kwargs):
        super().__init__(label, **kwargs)
        self.message = message

    def pre_validate(self, form):
        if not self.data and self.message is None:
            self.data = ""
        elif not self.data or str(self.data) not in offered(self):
            # An optional question names itself: "Choose one of the options" alone names no field.
            raise StopValidation(self.message or f"{self.label.text}: choose one of the options")


class ChecklistField(SelectMultipleField):
    """Checkboxes; `message` when none is ticked."""

    widget = GovCheckboxesInput()
    option_widget = CheckboxInput()

    def __init__(self, label=None, message=None, **kwargs):
        super().__init__(label, **kwargs)
        self.message = message

    def pre_validate(self, form):
        if self.message and not self.data:
            raise StopValidation(self.message)
        if any(str(value) not in offered(self) for value in self.data or ()):
            raise StopValidation(self.message or "Choose from the options shown")


class GroupedChoices:
    """Renders a ChoiceField or ChecklistField whose `groups` are (heading, [(value, label)])."""

    def __init__(self, kind):
        self.kind = kind  # "radios" or "checkboxes"

    def __call__(self, field, **kwargs):
        # The template is autoescaped; Markup only stops WTForms escaping its output again.
        html = render_template("families/_grouped_choices.html", field=field, kind=self.kind, chosen=_chosen(field))
        return Markup(html)  # noqa: S704


def _chosen(field) -> set[str]:
    data = field.data if isinstance(field.data, (list, tuple, set)) else [field.data]
    return {str(value) for value in data if value not in (None, "")}


def grouped(field_class, kind):
    """A field class whose choices come from `groups` and render under their headings."""

    class Grouped(field_class):
        widget = GroupedChoices(kind)

        def set_groups(self, groups):
            self.groups = groups
            self.choices = options(item for _, items in groups for item in items)

    return Grouped


GroupedRadioField = grouped(ChoiceField, "radios")
GroupedChecklistField = grouped(ChecklistField, "checkboxes")
