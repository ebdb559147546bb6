import datetime as dt

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextInput
from wtforms import SelectField, StringField, ValidationError
from wtforms.validators import Length, StopValidation

from ..audit.actions import words
from ..boundaries.forms import PortalForm
from ..forms.dates import DateNotBefore, DateNotInFuture, GovukDateField

DATE_HINT = "For example, 27 3 2026. Dates are UK dates: a day runs from midnight to midnight UK time."


class DatesFilterForm(PortalForm):
    """A date range, each end optional: a GET form that changes nothing, so no CSRF token."""

    class Meta:
        csrf = False

    date_from = GovukDateField(
        "From",
        subject="The start date",
        description=DATE_HINT,
        validators=[DateNotBefore(dt.date(2000, 1, 1)), DateNotInFuture()],
    )
    date_to = GovukDateField(
        "To",
        subject="The end date",
        description="The log includes this whole day.",
        validators=[DateNotBefore(dt.date(2000, 1, 1)), DateNotInFuture()],
    )

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data and not self.date_from.errors:
            raise StopValidation("The end date must be the same as or after the start date")

    def filters(self) -> dict:
        """The filters as chosen, for the query and for links to further pages and the CSV."""
        chosen = {"date_from": self.date_from.data, "date_to": self.date_to.data}
        return {name: value for name, value in chosen.items() if value}


class AuditFilterForm(DatesFilterForm):
    """The service-wide log's filter."""

    # validate_choice off: validate_action below gives the GOV.UK message instead.
    action = SelectField("Action", widget=GovSelect(), default="", validate_choice=False)
    email = StringField(
        "User email address contains",
        widget=GovTextInput(),
        validators=[Length(max=320, message="User email address must be 320 characters or fewer")],
    )

    def __init__(self, formdata, actions):
        super().__init__(formdata=formdata)
        named = sorted(actions, key=lambda a: words(a).lower())
        self.action.choices = [("", "All actions"), *((a, words(a)) for a in named)]

    def validate_action(self, field):
        if field.data and field.data not in dict(field.choices):
            raise ValidationError("Choose an action from the list")

    def filters(self) -> dict:
        chosen = {"action": self.action.data, "email": (self.email.data or "").strip(), **super().filters()}
        return {name: value for name, value in chosen.items() if value}
