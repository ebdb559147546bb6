"""Builders of the text, reason and submit fields the features' forms share."""

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

DATE_HINT = "For example, 27 3 2024"


def strip(value):
    return value.strip() if isinstance(value, str) else value


def _text(label, message, max_length=200, **kwargs):
    return StringField(
        label,
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            DataRequired(message),
            Length(max=max_length, message=f"{label} must be {max_length} characters or fewer"),
        ],
        **kwargs,
    )


def _reason(label, message):
    # Spaces alone are not a reason: DataRequired reads the stripped value.
    return TextAreaField(
        label,
        widget=GovTextArea(),
        filters=[strip],
        validators=[DataRequired(message), Length(max=2000, message="Reason must be 2000 characters or fewer")],
    )


def _submit(text):
    return SubmitField(text, widget=GovSubmitInput())
