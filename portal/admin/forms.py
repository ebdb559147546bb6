"""Admin forms. Checks that need the database call agencies.py / users.py."""

from typing import ClassVar

from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import (
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import EmailField, PasswordField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, StopValidation

from ..auth.passwords import password_problem
from ..boundaries.forms import PortalForm
from ..boundaries.ids import parse_id
from ..forms.fields import ChecklistField, ChoiceField
from ..models.people import AGENCY_KINDS, ROLES
from . import agencies, users

# Advice shown on the page, not a password.
PASSWORD_HINT = (
    "12 characters or more; three random words work well. The portal does not send it: "  # noqa: S105
    "tell the user yourself, for example by phone, not in an email to the same address. "
    "They can change it on their Your account page."
)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _problem(message):
    if message:
        raise StopValidation(message)


def _choice(message, choices):
    return [InputRequired(message), AnyOf(list(choices), message=message)]


class AgencyForm(PortalForm):
    subjects: ClassVar[dict] = {"kind": "Kind of agency"}
    name = StringField(
        "Agency name",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            DataRequired("Enter the agency name"),
            Length(max=200, message="Agency name must be 200 characters or fewer"),
        ],
    )
    kind = RadioField(
        "What kind of agency is it?",
        choices=dict(AGENCY_KINDS),
        widget=GovRadioInput(),
        validate_choice=False,
        validators=_choice("Choose what kind of agency it is", AGENCY_KINDS),
    )
    submit = SubmitField("Save agency", widget=GovSubmitInput())

    def __init__(self, *args, agency=None, **kwargs):
        super().__init__(*args, obj=agency, **kwargs)
        self.agency = agency

    def validate_name(self, field):
        _problem(agencies.name_problem(field.data, self.agency))


class AgencyChoice(SelectField):
    """The user's agency: "" for none, else an agency id (data is an int or None)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, widget=GovSelect(), validate_choice=False, coerce=str, **kwargs)

    def process_data(self, value):
        self.data = None if value in (None, "") else value

    def process_formdata(self, valuelist):
        raw = valuelist[0] if valuelist else ""
        # An id the database can hold, or none: "99999999999999999999" made the lookup raise.
        self.data = parse_id(raw)
        self._unknown = bool(raw) and self.data is None

    def set_choices(self):
        self.choices = [("", "No agency")] + [(str(a.id), a.name) for a in agencies.all_agencies()]

    def iter_choices(self):
        selected = "" if self.data is None else str(self.data)
        for value, label in self.choices:
            yield value, label, value == selected, {}


# Defined once, in page order: WTForms orders a form's fields (and so the error
# summary) by when each field was created.
_name = StringField(
    "Full name",
    widget=GovTextInput(),
    filters=[_strip],
    validators=[
        DataRequired("Enter the user’s full name"),
        Length(max=200, message="Full name must be 200 characters or fewer"),
    ],
)
_email = EmailField(
    "Email address",
    widget=GovTextInput(),
    filters=[_strip, _lower],
    validators=[
        DataRequired("Enter the user’s email address"),
        Length(max=320, message="Email address must be 320 characters or fewer"),
    ],
)
_role = RadioField(
    "Role",
    description="Partners submit evidence for their agency. Lead professionals run families’ cases. "
    "Claim verifiers check claims across every family. Programme managers open claim windows and build "
    "claims. Admins run the service and see no case.",
    choices=dict(ROLES),
    widget=GovRadioInput(),
    validate_choice=False,
    validators=_choice("Choose the user’s role", ROLES),
)
_agency = AgencyChoice(
    "Agency",
    description="Required for partners: they see only the families their agency works with. Optional for other roles.",
)


def _check_password(form, field):
    email = form.email.data if "email" in form else form.user.email
    _problem(password_problem(field.data or "", email or ""))


def _new_password(label, missing):
    return PasswordField(
        label,
        widget=GovPasswordInput(),
        description=PASSWORD_HINT,
        validators=[InputRequired(missing), _check_password],
    )


class _UserChecks(PortalForm):
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, obj=user, **kwargs)
        self.user = user
        self.agency_id.set_choices()

    def validate_email(self, field):
        _problem(users.email_problem(field.data))

    def validate_role(self, field):
        _problem(users.role_problem(current_user, self.user, field.data))

    def validate_agency_id(self, field):
        if getattr(field, "_unknown", False):
            _problem("Choose an agency from the list")
        _problem(users.agency_problem(self.role.data, field.data))


class NewUserForm(_UserChecks):
    name, email, role, agency_id = _name, _email, _role, _agency
    password = _new_password("Initial password", "Enter an initial password")
    submit = SubmitField("Add user", widget=GovSubmitInput())


class EditUserForm(_UserChecks):
    name, role, agency_id = _name, _role, _agency
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class PasswordResetForm(PortalForm):
    password = _new_password("New password", "Enter a new password")
    submit = SubmitField("Reset password", widget=GovSubmitInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user


class HandoverForm(PortalForm):
    """An admin hands some or all of a lead professional's families to another."""

    families = ChecklistField("Families to hand over", "Choose at least one family to hand over")
    lead = ChoiceField(
        "Who will be their lead professional?",
        "Choose the lead professional to hand the families to",
        description="Only active lead professionals are listed.",
    )
    submit = SubmitField("Hand over families", widget=GovSubmitInput())
