"""Claim forms, with GOV.UK messages naming the field and the reason."""

import datetime as dt
from typing import ClassVar

from govuk_frontend_wtf.wtforms_widgets import GovTextArea, GovTextInput
from wtforms import HiddenField, IntegerField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, StopValidation

from .. import casefile
from ..boundaries.forms import PortalForm
from ..forms.common import DATE_HINT, _reason, _submit, strip
from ..forms.dates import DateNotBefore, DateRequired, GovukDateField
from ..forms.fields import ChecklistField, ChoiceField, options
from ..models.claims import DECISIONS, REJECTION_REASONS
from ..rules.plan import load_plans
from ..verdicts import day
from .windows import NAME_TAKEN, phase_for


class WholeNumberField(IntegerField):
    """A whole number; text that is not one gets the same message as one out of range."""

    def __init__(self, label, message, low, high, **kwargs):
        self.range_message = f"{label} must be a whole number from {low} to {high}"
        super().__init__(
            label,
            widget=GovTextInput(),
            validators=[InputRequired(message), NumberRange(low, high, self.range_message.replace("%", "%%"))],
            **kwargs,
        )

    def process_formdata(self, valuelist):
        if valuelist and str(valuelist[0]).strip():
            text = str(valuelist[0]).strip()
            if not (text.isascii() and text.isdigit()):
                self.data = None
                raise ValueError(self.range_message)
            self.data = int(text)

    def pre_validate(self, form):
        if self.process_errors:  # already said why ("... must be a whole number from ..."): once is enough
            raise StopValidation()


def _whole(label, message, low, high, **kwargs):
    return WholeNumberField(label, message, low, high, **kwargs)


class WithinAYear:
    """A claim date at most a year ahead (decision, session 13: a window dated 9999 was accepted).
    Windows are opened for the next claim round; a date further off is a slip of the keyboard."""

    def __call__(self, form, field):
        latest = casefile.today() + dt.timedelta(days=366)
        if field.data and field.data > latest:
            raise StopValidation(f"{field.subject} must be no later than {day(latest)}, a year from today")


class WindowForm(PortalForm):
    name = StringField(
        "Name of the claim window",
        widget=GovTextInput(),
        filters=[strip],
        description="For example, 2026-27 quarter 3",
        validators=[
            DataRequired("Enter the name of the claim window"),
            Length(max=100, message="Name must be 100 characters or fewer"),
        ],
    )
    claim_date = GovukDateField(
        "Claim date",
        description=f"Families are decided as of this date. {DATE_HINT}",
        validators=[DateRequired("Enter the claim date"), DateNotBefore(), WithinAYear()],
    )
    plans = ChecklistField(
        "Plans the window covers",
        message="Choose at least one plan",
        description="Plans of one programme phase: a family is claimed for once per phase",
    )
    tolerance_percent = _whole(
        "Tolerated rejection rate in the sample (%)", "Enter the tolerated rejection rate", 0, 100, default=10
    )
    sample_percent = _whole("Sample size (% of the lines)", "Enter the sample size", 1, 100, default=10)
    sample_minimum = _whole("Smallest sample (lines)", "Enter the smallest sample", 1, 10000, default=5)
    minimum_intervention_days = _whole(
        "Shortest intervention not flagged (days)",
        "Enter the shortest intervention not flagged",
        0,
        3650,
        default=84,
        description="A case closed sooner after it started is flagged and always sampled",
    )
    submit = _submit("Open the claim window")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plans = load_plans()
        self.plans.choices = options((p, f"{plans[p].council}: {plans[p].title} ({p})") for p in sorted(plans))

    def validate_plans(self, field):
        if len(phase_for(field.data or [])) > 1:
            raise ValidationError("Choose plans of one programme phase only")

    def validate_name(self, field):
        from ..extensions import db
        from ..models import ClaimWindow

        if db.session.scalar(db.select(ClaimWindow.id).filter_by(name=field.data)):
            raise ValidationError(NAME_TAKEN)


class ReasonForm(PortalForm):
    # The label is a question set by each view ("Why remove SUN-0318 from the claim?"): messages say "Reason".
    subjects: ClassVar[dict] = {"reason": "Reason"}
    reason = _reason("Reason", "Enter the reason")
    submit = _submit("Continue")


class DecisionForm(PortalForm):
    decision = ChoiceField("Decision", message="Choose a decision", choices=options(DECISIONS.items()))
    reason_code = ChoiceField("If you are rejecting it, why", message=None, choices=options(REJECTION_REASONS.items()))
    note = TextAreaField(
        "Note",
        widget=GovTextArea(),
        filters=[strip],
        description="Required when rejecting or querying: what the lead professional or the approver needs to know",
        validators=[Length(max=4000, message="Note must be 4000 characters or fewer")],
    )
    # The decision the verifier saw when the form was drawn ("" for none): a decision made
    # meanwhile, by another verifier or in another tab, is not silently replaced.
    replaces = HiddenField()
    submit = _submit("Save decision")

    def seen_decision_id(self) -> int | None:
        """The id of the decision the form was drawn against: None for none, -1 for anything unreadable."""
        text = (self.replaces.data or "").strip()
        if not text:
            return None
        return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else -1

    def validate_reason_code(self, field):
        if self.decision.data == "rejected" and not field.data:
            raise ValidationError("Choose why the line is rejected")
        if self.decision.data in DECISIONS and self.decision.data != "rejected" and field.data:
            # Never dropped silently: a reason chosen with "Verified" may mean the verifier meant "Rejected".
            raise ValidationError("Choose a reason only when you reject the line, or choose Rejected")

    def validate_note(self, field):
        if self.decision.data in ("rejected", "queried") and not field.data:
            raise ValidationError("Enter a note saying what is wrong or what you need")


class AnswerForm(PortalForm):
    answer = TextAreaField(
        "Your answer",
        widget=GovTextArea(),
        filters=[strip],
        validators=[
            DataRequired("Enter your answer"),
            Length(max=4000, message="Answer must be 4000 characters or fewer"),
        ],
    )
    submit = _submit("Send answer")
