"""The pages anyone can reach render cleanly in a real browser."""


def test_start_and_sign_in_pages_pass_axe_and_the_csp(checked_page):
    checked_page.goto("/")
    checked_page.page.get_by_role("button", name="Sign in").click()
    checked_page.axe()
    assert checked_page.page.locator("h1").inner_text() == "Sign in"
    checked_page.assert_clean()


def test_a_failed_sign_in_shows_the_error_summary_and_passes_axe(checked_page):
    checked_page.goto("/sign-in")
    checked_page.page.get_by_label("Email address").fill("nobody@example.org")
    checked_page.page.get_by_role("textbox", name="Password").fill("not the right password")
    checked_page.page.get_by_role("button", name="Sign in").click()
    checked_page.axe()
    assert checked_page.page.title().startswith("Error: ")
    assert (
        "Enter a correct email address and password" in checked_page.page.locator(".govuk-error-summary").inner_text()
    )
    checked_page.assert_clean()


def test_the_axe_check_does_fail_on_a_real_violation(checked_page):
    # Guards the guard: if axe were not running, every page would "pass".
    checked_page.goto("/")
    checked_page.page.evaluate(
        "() => { const i = document.createElement('img'); i.src = '/static/app/favicon.svg'; document.querySelector('main').append(i) }"
    )
    checked_page.axe()
    assert any("image-alt" in p for p in checked_page.problems)


def test_the_page_refusing_a_control_character_passes_axe(checked_page):
    response = checked_page.page.goto(checked_page.base_url + "/sign-in?q=%00")
    assert response.status == 400
    checked_page.axe()
    assert checked_page.page.title().startswith("Error: ")
    assert "Search must not include" in checked_page.page.locator(".govuk-error-summary").inner_text()
    assert [p for p in checked_page.problems if "status of 400" not in p] == []
