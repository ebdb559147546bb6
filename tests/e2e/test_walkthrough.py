"""The walk the issue asks for, in a real browser with CSRF on, every page checked by axe.

A lead professional creates a family and identifies problems, attaches a
school and the police; the school's user submits attendance evidence and sees
the live check; the lead professional accepts it; the family's status updates.
"""

import datetime as dt

import pytest

from tests import factories as f

TODAY = dt.date.today()


@pytest.fixture(scope="module")
def staff(live_app):
    with live_app.app_context():
        school = f.make_agency("Hillside Primary School", "school")
        police = f.make_agency("Suffolk Constabulary", "police")
        return {
            "lead": f.make_user("lead_professional", name="Lena Lead"),
            "school": f.make_user("partner", school, name="Sam School"),
            "school_agency": school,
            "police_agency": police,
        }


def sign_in(checked, user):
    """Both factors, as a person would: the password, then the code their authenticator app shows."""
    from tests.e2e.live import LIVE

    page = checked.page
    checked.goto("/sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_role("textbox", name="Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    checked.axe()
    assert page.locator("h1").inner_text() == "Enter your security code"
    with LIVE["app"].app_context():
        code = f.totp_code(user)
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Continue").click()
    checked.axe()


def sign_out(checked):
    checked.page.get_by_role("button", name="Sign out").click()
    checked.axe()


def fill_date(page, prefix, day):
    page.locator(f"#{prefix}-day").fill(str(day.day))
    page.locator(f"#{prefix}-month").fill(str(day.month))
    page.locator(f"#{prefix}-year").fill(str(day.year))


def submit(checked, name):
    checked.page.get_by_role("button", name=name, exact=True).click()
    checked.axe()


def test_a_family_from_identification_to_accepted_evidence(checked_page, staff):
    page = checked_page.page
    sign_in(checked_page, staff["lead"])
    family_url = create_family(checked_page)
    add_members(checked_page, family_url)
    identify_problems(checked_page, family_url)
    choose_plan_outcomes(checked_page, family_url)
    attach_team(checked_page, family_url)
    assert criterion_status(page, "2") == "Not achieved"
    sign_out(checked_page)

    sign_in(checked_page, staff["school"])
    submit_attendance(checked_page, family_url)
    sign_out(checked_page)

    sign_in(checked_page, staff["lead"])
    accept_evidence(checked_page, family_url)
    assert criterion_status(page, "2") == "Achieved"
    assert criterion_status(page, "1") == "Not achieved"  # nothing evidenced for it yet
    checked_page.assert_clean()
    assert len(checked_page.checked) >= 20


def criterion_status(page, problem_id):
    heading = page.locator("#verdict h3", has_text=f"Criterion {problem_id}:")
    return heading.locator("xpath=following-sibling::p[1]").locator(".govuk-tag").inner_text().strip()


def create_family(checked):
    page = checked.page
    checked.goto("/families/new")
    submit(checked, "Create family")
    assert page.title().startswith("Error: ")
    page.get_by_label("Family name").fill("Walker family")
    page.get_by_label("Suffolk", exact=False).first.check()
    fill_date(page, "engaged_on", TODAY - dt.timedelta(days=400))
    submit(checked, "Create family")
    assert "Walker family" in page.locator("h1").inner_text() or "Walker family" in page.content()
    return page.url.split("#")[0].replace(checked.base_url, "")


def add_member(checked, family_url, name, role, born, activity):
    page = checked.page
    checked.goto(f"{family_url}/members/new")
    page.get_by_label("Full name").fill(name)
    page.get_by_label(role, exact=True).check()
    fill_date(page, "date_of_birth", born)
    page.get_by_label(activity, exact=True).check()
    submit(checked, "Add family member")


def add_members(checked, family_url):
    add_member(checked, family_url, "Kerry Walker", "Parent", dt.date(1988, 3, 2), "None")
    add_member(checked, family_url, "Jayden Walker", "Child", TODAY.replace(year=TODAY.year - 10), "In education")


def identify_problem(checked, family_url, indicator_label, member):
    page = checked.page
    checked.goto(f"{family_url}/problems/new")
    page.get_by_label(indicator_label, exact=False).first.check()
    page.get_by_label("Identification", exact=True).check()
    fill_date(page, "identified_on", TODAY - dt.timedelta(days=400))
    option = page.locator("#member option", has_text=member).get_attribute("value")
    page.get_by_label("Family member it is about (optional)").select_option(option)
    submit(checked, "Add")


def identify_problems(checked, family_url):
    identify_problem(checked, family_url, "persistently absent", "Jayden Walker")
    identify_problem(checked, family_url, "anti-social behaviour", "Kerry Walker")


def choose_plan_outcomes(checked, family_url):
    page = checked.page
    checked.goto(f"{family_url}/plan-outcomes")
    page.locator("input[value='2.1']").check()
    page.locator("input[value='1.1']").check()
    submit(checked, "Save the family's plan")
    # Taking 1.1 out again needs a reason, and the family page keeps the removal.
    checked.goto(f"{family_url}/plan-outcomes")
    page.locator("input[value='1.1']").uncheck()
    submit(checked, "Save the family's plan")
    assert page.title().startswith("Error: ")
    page.get_by_label("If you are removing an outcome, say why").fill("Chosen by mistake")
    submit(checked, "Save the family's plan")
    page.get_by_text("Outcomes removed from the family's plan").click()
    assert "Outcome 1.1, removed on" in page.locator("body").inner_text()


def attach_team(checked, family_url):
    page = checked.page
    for agency in ("Hillside Primary School", "Suffolk Constabulary"):
        checked.goto(f"{family_url}/team/new")
        page.get_by_label(agency, exact=False).check()
        submit(checked, page.locator("main form .govuk-button").last.inner_text().strip())
    checked.goto(family_url)
    team = page.locator("body").inner_text()
    assert "Hillside Primary School" in team and "Suffolk Constabulary" in team


def submit_attendance(checked, family_url):
    page = checked.page
    checked.goto(family_url)
    page.get_by_role("button", name="Submit evidence").first.click()
    checked.axe()
    page.locator("input[value='2.1']").check()
    submit(checked, page.locator("main form .govuk-button").last.inner_text().strip())
    page.get_by_label("Attendance", exact=False).first.check()
    submit(checked, page.locator("main form .govuk-button").last.inner_text().strip())
    page.get_by_label("Jayden Walker", exact=False).check()
    page.locator("input[name=source]").first.check()
    start, end = TODAY - dt.timedelta(days=300), TODAY - dt.timedelta(days=10)
    fill_date(page, "period-start", start)
    fill_date(page, "period-end", end)
    page.locator("#values-attendance-1").fill("95")
    page.locator("#values-attendance-2").fill("93")
    page.locator("#values-attendance-3").fill("80")
    page.locator("#values-fixed_term_exclusions").fill("0")
    page.locator("#values-permanent_exclusions").fill("0")
    page.locator("#statement").fill("Attendance from the school register for the last three terms.")
    live = page.locator("#evidence-check")
    live.locator(".govuk-tag", has_text="Does not meet 2.1").wait_for(timeout=5000)
    checked.axe()
    page.locator("#values-attendance-3").fill("91")
    live.locator(".govuk-tag", has_text="Meets 2.1").wait_for(timeout=5000)
    checked.axe()
    submit(checked, "Submit evidence")
    assert "submitted" in page.locator(".govuk-notification-banner").inner_text().lower()


def accept_evidence(checked, family_url):
    page = checked.page
    checked.goto(f"{family_url}/reviews")
    page.get_by_role("link", name="See the values and the rules engine's check", exact=False).first.click()
    checked.axe()
    page.get_by_label("Accept", exact=False).first.check()
    submit(checked, "Save decision")
    assert "accepted" in page.locator(".govuk-notification-banner").inner_text().lower()
    checked.goto(family_url)
