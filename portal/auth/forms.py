from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, HiddenField, PasswordField, StringField, SubmitField
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


class ForgottenPasswordForm(PortalForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        description="The address you sign in with. We will e-mail it a link to choose a new password.",
        validators=[InputRequired(message="Enter your email address")],
    )
    submit = SubmitField("Send me a link", widget=GovSubmitInput())

    def validate_email(self, field):
        from wtforms.validators import StopValidation

        if len(field.data or "") > 320:
            raise StopValidation("Email address must be 320 characters or fewer")


class ResetPasswordForm(PortalForm):
    token = HiddenField()
    new_password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description="12 characters or more; three random words work well.",
        validators=[InputRequired("Enter a new password")],
    )
    confirm_password = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your new password again")],
    )
    submit = SubmitField("Reset password", widget=GovSubmitInput())

    def __init__(self, *args, email="", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def validate_new_password(self, field):
        from wtforms.validators import StopValidation

        from .passwords import password_problem

        problem = password_problem(field.data, self.email)
        if problem:
            raise StopValidation(problem)

    def validate_confirm_password(self, field):
        from wtforms.validators import StopValidation

        if field.data != self.new_password.data:
            raise StopValidation("Confirm new password must match the new password")
