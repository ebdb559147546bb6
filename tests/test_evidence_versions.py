"""Reading evidence with its versions and reviews, corrections, and who may do what.

Uses the Durham family and form data of tests/test_evidence.py.
"""

import re

import pytest

from portal import create_app
from portal.extensions import db
from portal.models import AuditEvent, Evidence, Family, Review
from tests import factories as f
from tests import test_evidence
from tests.test_evidence import actions, attendance, evidence_rows

durham = test_evidence.durham  # the fixture: a Durham family with the school attached


def submit(client, app, durham, user, data=None):
    """Submit Durham 2.1 evidence as `user`; returns the new Evidence id."""
    f.sign_in(client, user)
    assert client.post(f"{durham.url}/new", data=data or attendance(durham.child)).status_code == 302
    client.post("/sign-out")
    return evidence_rows(app)[-1].id


def review(app, evidence_id, decision, by, reason=""):
    with app.app_context():
        db.session.add(Review(evidence_id=evidence_id, decision=decision, reason=reason, reviewed_by_id=by.id))
        db.session.commit()


def saved(app, evidence_id) -> dict:
    """Every column of one Evidence row, to show it never changes."""
    with app.app_context():
        row = db.session.get(Evidence, evidence_id)
        return {c.name: getattr(row, c.name) for c in Evidence.__table__.columns}


@pytest.fixture
def returned(client, app, people, durham):
    """Evidence from the school that the lead professional returned for correction."""
    evidence_id = submit(client, app, durham, people["partner"])
    review(app, evidence_id, "returned", people["lead_professional"], "Term 3 looks wrong: check the census.")
    return evidence_id


# ---------------------------------------------------------------- reading


def test_the_evidence_page_shows_the_values_statement_and_reviews(client, app, people, durham, returned):
    f.sign_in(client, people["verifier"])
    page = client.get(f"{durham.url}/{returned}").get_data(as_text=True)
    assert "Evidence for outcome 2.1" in page
    assert "Returned for correction" in page
    assert "Term 1: 91%, Term 2: 92%, Term 3: 90.6%" in page
    assert "Sam Reed" in page and "School Census" in page and "8 January 2018 to 19 December 2018" in page
    assert "School census, spring to autumn 2018." in page
    assert "Hillside Primary School" in page
    assert "Term 3 looks wrong: check the census." in page and people["lead_professional"].name in page
    assert "Correct this evidence" not in page  # verifiers read only


def test_a_partner_sees_their_agencys_evidence_but_not_another_agencys(client, app, people, durham, returned):
    with app.app_context():
        f.attach(db.session.get(Family, durham.id), people["police"], people["lead_professional"])
    f.sign_in(client, people["partner"])
    assert client.get(f"{durham.url}/{returned}").status_code == 200
    client.post("/sign-out")
    f.sign_in(client, people["police_partner"])  # attached to the family, but not their evidence
    assert client.get(f"{durham.url}/{returned}").status_code == 404
    assert client.get(f"{durham.url}/{returned}/correct").status_code == 404
    assert client.post(f"{durham.url}/{returned}/correct", data=attendance(durham.child)).status_code == 404
    client.post("/sign-out")
    f.sign_in(client, people["lead_professional"])
    assert client.get(f"{durham.url}/{returned}").status_code == 200


def test_evidence_of_another_family_is_not_found(client, app, people, durham, returned):
    with app.app_context():
        other = f.make_family(people["lead_professional"], plan_id="durham-2018")
        f.attach(other, people["school"], people["lead_professional"])
        other_id = other.id
    f.sign_in(client, people["partner"])
    assert client.get(f"/families/{other_id}/evidence/{returned}").status_code == 404
    assert client.get(f"{durham.url}/999999").status_code == 404


# ---------------------------------------------------------------- who may reach the routes


def test_a_partner_whose_agency_is_not_attached_gets_404_on_every_evidence_route(client, app, people, durham, returned):
    f.sign_in(client, people["police_partner"])
    url = durham.url
    assert client.get(f"{url}/new").status_code == 404
    assert client.get(f"{url}/new?outcome=2.1").status_code == 404
    assert client.post(f"{url}/new", data=attendance(durham.child)).status_code == 404
    assert client.post(f"{url}/check", data=attendance(durham.child), headers={"HX-Request": "true"}).status_code == 404
    assert client.get(f"{url}/{returned}").status_code == 404
    assert client.get(f"{url}/{returned}/correct").status_code == 404
    assert client.post(f"{url}/{returned}/correct", data=attendance(durham.child)).status_code == 404
    assert len(evidence_rows(app)) == 1


def test_verifiers_read_evidence_but_cannot_submit_check_or_correct(client, app, people, durham, returned):
    f.sign_in(client, people["verifier"])
    assert client.get(f"{durham.url}/{returned}").status_code == 200
    assert client.get(f"{durham.url}/new").status_code == 404
    assert client.post(f"{durham.url}/new", data=attendance(durham.child)).status_code == 404
    assert client.post(f"{durham.url}/check", data=attendance(durham.child)).status_code == 404
    assert client.get(f"{durham.url}/{returned}/correct").status_code == 404
    assert len(evidence_rows(app)) == 1


def test_signed_out_visitors_are_sent_to_sign_in(client, durham):
    response = client.get(f"{durham.url}/new")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


# ---------------------------------------------------------------- corrections


def test_the_correction_form_starts_from_the_latest_version(client, app, people, durham, returned):
    f.sign_in(client, people["partner"])
    page = client.get(f"{durham.url}/{returned}/correct").get_data(as_text=True)
    assert "Correct evidence for outcome 2.1" in page
    assert "You are correcting version 1" in page
    # The reason it came back is beside the form, not only on another page.
    said = re.search(r"<p class=\"govuk-body\" data-return-reason>(.*?)</p>", page, re.S).group(1)
    assert "Returned by" in said and "Term 3 looks wrong: check the census." in said
    for kept in ('value="91"', 'value="92"', 'value="90.6"', 'value="84"', "School census, spring to autumn 2018."):
        assert kept in page
    assert re.search(rf'value="{durham.child}"\s+checked', page)
    assert re.search(r'name="values-on_roll" type="radio" value="yes"\s+checked', page)
    assert re.search(r'name="period-start-year" type="text" value="2018"', page)


def test_a_correction_is_a_new_version_and_the_old_one_is_unchanged(client, app, people, durham, returned):
    before = saved(app, returned)
    f.sign_in(client, people["partner"])
    response = client.post(
        f"{durham.url}/{returned}/correct",
        data=attendance(durham.child, ("91", "92", "93.5"), statement="Census re-checked."),
    )
    assert response.status_code == 302
    _, new = evidence_rows(app)
    assert saved(app, returned) == before
    assert (new.replaces_id, new.version) == (returned, 2)
    assert new.values["attendance"] == [91, 92, 93.5] and new.statement == "Census re-checked."
    assert new.agency_id == people["school"].id and new.submitted_by_id == people["partner"].id
    assert response.headers["Location"].endswith(f"{durham.url}/{new.id}")
    (event,) = actions(app, "evidence.correct")
    assert event.family_id == durham.id and event.detail == f"evidence {new.id} v2 replaces evidence {returned} v1"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Version 2 (latest)" in page and "Version 1" in page
    assert "Term 3: 93.5%" in page and "Term 3: 90.6%" in page
    assert "Term 3 looks wrong" in page  # the review stays with the version it was about


def test_a_correction_with_errors_saves_nothing_and_keeps_what_was_typed(client, app, people, durham, returned):
    f.sign_in(client, people["partner"])
    page = client.post(
        f"{durham.url}/{returned}/correct", data=attendance(durham.child, ("91", "", "93.5"), statement="")
    ).get_data(as_text=True)
    assert "<title>Error: Correct evidence for outcome 2.1" in page
    assert "Enter term 2 attendance" in page and "Enter a statement describing the evidence" in page
    assert 'value="93.5"' in page
    assert len(evidence_rows(app)) == 1
    assert actions(app, "evidence.correct") == []


def test_the_lead_professional_cannot_correct_a_partners_evidence(client, app, people, durham):
    # Issue 8, item 5: the lead's "correction" used to be filed under the school with the lead as submitter.
    evidence_id = submit(client, app, durham, people["partner"])
    f.sign_in(client, people["lead_professional"])
    response = client.post(f"{durham.url}/{evidence_id}/correct", data=attendance(durham.child, ("95", "95", "95")))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{durham.url}/{evidence_id}")
    assert [e.id for e in evidence_rows(app)] == [evidence_id]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Only Hillside Primary School can correct this evidence" in page
    assert "Correct this evidence" not in page
    assert [e.detail for e in actions(app, "evidence.correct-refused")] == [f"evidence {evidence_id} v1"]


def test_a_superseded_version_cannot_be_corrected(client, app, people, durham, returned):
    f.sign_in(client, people["partner"])
    client.post(f"{durham.url}/{returned}/correct", data=attendance(durham.child, ("91", "92", "93.5")))
    latest = evidence_rows(app)[-1].id
    response = client.post(f"{durham.url}/{returned}/correct", data=attendance(durham.child, ("1", "1", "1")))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{durham.url}/{latest}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Version 1 has been replaced by version 2. Correct the latest version instead." in page
    assert len(evidence_rows(app)) == 2


def test_accepted_evidence_cannot_be_corrected(client, app, people, durham):
    evidence_id = submit(client, app, durham, people["partner"])
    review(app, evidence_id, "accepted", people["lead_professional"])
    f.sign_in(client, people["partner"])
    assert "Correct this evidence" not in client.get(f"{durham.url}/{evidence_id}").get_data(as_text=True)
    response = client.get(f"{durham.url}/{evidence_id}/correct")
    assert response.status_code == 302
    assert "has been accepted, so it cannot be corrected" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert len(evidence_rows(app)) == 1


# ---------------------------------------------------------------- CSRF


def test_the_live_check_is_refused_without_the_csrf_header(app, database_url, people, durham):
    """The test app switches CSRF off; this one has it on, on the same database."""
    strict = create_app("testing", {"WTF_CSRF_ENABLED": True, "SQLALCHEMY_DATABASE_URI": database_url})
    client = strict.test_client()
    signed_in = f.sign_in(client, people["partner"], csrf=True)
    assert signed_in.status_code == 302
    # Signing in starts a new session, so the form page carries a new token.
    form_page = client.get(f"{durham.url}/new?outcome=2.1").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form_page).group(1)
    url = f"{durham.url}/check"
    assert client.post(url, data=attendance(durham.child), headers={"HX-Request": "true"}).status_code == 400
    with_header = client.post(url, data=attendance(durham.child), headers={"HX-Request": "true", "X-CSRFToken": token})
    assert with_header.status_code == 200 and ": meets 2.1." in with_header.get_data(as_text=True)
    with strict.app_context():
        db.session.remove()
        db.engine.dispose()
    with app.app_context():
        assert (
            db.session.scalar(db.select(db.func.count()).select_from(AuditEvent).filter_by(action="evidence.check"))
            == 1
        )
