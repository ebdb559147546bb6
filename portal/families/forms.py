"""The lead professional's forms. Choices that depend on the plan or the family
are filled in by the builders in form_setup.py."""

from typing import ClassVar

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextArea, GovTextInput
from wtforms import (
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import Length

from .. import casefile
from ..boundaries.forms import PortalForm
from ..boundaries.ids import parse_id
from ..forms.common import DATE_HINT, _reason, _submit, _text, strip
from ..forms.dates import DateInPast, DateNotBefore, DateNotInFuture, DateRequired, GovukDateField
from ..forms.fields import ChecklistField, ChoiceField, GroupedChecklistField, GroupedRadioField, options
from ..models.families import ACTIVITIES, MEMBER_ROLES, STAGES
from ..names import person_key
from ..rules.plan import age_on
from ..rules.words import need_about_words
from ..wording import day
from .choices import capital


class FamilyForm(PortalForm):
    name = _text("Family name", "Enter the family name", description="For example, the Smith family")
    case_system_ref = StringField(
        "Council case-system reference (optional)",
        widget=GovTextInput(),
        filters=[strip],
        description="The family's id in your council's case system, for example EHM-004512 or a Mosaic number",
    )
    # Set when the lead professional was warned of a matching family and goes ahead (matches.py).
    confirmed = HiddenField()
    plan = ChoiceField(
        "Outcomes plan",
        "Choose the outcomes plan the case will follow",
        description="The plan the case will follow. It cannot be changed later.",
    )
    engaged_on = GovukDateField(
        "Date the family engaged (optional)",
        description=DATE_HINT,
        subject="Date the family engaged",
        validators=[DateNotInFuture(), DateNotBefore()],
    )
    submit = _submit("Create family")
    open_from: ClassVar[dict] = {}  # plan id -> the first day a case may start on it (or None), set by the view

    def validate_engaged_on(self, field):
        not_before_plan_opens(field, self.open_from.get(self.plan.data))

    def validate_case_system_ref(self, field):
        from .matches import case_ref_problem

        problem = case_ref_problem(field.data)
        if problem:
            raise ValidationError(problem)


class MemberForm(PortalForm):
    name = _text("Full name", "Enter the family member's full name")
    confirmed = HiddenField()  # see FamilyForm.confirmed
    role = ChoiceField("Role in the family", "Choose the family member's role", choices=options(MEMBER_ROLES.items()))
    date_of_birth = GovukDateField(
        "Date of birth",
        description="For example, 31 3 2012",
        validators=[DateRequired("Enter the date of birth"), DateInPast(), DateNotBefore()],
    )
    activity = ChoiceField(
        "Education, training or employment (optional)",
        choices=options(ACTIVITIES.items()),
        description="Used to decide whether a 16 to 18 year old is a dependent child",
    )
    submit = _submit("Add family member")
    current: list = []  # (name, date of birth) of the family's current members, set by the view

    # Decisions (session 13, docs/developing.md "Forms"): the youngest a member in each role may be on the
    # day they are added. A young carer is a carer; a parent younger than 12 is a slip of the keyboard.
    LEAST_AGE: ClassVar[dict] = {"parent": 12, "other_adult": 18}
    WHO: ClassVar[dict] = {"parent": "A parent", "other_adult": "An adult"}  # what the message calls them

    def validate_name(self, field):
        """The same person twice in one family is an error, not a match to confirm (families/matches.py
        warns of the same person in another family)."""
        born, key = self.date_of_birth.data, person_key(field.data)
        same = [name for name, on in self.current if on == born and person_key(name) == key]
        if born is not None and same:
            raise ValidationError(f"{same[0]}, born {day(born)}, is a member of this family already")

    def validate_role(self, field):
        least, born = self.LEAST_AGE.get(field.data), self.date_of_birth.data
        if least is None or born is None:
            return
        age = age_on(born, casefile.today())
        if age < least:
            raise ValidationError(
                f"{self.WHO[field.data]} must be {least} or older: this date of birth makes them {age}"
            )


class WithdrawForm(PortalForm):
    subjects: ClassVar[dict] = {"reason": "Reason"}
    reason = _reason("Why was this recorded in error?", "Enter why this was recorded in error")
    submit = _submit("Withdraw")


class DepartureForm(PortalForm):
    left_on = GovukDateField(
        "Date they left the household",
        description=DATE_HINT,
        validators=[DateRequired("Enter the date they left the household"), DateNotInFuture(), DateNotBefore()],
    )
    submit = _submit("Record that they left")
    born = None  # the member's date of birth, set by the view

    def validate_left_on(self, field):
        if self.born and field.data and field.data < self.born:
            raise ValidationError(
                f"{field.subject} must be on or after their date of birth ({self.born.day} {self.born:%B %Y})"
            )


class ProblemForm(PortalForm):
    indicator = GroupedRadioField("Indicator", "Choose the indicator identified")
    stage = ChoiceField(
        "Stage it was identified at", "Choose the stage it was identified at", choices=options(STAGES.items())
    )
    identified_on = GovukDateField(
        "Date identified",
        description=DATE_HINT,
        validators=[DateRequired("Enter the date it was identified"), DateNotInFuture(), DateNotBefore()],
    )
    member = SelectField(
        "Family member it is about (optional)",
        widget=GovSelect(),
        invalid_choice_message="Choose a current member of this family, or the whole family",
    )
    submit = _submit("Add")
    # Set by form_setup.problem_form: radio value -> (problem, indicator); what is already recorded.
    lookup: dict | None = None
    recorded: frozenset = frozenset()
    indicator_term = "indicator"
    engaged_on = None  # the family's engagement date, set by form_setup.problem_form
    born: dict | None = None  # member id -> (name, date of birth), set by form_setup.problem_form
    plan = None  # the family's plan, set by form_setup.problem_form

    def validate_identified_on(self, field):
        """A problem found at engagement was found on or after the family engaged (the plans' own
        words: "problems found after engagement are added to the plan"); one about a member, at any
        stage, on or after they were born."""
        named = (self.born or {}).get(parse_id(self.member.data))
        if named and field.data and field.data < named[1]:
            name, born = named
            raise ValidationError(
                f"{field.subject} must be on or after {name}'s date of birth ({born.day} {born:%B %Y}), "
                "as it is about them"
            )
        if self.stage.data == "engagement" and self.engaged_on and field.data and field.data < self.engaged_on:
            engaged = f"{self.engaged_on.day} {self.engaged_on:%B %Y}"
            raise ValidationError(
                f"{field.subject} must be on or after the family engaged ({engaged}) for something found at "
                f"engagement. If it was known before, choose the stage Identification"
            )

    def validate_member(self, field):
        """A need recorded against one member is about someone an outcome that can meet it is about: a
        child's need is not recorded against a parent (Plan.need_fits; docs/rules-engine.md)."""
        named = (self.born or {}).get(parse_id(field.data))
        need = (self.lookup or {}).get(self.indicator.data)
        on = self.identified_on.data
        # Judged on the date identified, once it is a date this member can have (its own errors come first).
        if self.plan is None or not named or not need or on is None or self.identified_on.errors or on < named[1]:
            return
        name, born = named
        if not self.plan.need_fits(*need, born, on):
            problem_id, indicator_id = need
            raise ValidationError(
                f"{name} was {age_on(born, on)} on {day(on)}, the date identified. {capital(self.indicator_term)} "
                f"{indicator_id} of {self.plan.term('problem')} {problem_id} is about "
                f"{need_about_words(self.plan, *need)}: choose the member it is about, or the whole family"
            )

    def validate_indicator(self, field):
        """The same indicator for the same member (or the whole family) twice adds nothing but doubt."""
        member = parse_id(self.member.data)
        if (*(self.lookup or {}).get(field.data, ()), member) in self.recorded:
            who = "this family member" if member else "the whole family"
            raise ValidationError(
                f"This {self.indicator_term} is already recorded for {who}. If that one was wrong, withdraw it first"
            )


class EssentialsForm(PortalForm):
    essentials = ChecklistField("Essentials now in place", "Choose at least one essential that is in place")
    in_place_on = GovukDateField(
        "Date they were in place",
        description=DATE_HINT,
        validators=[DateRequired("Enter the date they were in place"), DateNotInFuture(), DateNotBefore()],
    )
    submit = _submit("Record essentials")


class PlanOutcomesForm(PortalForm):
    outcomes = GroupedChecklistField(
        "Outcomes in the family's plan",
        description="Choose every outcome the "
        "family's plan lists. The family is turned around when all of them are met.",
    )
    reason = TextAreaField(
        "If you are removing an outcome, say why",
        widget=GovTextArea(),
        filters=[strip],
        description="An outcome you remove stays in the plan's history with this reason.",
        validators=[Length(max=2000, message="Reason must be 2000 characters or fewer")],
    )
    submit = _submit("Save the family's plan")
    # Set by form_setup.plan_outcomes_form: the outcomes in the plan now.
    chosen: frozenset = frozenset()

    def removing(self) -> list[str]:
        return sorted(self.chosen - set(self.outcomes.data or ()))

    def validate_reason(self, field):
        removing = self.removing()
        if removing and not field.data:
            which = f"outcome {removing[0]}" if len(removing) == 1 else f"outcomes {', '.join(removing)}"
            raise ValidationError(f"Enter why you are removing {which} from the family's plan")


class EngagedForm(PortalForm):
    engaged_on = GovukDateField(
        "Date the family engaged",
        description=DATE_HINT,
        validators=[DateRequired("Enter the date the family engaged"), DateNotInFuture(), DateNotBefore()],
    )
    submit = _submit("Save date")
    open_from = None  # the first day a case may start on the family's plan (or None), set by the view
    # (date, what) of the earliest need recorded as found at engagement, if any, set by the view
    first_found_at_engagement: tuple | None = None

    def validate_engaged_on(self, field):
        not_before_plan_opens(field, self.open_from)
        found = self.first_found_at_engagement
        if found and field.data and field.data > found[0]:
            raise ValidationError(
                f"{field.subject} must be on or before {day(found[0])}: {found[1]} is recorded as found at "
                "engagement on that day"
            )


def not_before_plan_opens(field, open_from) -> None:
    """A family engages on or after the first day its plan takes cases (the plan's `open_from`)."""
    if open_from and field.data and field.data < open_from:
        raise ValidationError(
            f"{field.subject} must be on or after {day(open_from)}, the first day a case may start on this plan"
        )


class AttachForm(PortalForm):
    agency = ChoiceField("Partner agency", "Choose the agency to add to the team")
    submit = _submit("Add to the team")


class DetachForm(PortalForm):
    submit = _submit("Remove from the team")


class ReviewForm(PortalForm):
    subjects: ClassVar[dict] = {"reason": "Reason"}
    decision = ChoiceField(
        "Your decision",
        "Choose whether to accept or return the evidence",
        choices=options([("accepted", "Accept"), ("returned", "Return to whoever submitted it")]),
    )
    reason = TextAreaField(
        "If you are returning it, say why",
        widget=GovTextArea(),
        filters=[strip],
        description="Whoever submitted it sees this. Say what needs to change.",
        validators=[Length(max=2000, message="Reason must be 2000 characters or fewer")],
    )
    submit = _submit("Save decision")

    def validate_reason(self, field):
        if self.decision.data == "returned" and not (field.data or "").strip():
            raise ValidationError("Enter why you are returning the evidence")


class CloseForm(PortalForm):
    closed_on = GovukDateField(
        "Date the case closed",
        description=DATE_HINT,
        validators=[DateRequired("Enter the date the case closed"), DateNotInFuture(), DateNotBefore()],
    )
    submit = _submit("Close the case")

    def __init__(self, family, **kwargs):
        super().__init__(**kwargs)
        self.family = family

    def validate_closed_on(self, field):
        engaged = self.family.engaged_on
        if field.data and engaged and field.data < engaged:
            raise ValidationError(
                f"Date the case closed must be on or after the date the family engaged ({engaged.day} {engaged:%B %Y})"
            )


class ReopenForm(PortalForm):
    subjects: ClassVar[dict] = {"reason": "Reason"}
    reason = _reason("Why is the case being reopened?", "Enter why the case is being reopened")
    submit = _submit("Reopen the case")


class HandoverForm(PortalForm):
    lead = ChoiceField(
        "Who will be the family’s lead professional?",
        "Choose the lead professional to hand the family to",
        description="Only active lead professionals are listed.",
    )
    submit = _submit("Hand over the family")
