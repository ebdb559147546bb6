"""Bad input gets a GOV.UK message or a 404, never a 500 (issue 8, item 7).

One regression test per root cause the fuzzing found, each failing on the code
before the fix, on SQLite and PostgreSQL; then the boundaries themselves
(portal/boundaries/, docs/security.md "Input boundaries").
"""

import datetime as dt

import pytest
from flask import Flask
from wtforms import Form

from portal import create_app
from portal.access import public
from portal.boundaries import dates, ids
from portal.boundaries.forms import PortalForm
from portal.boundaries.ids import MAX_ID, IdConverter, parse_id
from portal.extensions import db
from portal.models import AuditEvent, Family, Member, User
from tests import factories as f
from tests.test_evidence import attendance, durham, evidence_rows  # noqa: F401 (durham is a fixture)


def count(app, model):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


@pytest.fixture
def lead(app, client, people):
    f.sign_in(client, people["lead_professional"])
    return people["lead_professional"]


@pytest.fixture
def family(app, people):
    with app.app_context():
        family = f.make_family(people["lead_professional"], plan_id="durham-2018", engaged_on=dt.date(2018, 1, 8))
        f.attach(family, people["school"], people["lead_professional"])
        return family


# --------------------------------------------------------------- 1 and 2: ids in URLs


@pytest.mark.parametrize("huge", [2**31, 2**32, 2**63, 2**64, 10**30])
@pytest.mark.parametrize(
    "path",
    [
        "/families/{}",
        "/families/{}/verdict",
        "/families/{}/audit",
        "/families/{}/evidence/{}",
        "/families/{}/closure-summary.pdf",
        "/admin/users/{}",
        "/admin/agencies/{}/edit",
    ],
)
def test_an_id_past_what_the_database_holds_is_not_found(client, people, path, huge):
    """2^63 overflowed SQLite's integer, 2^31 PostgreSQL's: both a 500 before."""
    for role in ("verifier", "admin"):
        f.sign_in(client, people[role])
        assert client.get(path.format(huge, huge)).status_code == 404
        client.post("/sign-out")


def test_an_id_past_2_31_is_not_found_on_a_form_route_either(client, lead, family):
    assert client.post(f"/families/{family.id}/members/{2**31}/withdraw", data={"reason": "x"}).status_code == 404
    assert client.post(f"/families/{2**31}/members/new", data={"name": "x"}).status_code == 404


def test_the_largest_id_the_database_holds_is_looked_up(client, lead):
    assert client.get(f"/families/{MAX_ID}").status_code == 404  # looked up, not there


@pytest.mark.parametrize("text", ["0", "00", "01", "-1", "²", "١", "1.0", str(MAX_ID + 1), "9" * 5000])
def test_what_is_not_an_id_does_not_match_the_route(client, lead, family, text):
    assert client.get(f"/families/{text}").status_code == 404


def test_no_route_uses_the_unbounded_int_converter(app):
    """Every id in a URL is an <id:...>: bounded, the same on both databases."""
    left = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "<int:" in rule.rule
        or any(
            type(c).__name__ in ("IntegerConverter", "NumberConverter", "FloatConverter")
            for c in rule._converters.values()
        )
    ]
    assert left == []
    with_ids = [r for r in app.url_map.iter_rules() if "_id>" in r.rule]
    assert with_ids and all(
        isinstance(c, IdConverter)
        for r in with_ids
        for name, c in r._converters.items()
        if name.endswith("_id") and name != "plan_id"
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1", 1),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("0", None),
        ("007", None),
        ("-3", None),
        ("²", None),
        ("١٢", None),
        (" 5", None),
        ("", None),
        (None, None),
        ("9" * 10_000, None),
    ],
)
def test_parse_id(text, expected):
    assert parse_id(text) == expected


# --------------------------------------------------------------- 3 and 4: huge day or month


@pytest.mark.parametrize(
    "parts, message",
    [
        (["9" * 20, "1", "2010"], "Date of birth must be a real date"),
        (["1", "9" * 20, "2010"], "Date of birth must be a real date"),
        (["1", "1", "9" * 20], "Date of birth year must include 4 numbers"),
        (["99", "1", "2010"], "Date of birth must be a real date"),
        (["1", "2", "10"], "Date of birth year must include 4 numbers"),
        (["²", "1", "2010"], "Date of birth must be a real date"),
    ],
)
def test_a_huge_day_month_or_year_in_a_form_date_is_a_govuk_message(app, client, lead, family, parts, message):
    """OverflowError (a 500) before: datetime.date() with a number past a C long."""
    response = client.post(
        f"/families/{family.id}/members/new",
        data={"name": "Sam", "role": "child", "date_of_birth": parts, "activity": "education"},
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(app, Member) == 0


@pytest.mark.parametrize("part", ["day", "month", "year"])
def test_a_huge_part_in_an_evidence_date_is_a_govuk_message(app, client, people, durham, part):
    f.sign_in(client, people["partner"])
    posted = attendance(durham.child, **{f"period-end-{part}": "9" * 25})
    for url in (f"{durham.url}/new", f"{durham.url}/check"):
        page = client.post(url, data=posted).get_data(as_text=True)
        expected = "The end of the period " + (
            "year must include 4 numbers" if part == "year" else "must be a real date"
        )
        assert expected in page and 'href="#period-end-day"' in page
    assert evidence_rows(app) == []


def test_every_date_field_reads_its_parts_with_the_one_reader():
    assert dates.read_date("", " ", "", "Date") is None
    assert dates.read_date(" 7", "03 ", "2024", "Date") == dt.date(2024, 3, 7)
    for parts, message in [
        (("31", "2", "2024"), "Date must be a real date"),
        (("1", "", ""), "Date must include a month and a year"),
        (("1", "1", "24"), "Date year must include 4 numbers"),
        (("1", "1", "0000"), "Date must be a real date"),
        (("123", "1", "2024"), "Date must be a real date"),
    ]:
        with pytest.raises(dates.DateProblem, match=message):
            dates.read_date(*parts, "Date")


# --------------------------------------------------------------- 5: a huge ?page=


@pytest.mark.parametrize("page", [str(2**31), str(2**63), "9" * 30, "9" * 900])
def test_a_huge_page_number_is_past_the_end_not_a_500(client, people, page):
    """Huge offsets overflowed both databases."""
    f.sign_in(client, people["verifier"])
    assert client.get(f"/families/?page={page}").status_code == 200  # the last page
    assert client.get(f"/audit/families?page={page}").status_code == 404  # past the end
    client.post("/sign-out")
    f.sign_in(client, people["admin"])
    assert client.get(f"/audit?page={page}").status_code == 404


def test_a_page_number_longer_than_any_query_parameter_may_be_is_refused(client, people):
    f.sign_in(client, people["verifier"])
    response = client.get(f"/families/?page={'9' * 5000}")
    assert response.status_code == 400
    assert "Page number must be 1000 characters or fewer" in response.get_data(as_text=True)


def test_a_page_that_is_not_a_number_is_the_first(client, people):
    f.sign_in(client, people["verifier"])
    for page in ("-1", "0", "x", "²", ""):
        assert client.get(f"/families/?page={page}").status_code == 200
        assert client.get(f"/audit/families?page={page}").status_code == 200


# --------------------------------------------------------------- 6: a huge agency id


@pytest.mark.parametrize("agency", [str(2**31), str(2**63), "9" * 30, "²"])
def test_a_huge_or_unreadable_agency_id_is_choose_from_the_list(app, client, people, agency):
    f.sign_in(client, people["admin"])
    response = client.post(
        "/admin/users/new",
        data={
            "name": "Pat Jones",
            "email": "pat@example.org",
            "role": "partner",
            "agency_id": agency,
            "password": "a long enough passphrase here",
        },
    )
    assert response.status_code == 200
    assert "Choose an agency from the list" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(User).filter_by(email="pat@example.org")) is None
    partner = people["partner"]
    response = client.post(
        f"/admin/users/{partner.id}/edit", data={"name": partner.name, "role": "partner", "agency_id": agency}
    )
    assert "Choose an agency from the list" in response.get_data(as_text=True)


# --------------------------------------------------------------- 7: CR or LF in next


@pytest.mark.parametrize("target", ["/families/\r\nSet-Cookie: x=1", "%0d%0aSet-Cookie:%20x=1", "/%0A"])
def test_a_line_break_in_next_signs_in_and_goes_home(client, people, target):
    response = f.sign_in(client, people["verifier"], next_page=target)  # both factors
    assert response.status_code == 302 and response.headers["Location"] == "/home"


# --------------------------------------------------------------- 8: NUL and other control characters


def test_a_nul_in_the_sign_in_form_is_a_message(app, client, people):
    """PostgreSQL refused the NUL in the query (a 500), before anyone signed in."""
    response = client.post("/sign-in", data={"email": "a\x00@example.org", "password": "x"})
    assert response.status_code == 200
    assert "Email address must not include tabs, line breaks or other control characters" in response.get_data(
        as_text=True
    )
    response = client.post("/sign-in", data={"email": people["verifier"].email, "password": "pass\x00word"})
    assert "Password must not include" in response.get_data(as_text=True)


def test_a_nul_in_the_family_search_is_refused_naming_the_search(client, people):
    f.sign_in(client, people["verifier"])
    response = client.get("/families/?q=Smith%00")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Search must not include tabs, line breaks or other control characters" in page
    assert "<title>Error: " in page


@pytest.mark.parametrize(
    "character",
    [
        "\x00",
        "\x1b",
        "\x7f",
        "\x85",
        "\t",
        "\n",
        "\u2028",
        "\u2029",
        "\u202e",
        "\u202d",
        "\u202a",
        "\u2066",
        "\u2067",
        "\u2069",
    ],
)
def test_a_control_character_in_a_one_line_field_is_a_message_naming_it(app, client, lead, character):
    response = client.post("/families/new", data={"name": f"Smith{character}family", "plan": "durham-2018"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Family name must not include tabs, line breaks or other control characters" in page
    assert 'href="#name"' in page
    assert count(app, Family) == 0


def test_a_reason_may_hold_tabs_and_line_breaks_but_no_other_control_character(app, client, lead, family):
    with app.app_context():
        member = f.add_member(db.session.get(Family, family.id), lead)
    url = f"/families/{family.id}/members/{member.id}/withdraw"
    response = client.post(url, data={"reason": "Entered twice\x0bby mistake"})
    assert "Reason must not include control characters other than tabs and line breaks" in response.get_data(
        as_text=True
    )
    # A right-to-left override would show the reason in another order than it is stored in.
    response = client.post(url, data={"reason": "Entered \u202etwice by mistake"})
    assert "Reason must not include control characters other than tabs and line breaks" in response.get_data(
        as_text=True
    )
    assert client.post(url, data={"reason": "Entered twice:\r\n\tby mistake"}).status_code == 302
    with app.app_context():
        assert db.session.get(Member, member.id).withdrawn_reason == "Entered twice:\r\n\tby mistake"


def test_a_control_character_in_a_date_is_named_as_such(client, lead, family):
    response = client.post(
        f"/families/{family.id}/members/new",
        data={"name": "Sam", "role": "child", "date_of_birth": ["1\x00", "1", "2010"]},
    )
    page = response.get_data(as_text=True)
    assert "Date of birth must not include tabs, line breaks or other control characters" in page
    assert "Date of birth must be a real date" not in page


def test_a_nul_in_evidence_is_a_message_on_the_input_and_nothing_is_saved(app, client, people, durham):
    f.sign_in(client, people["partner"])
    page = client.post(f"{durham.url}/new", data=attendance(durham.child, statement="Census\x00")).get_data(True)
    assert "Statement must not include control characters other than tabs and line breaks" in page
    assert 'href="#statement"' in page
    page = client.post(
        f"{durham.url}/new", data=attendance(durham.child, **{"values-attendance-2": "9\x000"})
    ).get_data(True)
    assert "must not include tabs, line breaks or other control characters" in page
    assert 'href="#values-attendance-1"' in page
    assert evidence_rows(app) == []


def test_a_control_character_no_form_claims_is_refused_before_the_view(app, client, lead, family):
    before = count(app, AuditEvent)
    response = client.post(f"/families/{family.id}/team/new", data={"agency": "1", "sneaky": "x\x00"})
    assert response.status_code == 400
    assert "sneaky must not include" in response.get_data(as_text=True)
    response = client.post(f"/families/{family.id}/team/new", data={"a\x00b": "1"})
    assert response.status_code == 400 and "A form field name must not include" in response.get_data(True)
    assert count(app, AuditEvent) == before  # the view never ran


def test_every_form_derives_from_portal_form(app):
    """So none can forget the control-character check (portal/boundaries/forms.py)."""

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [
        cls
        for cls in subclasses(Form)
        if cls.__module__.startswith("portal.") and cls.__module__ != "portal.boundaries.forms"
    ]
    assert len(ours) >= 15
    assert [cls.__qualname__ for cls in ours if not issubclass(cls, PortalForm)] == []


# --------------------------------------------------------------- a real bug is still a 500


def test_an_unexpected_exception_still_answers_500(database_url):
    """The boundaries refuse bad input; they do not hide bugs. Flask's own 500 handling stays."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url, "PROPAGATE_EXCEPTIONS": False})

    @public
    def broken():
        raise RuntimeError("a bug")

    app.add_url_rule("/broken", view_func=broken)
    assert isinstance(app, Flask)
    assert app.test_client().get("/broken").status_code == 500
    assert app.test_client().get("/broken?q=fine").status_code == 500
    assert ids.MAX_ID == 2**31 - 1


def test_a_very_long_search_is_refused_naming_the_search(client, people):
    """SQLite refused the LIKE pattern (a 500) for a search of 50,000 characters or more."""
    f.sign_in(client, people["verifier"])
    response = client.get("/families/?q=" + "x" * 60_000)
    assert response.status_code == 400
    assert "Search must be 1000 characters or fewer" in response.get_data(as_text=True)
    assert client.get("/families/?q=" + "x" * 1000).status_code == 200


def test_every_audit_action_fits_its_column():
    """ "sign-in refused: account locked while the password was checked" (67 characters) was a 500
    on PostgreSQL (varchar(60)) whenever the lock won the race with a right password."""
    import ast
    from pathlib import Path

    from portal.models import AuditEvent

    longest = AuditEvent.__table__.c.action.type.length
    actions = []
    for path in Path("portal").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                "record",
                "_refuse",
            ):
                position = 1 if getattr(node.func, "id", "") == "_refuse" else 0
                if len(node.args) > position and isinstance(node.args[position], ast.Constant):
                    actions.append(node.args[position].value)
    assert len(actions) > 10
    assert [a for a in actions if len(a) > longest] == []


def test_a_radio_value_with_a_control_character_is_named_by_its_subject(client, people):
    f.sign_in(client, people["admin"])
    page = client.post("/admin/agencies/new", data={"name": "Youth service", "kind": "school\x00"}).get_data(True)
    assert "Kind of agency must not include tabs, line breaks or other control characters" in page


def test_a_control_character_in_a_text_part_of_the_address_is_a_message_not_a_500(app, client, people):
    """Found by the fuzz test on PostgreSQL: a NUL in /claims/1/files/<kind> reached a query."""
    f.sign_in(client, people["programme_manager"])
    for path in ("/claims/1/files/%00", "/claims/1/files/%0D%0A", "/verify/AB%00CD"):
        response = client.get(path)
        assert response.status_code == 400, path
        assert "The page address must not include" in response.get_data(as_text=True)


def test_a_name_in_a_right_to_left_script_with_a_direction_mark_is_saved_as_typed(app, client, lead):
    # Refusing the direction overrides must not refuse right-to-left names: they need none of them.
    name = "\u0639\u0627\u0626\u0644\u0629 \u0646\u0648\u0631\u200f family"
    assert client.post("/families/new", data={"name": name, "plan": "durham-2018"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(Family.name)) == name
