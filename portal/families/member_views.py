"""The lead professional records family members and the problems identified."""

from flask import abort, render_template
from flask_login import current_user

from .. import casefile
from ..access import family_access
from ..roles import Role
from ..uktime import uk_time
from . import bp, changes, matches
from .choices import indicator_lookup
from .filters import with_article
from .form_setup import problem_form
from .forms import DepartureForm, MemberForm, WithdrawForm
from .support import back_to_family, done, while_open


def form_page(family, form, title, heading=None, **context):
    """A one-form page; `heading` may name a person, the browser title never does."""
    return render_template(
        "families/form.html",
        family=family,
        form=form,
        heading=heading or title,
        page_title=f"{title} – family {family.ref}",
        **context,
    )


def family_row(rows, row_id):
    """The family's row with this id; 404 for another family's."""
    row = next((r for r in rows if r.id == row_id), None)
    if row is None:
        abort(404)
    return row


def withdrawn_already(family, row, what: str):
    """A withdrawn member's or problem's page (a link followed again, a form sent twice): said on
    the family page, not a bare "Page not found"; None while the row is current."""
    if row.withdrawn_at is None:
        return None
    on = uk_time(row.withdrawn_at)
    return back_to_family(
        family, f"{what} was withdrawn as recorded in error on {_day(on)}: there is nothing more to do."
    )


@bp.route("/<id:family_id>/members/new", methods=["GET", "POST"])
@family_access(Role.LEAD_PROFESSIONAL, action="member.add.form")
@while_open("add a family member")
def add_member(family):
    form = MemberForm()
    form.current = [(m.name, m.date_of_birth) for m in family.current_members]
    warning = None
    if form.validate_on_submit():
        found = matches.for_new_member(current_user, family, form.name.data, form.date_of_birth.data)
        if not found or found.confirmed_by(form.confirmed.data):
            member = changes.add_member(
                family, form.name.data, form.role.data, form.date_of_birth.data, form.activity.data, found
            )
            return done(family, f"{member.name} added to the family")
        warning = changes.warn_of_matches(found, family)
        form.confirmed.data, form.submit.label.text = found.digest(), "Add the member anyway"
    return form_page(family, form, "Add a family member", warning=warning)


@bp.route("/<id:family_id>/members/<id:member_id>/withdraw", methods=["GET", "POST"])
@family_access(Role.LEAD_PROFESSIONAL, action="member.withdraw.form")
@while_open("withdraw a family member")
def withdraw_member(family, member_id):
    member = family_row(family.members, member_id)
    if gone := withdrawn_already(family, member, member.name):
        return gone
    form = WithdrawForm()
    if form.validate_on_submit():
        changes.withdraw_member(family, member, form.reason.data)
        return done(family, f"{member.name} withdrawn as recorded in error")
    return form_page(
        family,
        form,
        "Withdraw a family member",
        f"Withdraw {member.name}",
        intro="Only withdraw a family member recorded in error. Their evidence no longer "
        "counts for them. The record is kept.",
    )


def _day(day) -> str:
    return f"{day.day} {day:%B %Y}"


# Not only while the case is open: a member leaving after closure is what the claim flag is for.
@bp.route("/<id:family_id>/members/<id:member_id>/left", methods=["GET", "POST"])
@family_access(Role.LEAD_PROFESSIONAL, action="member.left.form")
def member_left(family, member_id):
    member = family_row(family.members, member_id)
    if gone := withdrawn_already(family, member, member.name):
        return gone
    recorded = family.left_household.get(member.id)
    if recorded is not None:
        return back_to_family(
            family,
            f"{member.name} is already recorded as having left the household on "
            f"{_day(recorded.left_on)}. Withdraw that record first to change it.",
        )
    form = DepartureForm()
    form.born = member.date_of_birth
    if form.validate_on_submit():
        changes.record_departure(current_user, family, member, form.left_on.data)
        return done(family, f"{member.name} recorded as having left the household on {_day(form.left_on.data)}")
    return form_page(
        family,
        form,
        "Record that a family member left the household",
        f"Record that {member.name} left the household",
        intro="They stay in the case and their evidence still counts. A claim whose result "
        "rests on evidence about them is flagged for audit if they left by its claim date.",
    )


@bp.route("/<id:family_id>/members/<id:member_id>/left/withdraw", methods=["GET", "POST"])
@family_access(Role.LEAD_PROFESSIONAL, action="member.left.withdraw.form")
def withdraw_member_left(family, member_id):
    member = family_row(family.members, member_id)
    if gone := withdrawn_already(family, member, member.name):
        return gone
    recorded = family.left_household.get(member.id)
    if recorded is None:
        abort(404)
    form = WithdrawForm()
    if form.validate_on_submit():
        if changes.withdraw_departure(current_user, family, recorded, form.reason.data) is None:
            return back_to_family(family, "That record was withdrawn meanwhile.")
        return done(family, f"The record that {member.name} left the household is withdrawn")
    return form_page(
        family,
        form,
        "Withdraw that a family member left the household",
        f"Withdraw that {member.name} left the household on {_day(recorded.left_on)}",
        intro="Only withdraw this if it was recorded in error. The record is kept.",
    )


@bp.route("/<id:family_id>/problems/new", methods=["GET", "POST"])
@family_access(Role.LEAD_PROFESSIONAL, action="problem.add.form")
@while_open("add to what is identified")
def add_problem(family):
    plan = casefile.plan_for(family)
    form = problem_form(family, plan)
    if form.validate_on_submit():
        problem_id, indicator_id = indicator_lookup(plan)[form.indicator.data]
        member_id = int(form.member.data) if form.member.data else None
        changes.add_problem(family, problem_id, indicator_id, form.stage.data, form.identified_on.data, member_id)
        return done(
            family, f"{plan.term('indicator').capitalize()} {indicator_id} of {plan.term('problem')} {problem_id} added"
        )
    return form_page(family, form, f"Add {with_article(plan.term('indicator'))} identified")


@bp.route("/<id:family_id>/problems/<id:problem_id>/withdraw", methods=["GET", "POST"])
@family_access(Role.LEAD_PROFESSIONAL, action="problem.withdraw.form")
@while_open("withdraw what was identified")
def withdraw_problem(family, problem_id):
    plan = casefile.plan_for(family)
    problem = family_row(family.problems, problem_id)
    label = f"{plan.term('problem')} {problem.problem_id}, {plan.term('indicator')} {problem.indicator_id}"
    if gone := withdrawn_already(family, problem, f"{label[0].upper()}{label[1:]}"):
        return gone
    form = WithdrawForm()
    if form.validate_on_submit():
        changes.withdraw_problem(family, problem, form.reason.data)
        return done(family, f"{label[0].upper()}{label[1:]} withdrawn as recorded in error")
    return form_page(
        family, form, f"Withdraw {label}", intro="Only withdraw something recorded in error. The record is kept."
    )
