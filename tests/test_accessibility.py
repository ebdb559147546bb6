"""The accessibility audit's barriers that show in the HTML (issue 13, section 6).

The pages are parsed (html.parser), not searched as strings, so the tests ask
what a browser would see: which links a keyboard user tabs through, which
element an error message belongs to. The browser-only barriers (focus,
announcements, reflow) are in tests/e2e/test_accessibility_in_the_browser.py.
"""

import datetime as dt
import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest

from tests import factories as f
from tests.test_evidence import attendance, htmx

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
STATUTORY = {
    "/help": "Help",
    "/accessibility-statement": "Accessibility statement",
    "/privacy": "Privacy",
    "/cookies": "Cookies",
}


@pytest.fixture
def durham(app, people):
    """A Durham family (as in tests/test_evidence.py) with a child; the school is attached."""
    with app.app_context():
        lp = people["lead_professional"]
        family = f.make_family(lp, plan_id="durham-2018", name="Reed family", engaged_on=dt.date(2017, 12, 4))
        f.add_member(family, lp, role="parent", born=dt.date(1985, 4, 12), name="Alex Reed", activity="")
        child = f.add_member(family, lp, role="child", born=dt.date(2008, 3, 1), name="Sam Reed")
        f.add_problem(family, lp, "2", "4", member=child, identified_on=dt.date(2017, 11, 20))
        f.add_problem(family, lp, "3", "5", identified_on=dt.date(2017, 11, 20))
        f.attach(family, people["school"], lp)
        return SimpleNamespace(id=family.id, child=child.id, url=f"/families/{family.id}/evidence")


class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children, self.texts = tag, dict(attrs), parent, [], []

    @property
    def text(self):
        parts = []
        for item in self.texts_and_children:
            parts.append(item if isinstance(item, str) else item.text)
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    def all(self, tag=None, cls=None, **attrs):
        found = []
        for child in self.children:
            if (
                (tag is None or child.tag == tag)
                and (cls is None or cls in child.classes)
                and all(child.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
            ):
                found.append(child)
            found.extend(child.all(tag, cls, **attrs))
        return found

    def one(self, tag=None, cls=None, **attrs):
        (found,) = self.all(tag, cls, **attrs)
        return found

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class Page(HTMLParser):
    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#document", {})
        self.root.texts_and_children = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        node.texts_and_children = []
        self.current.children.append(node)
        self.current.texts_and_children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.current = self.current.parent

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.texts_and_children.append(data)


def parse(response):
    assert response.status_code == 200, response.status_code
    return Page(response.get_data(as_text=True)).root


def error_summary(page):
    """(href, text) of each error in the GOV.UK error summary."""
    (summary,) = page.all("div", cls="govuk-error-summary")
    return [(a.attrs["href"], a.text) for a in summary.all("a")]


def in_page_links(page):
    """The in-page links a keyboard user tabs through, but the skip link."""
    return [
        a.attrs["href"]
        for a in page.all("a")
        if a.attrs.get("href", "").startswith("#") and "govuk-skip-link" not in a.classes
    ]


# ---------------------------------------------------------------- 1. "Continue" with nothing chosen


def test_the_outcome_step_sends_its_name_so_continue_with_nothing_chosen_is_seen(client, people, durham):
    f.sign_in(client, people["partner"])
    page = parse(client.get(f"{durham.url}/new"))
    assert page.one("title").text.startswith("Which outcome")  # arriving is not an error
    assert page.all("div", cls="govuk-error-summary") == []
    (form,) = [form for form in page.all("form") if form.attrs.get("method") == "get"]
    assert form.one("input", name="step").attrs == {"type": "hidden", "name": "step", "value": "outcome"}


def test_continue_with_no_outcome_chosen_shows_the_error_summary_and_the_field_error(client, people, durham):
    f.sign_in(client, people["partner"])
    page = parse(client.get(f"{durham.url}/new?step=outcome"))  # what the browser sends
    assert page.one("title").text.startswith("Error: ")
    assert error_summary(page) == [("#outcome", "Choose the outcome this evidence is for")]
    message = page.one(id="outcome-error")
    assert "govuk-error-message" in message.classes and "Choose the outcome this evidence is for" in message.text
    fieldset = next(a for a in message.ancestors() if a.tag == "fieldset")
    assert fieldset.attrs["aria-describedby"] == "outcome-error"
    assert "govuk-form-group--error" in fieldset.parent.classes
    target = page.one(id="outcome")  # the summary's link lands on the first radio
    assert target.tag == "input" and target.attrs["type"] == "radio"


def test_continue_with_no_route_chosen_shows_the_error_summary_and_the_field_error(client, people, durham):
    f.sign_in(client, people["partner"])
    arriving = parse(client.get(f"{durham.url}/new?step=outcome&outcome=3.4"))  # from step 1
    assert arriving.all("div", cls="govuk-error-summary") == []
    assert arriving.one("input", name="step").attrs["value"] == "option"

    page = parse(client.get(f"{durham.url}/new?step=option&outcome=3.4"))
    assert page.one("title").text.startswith("Error: ")
    assert error_summary(page) == [("#option", "Choose how this evidence shows the outcome")]
    message = page.one(id="option-error")
    assert "Choose how this evidence shows the outcome" in message.text
    fieldset = next(a for a in message.ancestors() if a.tag == "fieldset")
    assert "option-error" in fieldset.attrs["aria-describedby"].split()
    target = page.one(id="option")
    assert target.tag == "input" and target.attrs["type"] == "radio" and target.attrs["name"] == "option"


# ---------------------------------------------------------------- 3. each error listed once


def bad_attendance(child):
    posted = attendance(child, ("91", "ninety", ""), statement="", source="")
    posted.pop("values-on_roll")
    posted["period-end-month"] = "13"
    return posted


@pytest.mark.parametrize("action", ["new", "check"])  # submitting, and "Check against the plan" without JavaScript
def test_each_error_on_the_evidence_forms_error_page_is_linked_once(client, people, durham, action):
    f.sign_in(client, people["partner"])
    page = parse(client.post(f"{durham.url}/{action}", data=bad_attendance(durham.child)))
    errors = error_summary(page)
    assert len(errors) >= 5
    links = in_page_links(page)
    for href, message in errors:
        assert links.count(href) == 1, f"{message} is linked {links.count(href)} times"
    # The check beside the form counts the problems and points to the summary instead.
    check = page.one(id="evidence-check")
    assert check.all("a") == [] and check.all("li") == []
    assert f"Still to fix ({len(errors)})" in check.text and "at the top of the page" in check.text


def evidence_form(page):
    (form,) = [form for form in page.all("form") if "hx-post" in form.attrs]
    return form


def test_a_live_update_on_the_error_page_lists_the_problems_without_links_again(client, people, durham):
    f.sign_in(client, people["partner"])
    form = evidence_form(parse(client.post(f"{durham.url}/new", data=bad_attendance(durham.child))))
    assert form.attrs["hx-vals"] == '{"error-summary-shown": "yes"}'  # htmx sends it with each check
    posted = bad_attendance(durham.child) | {"error-summary-shown": "yes"}
    partial = Page(htmx(client, f"{durham.url}/check", posted).get_data(as_text=True)).root
    items = partial.all("li")
    assert len(items) >= 5 and partial.all("a") == []
    assert "Enter a statement describing the evidence" in [li.text for li in items]


def test_without_an_error_summary_the_live_check_links_each_problem(client, people, durham):
    f.sign_in(client, people["partner"])
    fresh = evidence_form(parse(client.get(f"{durham.url}/new?outcome=2.1")))
    assert "hx-vals" not in fresh.attrs
    partial = Page(htmx(client, f"{durham.url}/check", bad_attendance(durham.child)).get_data(as_text=True)).root
    assert ("#statement", "Enter a statement describing the evidence") in [
        (a.attrs["href"], a.text) for a in partial.all("a")
    ]
    # The state live-check.js compares, to announce only what changed.
    (state,) = [node for node in partial.all() if "data-check-problems" in node.attrs]
    assert "hidden" in state.attrs
    assert "Enter a statement describing the evidence" in state.attrs["data-check-problems"]


# ---------------------------------------------------------------- 6. the statutory pages and the footer


def footer_links(page):
    (footer,) = page.all("div", cls="govuk-footer")
    return {a.attrs["href"]: a.text for a in footer.all("a")}


@pytest.mark.parametrize("path", ["/", "/sign-in", *STATUTORY])
def test_every_public_page_links_the_statutory_pages_from_its_footer(client, path):
    assert footer_links(parse(client.get(path))) == STATUTORY


def test_signed_in_pages_link_them_too(client, people, durham):
    f.sign_in(client, people["lead_professional"])
    assert footer_links(parse(client.get(f"/families/{durham.id}"))) == STATUTORY


@pytest.mark.parametrize(
    "path, heading",
    [
        ("/accessibility-statement", "Accessibility statement for the Family outcomes portal"),
        ("/privacy", "Privacy notice"),
        ("/cookies", "Cookies"),
        ("/help", "Get help with the portal"),
    ],
)
def test_the_statutory_pages_are_public_and_have_one_h1(client, path, heading):
    page = parse(client.get(path))
    assert [h.text for h in page.all("h1")] == [heading]
    assert page.one("title").text.startswith(heading.split(" for the")[0])


def headings(page):
    return [h.text for h in page.all() if h.tag in ("h2", "h3", "h4")]


def test_the_accessibility_statement_follows_the_model_and_names_what_does_not_comply(client):
    page = parse(client.get("/accessibility-statement"))
    for section in (
        "How accessible this service is",
        "Feedback and contact information",
        "Enforcement procedure",
        "Compliance status",
        "Non-accessible content",
        "Non-compliance with the accessibility regulations",
        "Disproportionate burden",
        "Preparation of this accessibility statement",
    ):
        assert section in headings(page), section
    text = page.one("main").text
    assert "partially compliant with the Web Content Accessibility Guidelines version 2.2 AA" in text
    assert "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018" in text
    for known in ("PDF/UA", "1.3.1", "2.2.1", "not its JavaScript", "attach to evidence"):
        assert known in text, known
    assert "https://www.equalityadvisoryservice.com/" in [a.attrs.get("href") for a in page.all("a")]


def test_the_privacy_notice_names_the_controller_lawful_basis_retention_and_rights(client):
    page = parse(client.get("/privacy"))
    for section in (
        "Who is responsible for your information",
        "Why we use it, and the law that allows it",
        "How long we keep it",
        "Your rights",
        "If you are not happy",
    ):
        assert section in headings(page), section
    text = page.one("main").text
    assert "is the data controller" in text
    for basis in ("Article 6(1)(e)", "Article 9(2)(g)", "Article 10", "Children Act 2004", "paragraph 18"):
        assert basis in text, basis
    assert "https://ico.org.uk/make-a-complaint/" in [a.attrs.get("href") for a in page.all("a")]


def test_the_councils_details_are_obvious_placeholders_until_set(app, client, monkeypatch):
    page = parse(client.get("/privacy"))
    placeholders = [p.text for p in page.all("strong", cls="app-placeholder")]
    assert "[Council to add: council's name]" in placeholders
    assert "[Council to add: data protection officer's email address]" in placeholders
    assert "This page is not finished" in page.one(cls="govuk-warning-text").text

    settings = {
        "COUNCIL_NAME": "Suffolk County Council",
        "COUNCIL_SUPPORT_EMAIL": "families@suffolk.example",
        "COUNCIL_SUPPORT_PHONE": "01234 567890",
        "COUNCIL_DPO_EMAIL": "dpo@suffolk.example",
        "COUNCIL_POSTAL_ADDRESS": "Endeavour House, Ipswich",
        "COUNCIL_ICO_REGISTRATION": "Z1234567",
        "COUNCIL_RETENTION_POLICY_URL": "https://suffolk.example/retention",
        "COUNCIL_DATA_LOCATION": "in the UK",
        "COUNCIL_STATEMENT_DATES": "Written on 1 May 2026.",
    }
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)
    page = parse(client.get("/privacy"))
    assert page.all(cls="app-placeholder") == [] and page.all(cls="govuk-warning-text") == []
    assert "Suffolk County Council is the data controller" in page.one("main").text
    assert "mailto:dpo@suffolk.example" in [a.attrs.get("href") for a in page.all("a")]


def test_the_cookies_page_lists_the_session_cookie_and_needs_no_banner(app, client, people):
    page = parse(client.get("/cookies"))
    rows = page.one("table").one("tbody").all("tr")
    assert [row.one("th").text for row in rows] == [app.config["SESSION_COOKIE_NAME"]]
    assert "When you close your browser" in rows[0].text
    # Signing in sets that cookie, and it is not permanent (so "when you close your browser" is true).
    f.sign_in(client, people["partner"])
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None and cookie.expires is None
    assert "cookie-banner" not in client.get("/").get_data(as_text=True)


def test_the_help_page_gives_a_contact(client):
    page = parse(client.get("/help"))
    assert "Contact the Supporting Families team" in headings(page)
    assert "[Council to add: email address for help with the portal]" in page.one("main").text
