from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput
from wtforms import PasswordField, SubmitField
from wtforms.validators import InputRequired, StopValidation

from ..auth.passwords import password_problem, verify_password
from ..boundaries.forms import PortalForm


class ChangePasswordForm(PortalForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your current password")],
    )
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
    submit = SubmitField("Change password", widget=GovSubmitInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.wrong_current_password = False

    def validate_current_password(self, field):
        if not verify_password(self.user.password_hash, field.data):
            self.wrong_current_password = True
            raise StopValidation("Your current password is not correct")

    def validate_new_password(self, field):
        problem = password_problem(field.data, self.user.email)
        if problem:
            raise StopValidation(problem)
        if field.data == self.current_password.data:
            raise StopValidation("New password must be different from your current password")

    def validate_confirm_password(self, field):
        if field.data != self.new_password.data:
            raise StopValidation("Confirm new password must match the new password")
