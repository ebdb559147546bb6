from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired

from ..boundaries.forms import PortalForm


class SignInForm(PortalForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter your email address")],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your password")],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class CodeForm(PortalForm):
    code = StringField(
        "Security code",
        widget=GovTextInput(),
        description="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        validators=[InputRequired(message="Enter the security code")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class SetUpForm(PortalForm):
    code = StringField(
        "Code from your app",
        widget=GovTextInput(),
        description="The 6-digit code your authenticator app shows for this portal.",
        validators=[InputRequired(message="Enter the 6-digit code from your authenticator app")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())
