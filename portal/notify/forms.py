from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.validators import InputRequired

from ..boundaries.forms import PortalForm


class EmailPreferenceForm(PortalForm):
    how = RadioField(
        "How do you want e-mails about your work?",
        widget=GovRadioInput(),
        choices=[("each", "One e-mail each time something needs me"), ("digest", "One daily digest, in the morning")],
        validators=[InputRequired("Choose how you want e-mails about your work")],
        validate_choice=False,
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_how(self, field):
        from wtforms import ValidationError

        if field.data not in ("each", "digest"):
            raise ValidationError("Choose how you want e-mails about your work")
