"""The GOV.UK date input (day, month, year) as a WTForms field, with GOV.UK messages.

WTForms' DateField joins the three boxes and reports any fault as "Not a valid
date value"; the Design System asks for messages that say which part is wrong
("Date of birth must include a month"). The parts are read by
portal.boundaries.dates.read_date, the one reader of every date input.
"""

import datetime as dt

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import Field
from wtforms.validators import StopValidation

from ..boundaries.dates import DateProblem, read_date

EARLIEST = dt.date(1900, 1, 1)


class GovukDateField(Field):
    """Three boxes named alike; `data` is a date, or None when all three are blank."""

    widget = GovDateInput()
    raw_data = None  # the widget reads it before any form data arrives

    def __init__(self, label=None, validators=None, subject=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        # What messages call the date when the label says more, e.g. "(optional)".
        self.subject = subject or self.label.text

    def process_formdata(self, valuelist):
        parts = [str(v) for v in valuelist][:3]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts  # the widget puts back exactly what was typed
        self.data = None
        try:
            self.data = read_date(*parts, subject=self.subject)
        except DateProblem as problem:
            raise ValueError(str(problem)) from None

    def _value(self):
        return self.data.isoformat() if self.data else ""


class DateRequired:
    """Stops with `message` when no date was entered (and nothing else is wrong)."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data is None and not field.errors:
            raise StopValidation(self.message)


class DateNotInFuture:
    def __call__(self, form, field):
        if field.data and field.data > dt.date.today():
            raise StopValidation(f"{field.subject} must be today or in the past")


class DateInPast:
    def __call__(self, form, field):
        if field.data and field.data >= dt.date.today():
            raise StopValidation(f"{field.subject} must be in the past")


class DateNotBefore:
    def __init__(self, earliest=EARLIEST):
        self.earliest = earliest

    def __call__(self, form, field):
        if field.data and field.data < self.earliest:
            raise StopValidation(f"{field.subject} must be {self.earliest.year} or later")
