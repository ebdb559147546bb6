"""The lead professional reviews partners' evidence, and the live verdict follows it."""

import datetime as dt
import re

import pytest

from portal.extensions import db
from portal.models import Evidence, Review
from tests import factories as f
from tests.test_families import add_evidence, audit_actions, count, has_error, suffolk_case


@pytest.fixture
def submitted(app, client, people):
    """A Suffolk family with one submission from the school awaiting review."""
    with app.app_context():
        family, parent, _ = suffolk_case(people)
        evidence = add_evidence(family, parent, people["partner"])
    f.sign_in(client, people["lead_professional"])
    return {
        "family": family,
        "parent": parent,
        "evidence": evidence,
        "url": f"/families/{family.id}/reviews/{evidence.id}",
    }


def status_of(app, evidence_id):
    with app.app_context():
        return db.session.get(Evidence, evidence_id).status


ACHIEVED = r'</h3>\s*<p class="govuk-body"><strong class="govuk-tag govuk-tag--green">Achieved'


def criterion_6_achieved(page):
    heading = "Criterion 6: Parents and children with a range of health problems"
    return re.search(re.escape(heading) + ACHIEVED, page) is not None


def test_the_reviews_page_lists_submissions_awaiting_review_with_a_form_each(client, submitted):
    page = client.get(f"/families/{submitted['family'].id}/reviews").get_data(as_text=True)
    evidence_id = submitted["evidence"].id
    assert f'action="{submitted["url"]}"' in page
    assert f'name="e{evidence_id}-decision"' in page and "Kerry manages her depression" in page


def test_the_review_page_shows_the_values_and_the_engines_check(client, submitted):
    page = client.get(submitted["url"]).get_data(as_text=True)
    assert "Jenny Clarke, Early Help key worker" in page
    assert "What the rules engine finds" in page and "Meets the outcome" in page


def test_accepting_adds_a_review_and_the_evidence_counts(app, client, people, submitted):
    prefix = f"e{submitted['evidence'].id}"
    response = client.post(submitted["url"], data={f"{prefix}-decision": "accepted"})
    assert response.status_code == 302
    with app.app_context():
        review = db.session.scalars(db.select(Review)).one()
        assert (review.decision, review.reviewed_by_id) == ("accepted", people["lead_professional"].id)
    assert status_of(app, submitted["evidence"].id) == "accepted"
    assert "evidence.accept" in audit_actions(app, submitted["family"].id)


def test_returning_needs_a_reason_and_saves_nothing_without_one(app, client, submitted):
    prefix = f"e{submitted['evidence'].id}"
    page = client.post(submitted["url"], data={f"{prefix}-decision": "returned", f"{prefix}-reason": "  "}).get_data(
        as_text=True
    )
    assert has_error(page, f"{prefix}-reason", "Enter why you are returning the evidence")
    assert count(app, Review) == 0
    client.post(submitted["url"], data={f"{prefix}-decision": "returned", f"{prefix}-reason": "Which months?"})
    with app.app_context():
        review = db.session.scalars(db.select(Review)).one()
    assert (review.decision, review.reason) == ("returned", "Which months?")
    assert status_of(app, submitted["evidence"].id) == "returned"
    assert "evidence.return" in audit_actions(app, submitted["family"].id)


def test_a_decision_must_be_chosen(app, client, submitted):
    page = client.post(submitted["url"], data={}).get_data(as_text=True)
    assert has_error(page, f"e{submitted['evidence'].id}-decision", "Choose whether to accept or return the evidence")
    assert count(app, Review) == 0


def test_only_the_latest_version_awaiting_review_can_be_reviewed(app, client, people, submitted):
    with app.app_context():
        family = submitted["family"]
        old = db.session.get(Evidence, submitted["evidence"].id)
        db.session.add(
            Review(
                evidence_id=old.id, decision="returned", reason="Dates", reviewed_by_id=people["lead_professional"].id
            )
        )
        db.session.commit()
        newer = add_evidence(family, submitted["parent"], people["partner"], replaces=old)
    prefix = f"e{old.id}"
    response = client.post(submitted["url"], data={f"{prefix}-decision": "accepted"})
    assert response.status_code == 302 and status_of(app, old.id) == "superseded"
    assert count(app, Review) == 1
    client.post(f"/families/{family.id}/reviews/{newer.id}", data={f"e{newer.id}-decision": "accepted"})
    assert status_of(app, newer.id) == "accepted"
    again = client.post(
        f"/families/{family.id}/reviews/{newer.id}",
        data={f"e{newer.id}-decision": "returned", f"e{newer.id}-reason": "No"},
    )
    assert again.status_code == 302 and count(app, Review) == 2


def test_evidence_of_another_family_cannot_be_reviewed_through_this_one(app, client, people, submitted):
    with app.app_context():
        other, parent, _ = suffolk_case(people)
        foreign = add_evidence(other, parent, people["partner"])
    url = f"/families/{submitted['family'].id}/reviews/{foreign.id}"
    assert client.post(url, data={f"e{foreign.id}-decision": "accepted"}).status_code == 404
    assert count(app, Review) == 0


def test_the_family_page_shows_the_latest_version_and_links_to_its_earlier_versions(app, client, people, submitted):
    with app.app_context():
        old = db.session.get(Evidence, submitted["evidence"].id)
        db.session.add(
            Review(
                evidence_id=old.id,
                decision="returned",
                reason="Add the dates",
                reviewed_by_id=people["lead_professional"].id,
            )
        )
        db.session.commit()
        add_evidence(submitted["family"], submitted["parent"], people["partner"], replaces=old, statement="Corrected")
        latest = db.session.scalar(db.select(Evidence).filter_by(replaces_id=old.id))
    page = client.get(f"/families/{submitted['family'].id}").get_data(as_text=True)
    # The family page lists each submission's latest version only (its cost must not grow with the
    # history: docs/performance.md); the earlier versions are on the submission's own page.
    assert "Corrected" in page and "Version 2" in page and "Superseded" not in page
    assert f'/evidence/{latest.id}">earlier versions' in page
    item = client.get(f"/families/{submitted['family'].id}/evidence/{latest.id}").get_data(as_text=True)
    assert "Add the dates" in item and "Version 1" in item


def test_the_verdict_on_the_page_follows_accepted_evidence(app, client, submitted):
    family_url = f"/families/{submitted['family'].id}"
    assert not criterion_6_achieved(client.get(family_url).get_data(as_text=True))
    client.post(submitted["url"], data={f"e{submitted['evidence'].id}-decision": "accepted"})
    page = client.get(family_url).get_data(as_text=True)
    assert criterion_6_achieved(page)
    assert "Criterion 1 (Parents and children involved in crime or anti-social behaviour) is not achieved" in page


def test_a_durham_theme_with_accepted_evidence_is_achieved_on_the_page(app, client, people):
    with app.app_context():
        lp = people["lead_professional"]
        family = f.make_family(lp, plan_id="durham-2018")
        parent = f.add_member(family, lp, role="parent", name="Kerry", born=dt.date(1987, 2, 9))
        f.add_member(family, lp, role="child", name="Mia", born=dt.date(2017, 8, 20))
        f.add_problem(family, lp, "6", "1", member=parent)
        f.add_essentials(family, lp, "lead_professional", "whole_family_assessment", "family_plan", "lp_taf_judgement")
        row = Evidence(
            family_id=family.id,
            outcome_id="6.1",
            option="epds",
            member_ids=[parent.id],
            source="Edinburgh postnatal depression scale",
            period_start=dt.date(2023, 11, 20),
            period_end=dt.date(2024, 10, 29),
            values={"tool": "epds", "initial_score": 17, "final_score": 9},
            statement="EPDS 17 then 9.",
            submitted_by_id=people["partner"].id,
            agency_id=people["school"].id,
        )
        db.session.add(row)
        db.session.flush()
        db.session.add(Review(evidence_id=row.id, decision="accepted", reviewed_by_id=lp.id))
        db.session.commit()
    f.sign_in(client, people["lead_professional"])
    page = client.get(f"/families/{family.id}").get_data(as_text=True)
    assert "Theme 6:" in page
    assert re.search(r"Theme 6:[^<]*" + ACHIEVED, page)


def test_a_review_posted_from_the_reviews_page_carries_its_own_csrf_token(app, database_url, people):
    """Each review form is prefixed (e12-...), its CSRF token too; CSRF protection must still accept it."""
    from portal import create_app

    with app.app_context():
        family, parent, _ = suffolk_case(people)
        evidence = add_evidence(family, parent, people["partner"])
    strict = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": True})
    client = strict.test_client()
    try:
        f.sign_in(client, people["lead_professional"], csrf=True)
        page = client.get(f"/families/{family.id}/reviews").get_data(as_text=True)
        prefix = f"e{evidence.id}"
        token = re.search(rf'name="{prefix}-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        without = client.post(f"/families/{family.id}/reviews/{evidence.id}", data={f"{prefix}-decision": "accepted"})
        assert without.status_code == 302 and count(app, Review) == 0  # kept and offered back (kept_forms)
        client.post(
            f"/families/{family.id}/reviews/{evidence.id}",
            data={f"{prefix}-decision": "accepted", f"{prefix}-csrf_token": token},
        )
        assert status_of(app, evidence.id) == "accepted"
    finally:
        with strict.app_context():
            db.engine.dispose()
