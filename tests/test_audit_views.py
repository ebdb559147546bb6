"""The audit log pages: families list, a family's log, the service-wide log."""

import datetime as dt

import pytest

from portal.audit import record
from portal.extensions import db
from portal.models import AuditEvent, Family, User
from tests.factories import make_family, sign_in


def _events(app, **filters):
    with app.app_context():
        return db.session.scalars(db.select(AuditEvent).filter_by(**filters).order_by(AuditEvent.id)).all()


def _add_events(app, family, user, count, action="family.read"):
    with app.app_context():
        user, family = db.session.get(User, user.id), db.session.get(Family, family.id)
        for n in range(count):
            event = record(action, family, detail=f"member {n}", user=user)
            event.at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=n)
        db.session.commit()


@pytest.fixture
def family(app, people):
    with app.app_context():
        return make_family(people["lead_professional"], name="Walsh family")


@pytest.mark.parametrize("role", ["admin", "verifier"])
def test_admins_and_verifiers_see_every_family_with_a_link_to_its_log(client, people, family, role):
    sign_in(client, people[role])
    page = client.get("/audit/families").get_data(as_text=True)
    assert family.ref in page
    # A family's name is case data: verifiers read every case, admins none (issue 8, item 6).
    assert ("Walsh family" in page) == (role == "verifier")
    assert people["lead_professional"].name in page
    assert "Suffolk Family Focus" in page
    assert f'href="/families/{family.id}/audit"' in page


@pytest.mark.parametrize("role", ["lead_professional", "partner"])
def test_other_roles_cannot_see_the_audit_pages(client, people, family, role):
    sign_in(client, people[role])
    assert client.get("/audit/families").status_code == 403
    # The lead professional reads the log of a family they lead (issue 13, section 5); partners never.
    assert client.get(f"/families/{family.id}/audit").status_code == (200 if role == "lead_professional" else 403)
    assert client.get("/audit").status_code == 403


def test_verifiers_do_not_get_the_service_wide_log(client, people):
    sign_in(client, people["verifier"])
    assert client.get("/audit").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, family):
    response = client.get(f"/families/{family.id}/audit")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_a_familys_log_lists_its_events_newest_first_with_who_and_agency(app, client, people, family):
    _add_events(app, family, people["partner"], 2)
    sign_in(client, people["admin"])
    page = client.get(f"/families/{family.id}/audit").get_data(as_text=True)
    assert page.index("member 1") < page.index("member 0")
    assert people["partner"].email in page and "Hillside Primary School" in page and "Partner" in page
    assert "1 Jan 2026 00:01:00 GMT" in page  # UK time, with the zone (GMT in winter)


def test_reading_a_familys_log_is_itself_audited(app, client, people, family):
    sign_in(client, people["admin"])
    client.get(f"/families/{family.id}/audit")
    reads = _events(app, action="audit.read", family_id=family.id)
    assert len(reads) == 1 and reads[0].user_email == people["admin"].email


def test_an_unknown_family_is_404_and_nothing_is_audited(app, client, people):
    sign_in(client, people["admin"])
    assert client.get("/families/999999/audit").status_code == 404
    assert _events(app, action="audit.read") == []


def test_the_family_log_shows_50_events_a_page_with_govuk_pagination(app, client, people, family):
    _add_events(app, family, people["partner"], 60)
    sign_in(client, people["verifier"])
    first = client.get(f"/families/{family.id}/audit").get_data(as_text=True)
    assert first.count('<tr class="govuk-table__row" role="row">') == 1 + 50  # header row + a page of events
    assert "govuk-pagination" in first and f"/families/{family.id}/audit?page=2" in first
    second = client.get(f"/families/{family.id}/audit?page=2").get_data(as_text=True)
    assert "member 0<" in second and "member 59<" not in second
    assert client.get(f"/families/{family.id}/audit?page=9").status_code == 404


def test_the_admin_does_not_see_case_data_on_the_log_page(app, client, people, family):
    sign_in(client, people["admin"])
    page = client.get(f"/families/{family.id}/audit").get_data(as_text=True)
    assert f'href="/families/{family.id}"' not in page


def test_the_service_wide_log_shows_sign_ins_and_filters_by_action_and_email(app, client, people, family):
    sign_in(client, people["partner"])
    _add_events(app, family, people["verifier"], 1, action="evidence.review")
    sign_in(client, people["admin"])
    everything = client.get("/audit").get_data(as_text=True)
    assert "sign-in" in everything and people["partner"].email in everything
    assert f'<span class="govuk-visually-hidden">Audit log for family </span>{family.ref}' in everything
    by_action = client.get("/audit?action=evidence.review").get_data(as_text=True)
    assert people["verifier"].email in by_action and people["partner"].email not in by_action
    by_email = client.get("/audit", query_string={"email": people["partner"].email.upper()}).get_data(as_text=True)
    assert people["partner"].email in by_email and people["verifier"].email not in by_email


def test_an_email_filter_with_sql_wildcards_matches_them_literally(app, client, people):
    sign_in(client, people["admin"])
    page = client.get("/audit?email=%25").get_data(as_text=True)
    assert "No events match the filter" in page


def test_an_unknown_action_is_an_error_naming_the_field_and_changes_nothing(app, client, people):
    sign_in(client, people["admin"])
    before = len(_events(app))
    page = client.get("/audit?action=made-up").get_data(as_text=True)
    assert "<title>Error: Audit log" in page
    assert "Choose an action from the list" in page and 'href="#action"' in page
    assert len(_events(app)) == before


def test_filters_are_kept_in_the_pagination_links(app, client, people, family):
    _add_events(app, family, people["partner"], 55, action="evidence.submit")
    sign_in(client, people["admin"])
    page = client.get("/audit?action=evidence.submit").get_data(as_text=True)
    assert "/audit?action=evidence.submit&amp;page=2" in page


def test_the_views_never_change_audit_rows(app, client, people, family):
    _add_events(app, family, people["partner"], 3)
    before = [(e.id, e.action, e.detail, e.at) for e in _events(app)]
    sign_in(client, people["admin"])
    client.get(f"/families/{family.id}/audit")
    client.get("/audit?action=family.read")
    after = [(e.id, e.action, e.detail, e.at) for e in _events(app)]
    assert after[: len(before)] == before
