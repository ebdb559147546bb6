from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextInput
from wtforms import SelectField, StringField, ValidationError
from wtforms.validators import Length

from ..boundaries.forms import PortalForm


class AuditFilterForm(PortalForm):
    """The service-wide log's filter: a GET form that changes nothing, so no CSRF token."""

    class Meta:
        csrf = False

    # validate_choice off: validate_action below gives the GOV.UK message instead.
    action = SelectField("Action", widget=GovSelect(), default="", validate_choice=False)
    email = StringField(
        "User email address contains",
        widget=GovTextInput(),
        validators=[Length(max=320, message="User email address must be 320 characters or fewer")],
    )

    def __init__(self, formdata, actions):
        super().__init__(formdata=formdata)
        self.action.choices = [("", "All actions"), *((a, a) for a in actions)]

    def validate_action(self, field):
        if field.data and field.data not in dict(field.choices):
            raise ValidationError("Choose an action from the list")
