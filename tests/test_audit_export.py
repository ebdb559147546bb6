"""The audit log for information governance (issue 13, section 5): words, UK time, dates, CSV, who may read it."""

import csv
import datetime as dt
import io

import pytest
import sqlalchemy as sa

from portal.audit import record
from portal.audit.actions import words
from portal.extensions import db
from portal.models import AuditEvent, Family, User
from tests.factories import make_family, make_user, sign_in


@pytest.fixture
def family(app, people):
    with app.app_context():
        return make_family(people["lead_professional"], name="Walsh family")


def add_event(app, family, user, action, at, detail="member 4", agency_name=None):
    with app.app_context():
        event = record(
            action,
            db.session.get(Family, family.id) if family else None,
            detail=detail,
            user=db.session.get(User, user.id),
        )
        event.at = at
        if agency_name is not None:
            event.agency_name = agency_name
        db.session.commit()
        return event.id


def read_csv(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def audit_actions(app):
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_the_pages_name_actions_in_words_and_show_uk_time_with_the_zone(app, client, people, family):
    summer = dt.datetime(2026, 7, 1, 8, 30, tzinfo=dt.UTC)  # 09:30 BST
    winter = dt.datetime(2026, 1, 15, 8, 30, tzinfo=dt.UTC)  # 08:30 GMT
    add_event(app, family, people["lead_professional"], "evidence.return", summer)
    add_event(app, family, people["lead_professional"], "evidence.accept", winter)
    sign_in(client, people["admin"])
    page = client.get(f"/families/{family.id}/audit").get_data(as_text=True)
    assert "Evidence returned" in page and "Evidence accepted" in page
    assert ">evidence.return<" not in page
    assert "1 Jul 2026 09:30:00 BST" in page and "15 Jan 2026 08:30:00 GMT" in page
    service = client.get("/audit").get_data(as_text=True)
    assert '<option value="evidence.return">Evidence returned</option>' in service


def test_a_familys_csv_has_every_event_in_words_and_uk_time_and_its_download_is_audited(app, client, people, family):
    add_event(
        app,
        family,
        people["partner"],
        "evidence.submit",
        dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC),
        detail="evidence 7 v1",
    )  # 00:30 GMT; BST starts at 01:00 that day
    add_event(
        app,
        family,
        people["lead_professional"],
        "evidence.return",
        dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC),
        detail="evidence 7 v1",
    )  # 02:30 BST
    sign_in(client, people["lead_professional"])
    rows = read_csv(client.get(f"/families/{family.id}/audit/log.csv"))
    ours = [r for r in rows if r["Action code"] in ("evidence.submit", "evidence.return")]
    assert [(r["Action"], r["Time (UK)"]) for r in ours] == [
        ("Evidence returned", "29 Mar 2026 02:30:00 BST"),
        ("Evidence submitted", "29 Mar 2026 00:30:00 GMT"),
    ]
    assert ours[0]["Time (UTC, ISO 8601)"] == "2026-03-29T01:30:00+00:00"
    assert {r["Family reference"] for r in rows} == {family.ref}
    assert ours[1]["Who"] == people["partner"].email and ours[1]["Agency"] == "Hillside Primary School"
    assert ours[0]["Detail"] == "evidence 7 v1"
    # The lead professional sees case data on the family page, so the name is a column for them.
    assert {r["Family name"] for r in rows} == {"Walsh family"}
    with app.app_context():
        export = db.session.scalars(sa.select(AuditEvent).filter_by(action="audit.export")).one()
        assert export.family_id == family.id and export.user_id == people["lead_professional"].id
        assert export.detail == f"GET /families/{family.id}/audit/log.csv"


def test_an_admin_gets_no_case_data_in_the_csv(app, client, people, family):
    add_event(
        app,
        family,
        people["partner"],
        "evidence.submit",
        dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
        detail="statement: Kerry is doing well",
    )  # a detail holding case data (an old slip)
    sign_in(client, people["admin"])
    response = client.get(f"/families/{family.id}/audit/log.csv")
    text = response.get_data(as_text=True)
    rows = read_csv(response)
    assert "Family name" not in rows[0] and "Walsh" not in text
    assert "Kerry" not in text and "Withheld: this detail may hold case data" in text
    service = client.get("/audit/log.csv").get_data(as_text=True)
    assert "Walsh" not in service and "Kerry" not in service and family.ref in service


def test_a_verifier_gets_a_familys_csv_but_not_the_service_log(client, people, family):
    sign_in(client, people["verifier"])
    assert client.get(f"/families/{family.id}/audit/log.csv").status_code == 200
    assert client.get("/audit/log.csv").status_code == 403


def test_a_lead_professional_reads_only_the_log_of_a_family_they_lead(app, client, people, family):
    with app.app_context():
        stranger = make_family(make_user("lead_professional"), name="Other family")
    sign_in(client, people["lead_professional"])
    assert client.get(f"/families/{family.id}/audit").status_code == 200
    assert client.get(f"/families/{stranger.id}/audit").status_code == 404
    assert client.get(f"/families/{stranger.id}/audit/log.csv").status_code == 404
    assert client.get("/audit/log.csv").status_code == 403
    assert audit_actions(app).count("family.access-refused") == 2


@pytest.mark.parametrize("role", ["partner", "police_partner", "programme_manager"])
def test_partners_are_refused_every_audit_log_and_download(app, client, people, family, role):
    sign_in(client, people[role])
    for url in (f"/families/{family.id}/audit", f"/families/{family.id}/audit/log.csv", "/audit/log.csv"):
        assert client.get(url).status_code == 403
    assert "audit.export" not in audit_actions(app)


def test_signed_out_visitors_get_no_csv(client, family):
    assert client.get(f"/families/{family.id}/audit/log.csv").status_code == 302
    assert client.get("/audit/log.csv").status_code == 302


@pytest.mark.parametrize("hostile", ['=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1)", "\tx"])
def test_cells_a_spreadsheet_would_run_as_a_formula_are_defused(app, client, people, family, hostile):
    add_event(
        app, family, people["partner"], "evidence.submit", dt.datetime(2026, 3, 2, tzinfo=dt.UTC), agency_name=hostile
    )
    sign_in(client, people["admin"])
    rows = read_csv(client.get("/audit/log.csv"))
    [row] = [r for r in rows if r["Action code"] == "evidence.submit"]
    assert row["Agency"] == "'" + hostile


def test_the_date_filter_keeps_whole_uk_days(app, client, people, family):
    def at(*args):
        return dt.datetime(*args, tzinfo=dt.UTC)

    inside = [at(2026, 6, 30, 23, 30), at(2026, 7, 2, 22, 59)]  # 1 Jul 00:30 BST, 2 Jul 23:59 BST
    outside = [at(2026, 6, 30, 22, 59), at(2026, 7, 2, 23, 0)]  # 30 Jun 23:59 BST, 3 Jul 00:00 BST
    for n, moment in enumerate(inside + outside):
        add_event(app, family, people["partner"], "evidence.read", moment, detail=f"evidence {n}")
    sign_in(client, people["admin"])
    query = "date_from=1&date_from=7&date_from=2026&date_to=2&date_to=7&date_to=2026"
    rows = read_csv(client.get(f"/families/{family.id}/audit/log.csv?{query}"))
    assert sorted(r["Detail"] for r in rows if r["Action code"] == "evidence.read") == ["evidence 0", "evidence 1"]
    page = client.get(f"/families/{family.id}/audit?{query}").get_data(as_text=True)
    assert "evidence 0" in page and "evidence 2" not in page and "evidence 3" not in page
    assert "/audit/log.csv?date_from=1&amp;date_from=7&amp;date_from=2026" in page  # the CSV of what is shown
    service = read_csv(client.get(f"/audit/log.csv?{query}&action=evidence.read"))
    assert sorted(r["Detail"] for r in service) == ["evidence 0", "evidence 1"]
    with app.app_context():
        read = db.session.scalars(sa.select(AuditEvent).filter_by(action="audit.read")).all()[-1]
        assert read.detail.endswith("filtered by date_from, date_to")


HOSTILE_DATES = [
    ({"date_from": ["31", "2", "2026"]}, "The start date must be a real date"),
    ({"date_from": ["1", "1", "99999"]}, "The start date year must include 4 numbers"),
    ({"date_from": ["1", "", "2026"]}, "The start date must include a month"),
    ({"date_from": ["１", "２", "２０２６"]}, "The start date must be a real date"),  # full-width digits
    ({"date_from": ["-1", "1", "2026"]}, "The start date must be a real date"),
    ({"date_from": ["9" * 30, "1", "2026"]}, "The start date must be a real date"),  # past a C long
    ({"date_to": ["31", "12", "9999"]}, "The end date must be today or in the past"),
    ({"date_to": ["1", "1", "1000"]}, "The end date must be 2000 or later"),
    (
        {"date_from": ["2", "7", "2026"], "date_to": ["1", "7", "2026"]},
        "The end date must be the same as or after the start date",
    ),
]


@pytest.mark.parametrize("args, message", HOSTILE_DATES)
def test_a_hostile_date_gets_the_govuk_error_and_no_log(app, client, people, family, args, message):
    add_event(app, family, people["partner"], "evidence.read", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    sign_in(client, people["admin"])
    query = "&".join(f"{name}={part}" for name, parts in args.items() for part in parts)
    for url in (f"/families/{family.id}/audit?{query}", f"/audit?{query}"):
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "govuk-error-summary" in page and message in page and "Error: " in page
        assert "Correct the filter to see the log" in page
        field = next(iter(args)) if "after" not in message else "date_to"
        assert f'href="#{field}' in page
    assert client.get(f"/families/{family.id}/audit/log.csv?{query}").status_code == 400
    assert client.get(f"/audit/log.csv?{query}").status_code == 400
    assert "audit.export" not in audit_actions(app)


def test_every_action_code_has_words():
    assert words("evidence.return") == "Evidence returned"
    assert words("something.old") == "something.old"  # a code from an older version is shown as it is
