"""The barriers the accessibility audit found (issue 13, section 6), in a real browser.

- "Check the verdict again" keeps keyboard focus on the link and announces the
  result in a polite live region.
- The evidence form's live check is not itself a live region; a polite region
  beside it says only what changed.
- The family list, the family page, admin's users and the audit log do not
  scroll sideways on a screen 320 CSS pixels wide, nor at 640 (a 1280-pixel
  screen at 200% zoom).
- The cookies page names every cookie the portal really sets.
Every page is checked with axe (conftest.Checked).
"""

import datetime as dt

import pytest

from tests import factories as f
from tests.e2e.conftest import Checked
from tests.e2e.test_walkthrough import sign_in


@pytest.fixture(scope="module")
def case(live_app):
    """A Durham family with a school-age child, the school attached; more families for the list."""
    with live_app.app_context():
        school = f.make_agency("Hillside Primary School with a long name for narrow screens", "school")
        lead = f.make_user("lead_professional", name="Lena Lead")
        partner = f.make_user(
            "partner", school, name="Sam School", email="sam.school.attendance.officer@hillside-primary.example.org"
        )
        admin = f.make_user("admin", name="Ada Admin")
        family = f.make_family(lead, plan_id="durham-2018", name="Reed family", engaged_on=dt.date(2017, 12, 4))
        f.add_member(family, lead, role="parent", born=dt.date(1985, 4, 12), name="Alex Reed", activity="")
        child = f.add_member(family, lead, role="child", born=dt.date(2008, 3, 1), name="Sam Reed")
        f.add_problem(family, lead, "2", "4", member=child, identified_on=dt.date(2017, 11, 20))
        f.add_problem(family, lead, "3", "5", identified_on=dt.date(2017, 11, 20))
        f.attach(family, school, lead)
        for n in range(3):
            f.make_family(lead, name=f"Family with a rather long name number {n}")
        return {"lead": lead, "partner": partner, "admin": admin, "family": family.id}


def active_text(page):
    return page.evaluate("() => document.activeElement && document.activeElement.textContent.trim()")


def test_checking_the_verdict_again_keeps_focus_and_announces_the_result(checked_page, case):
    page = checked_page.page
    sign_in(checked_page, case["lead"])
    checked_page.goto(f"/families/{case['family']}")
    news = page.locator("#verdict-news")
    assert news.get_attribute("role") == "status" and news.inner_text().strip() == ""
    link = page.get_by_role("link", name="Check the verdict again")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#verdict-news').textContent.trim() !== ''")
    assert active_text(page) == "Check the verdict again"
    said = news.inner_text()
    assert said.startswith("Verdict checked again") and "turned around: not yet" in said
    assert page.locator("#verdict-result").count() == 1 and page.locator("#verdict").count() == 1
    # Again: the link still has focus, and the page was not reloaded (no navigation).
    url = page.url
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert active_text(page) == "Check the verdict again" and page.url == url
    checked_page.axe()
    checked_page.assert_clean()


def news_after(page, action):
    """Do `action`, then wait for the live check's news to change; its new text."""
    before = page.locator("#evidence-check-news").inner_text()
    action()
    page.wait_for_function(
        "before => document.querySelector('#evidence-check-news').textContent !== before", arg=before, timeout=5000
    )
    return page.locator("#evidence-check-news").inner_text()


def test_the_live_check_announces_only_what_changed(checked_page, case):
    page = checked_page.page
    sign_in(checked_page, case["partner"])
    checked_page.goto(f"/families/{case['family']}/evidence/new?outcome=2.1")
    check = page.locator("#evidence-check")
    assert check.get_attribute("aria-live") is None
    assert page.locator("#evidence-check-news").get_attribute("aria-live") == "polite"
    # No ancestor of the list is a live region either.
    assert page.evaluate("() => document.querySelector('#evidence-check').closest('[aria-live]')") is None

    first = news_after(page, lambda: page.locator("#values-attendance-1").fill("95"))
    problems = check.locator("li").all_inner_texts()
    assert len(problems) > 2
    assert "new problems" in first and f"{len(problems)} problems still to fix" in first
    assert not any(p in first for p in problems)  # a count, not the whole list again
    checked_page.axe()

    second = news_after(page, lambda: page.locator("#statement").fill("Attendance from the school register."))
    assert second == f"Fixed: Enter a statement describing the evidence. {len(problems) - 1} problems still to fix."
    assert "Enter a statement describing the evidence" not in check.inner_text()
    checked_page.axe()
    checked_page.assert_clean()


def no_sideways_scroll(checked, path):
    checked.goto(path)
    widths = checked.page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{path} scrolls sideways: {widths[0]} > {widths[1]} CSS px"


@pytest.mark.parametrize("width", [320, 640])
def test_the_tables_reflow_without_sideways_scrolling(browser, live_server, case, width):
    context = browser.new_context(base_url=live_server, viewport={"width": width, "height": 800})
    checked = Checked(context.new_page(), live_server)
    try:
        sign_in(checked, case["lead"])
        no_sideways_scroll(checked, "/families")
        no_sideways_scroll(checked, f"/families/{case['family']}")
        context.clear_cookies()  # (at 320 px "Sign out" is behind the navigation's menu button)
        sign_in(checked, case["admin"])
        no_sideways_scroll(checked, "/admin/users")
        no_sideways_scroll(checked, "/audit")
        # The cells still say which column they are in, and the table is still a table.
        first_cell = checked.page.locator("table.app-table-reflow tbody td").first
        label = first_cell.evaluate("td => getComputedStyle(td, '::before').content")
        assert "When (UK time)" in label
        assert checked.page.get_by_role("table").count() >= 1
        assert checked.page.get_by_role("columnheader", name="Detail").count() == 1
        checked.assert_clean()
    finally:
        context.close()


def test_the_cookies_page_names_every_cookie_the_portal_sets(checked_page, case):
    page = checked_page.page
    sign_in(checked_page, case["lead"])
    checked_page.goto(f"/families/{case['family']}")
    page.get_by_role("link", name="Check the verdict again").click()
    checked_page.goto(f"/families/{case['family']}/evidence/new?outcome=2.1")
    set_by_portal = {c["name"] for c in page.context.cookies()}
    assert set_by_portal  # at least the session
    checked_page.goto("/cookies")
    listed = set(page.locator("main table tbody th[scope=row]").all_inner_texts())
    assert set_by_portal <= listed, f"not on the cookies page: {set_by_portal - listed}"
    checked_page.assert_clean()


@pytest.mark.parametrize("path", ["/accessibility-statement", "/privacy", "/cookies", "/help"])
def test_the_statutory_pages_pass_axe_and_are_linked_from_the_footer(checked_page, path):
    checked_page.goto("/")
    checked_page.page.locator(".govuk-footer").get_by_role(
        "link",
        name={
            "/accessibility-statement": "Accessibility statement",
            "/privacy": "Privacy",
            "/cookies": "Cookies",
            "/help": "Help",
        }[path],
        exact=True,
    ).click()
    checked_page.axe()
    assert checked_page.page.url.endswith(path)
    checked_page.assert_clean()
