"""Segregation of duties (issue 8, item 5): nobody reviews their own evidence, only the
submitting agency corrects it, and a version gets one decision even when two reviews race.

The figure "self-reviews accepted" comes from test_self_reviews_accepted_is_zero.
"""

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import AuditEvent, Review, User
from portal.models.types import utcnow
from tests import factories as f
from tests.test_families import add_evidence, suffolk_case

HOLD = "A programme manager must review this because you submitted it."


@pytest.fixture
def world(app, people):
    """A Suffolk family led by the lead professional (an Early Help worker) with the school attached;
    an Early Help partner attached too; a second programme manager."""
    with app.app_context():
        early_help = f.make_agency("Early Help Team", "early_help")
        lead = db.session.get(User, people["lead_professional"].id)
        lead.agency_id = early_help.id
        db.session.commit()
        family, parent, _child = suffolk_case(people)
        f.attach(family, early_help, lead)
        return {
            "family": family,
            "parent": parent,
            "lead": lead,
            "early_help": early_help,
            "eh_partner": f.make_user("partner", early_help),
            "pm": people["programme_manager"],
            "pm2": f.make_user("programme_manager"),
        }


def evidence(app, world, by, replaces=None, status=None, reviewer=None):
    with app.app_context():
        return add_evidence(
            world["family"],
            world["parent"],
            by,
            replaces=replaces,
            status=status,
            reviewer=reviewer,
            reason="x" if status == "returned" else "",
        )


def review_url(world, ev):
    return f"/families/{world['family'].id}/reviews/{ev.id}"


def accept(client, world, ev, decision="accepted"):
    return client.post(review_url(world, ev), data={f"e{ev.id}-decision": decision, f"e{ev.id}-reason": "why"})


def reviews_of(app, ev):
    with app.app_context():
        return db.session.scalars(sa.select(Review).filter_by(evidence_id=ev.id)).all()


def as_user(app, user):
    client = app.test_client()
    f.sign_in(client, user)
    return client


def self_reviews(app) -> int:
    """Accepted reviews by someone who submitted or corrected that version or an earlier one."""
    with app.app_context():
        count = 0
        for review in db.session.scalars(sa.select(Review).filter_by(decision="accepted")):
            if review.reviewed_by_id in {v.submitted_by_id for v in review.evidence.history}:
                count += 1
        return count


# ---------------------------------------------------------------- the lead professional's own evidence


def test_the_lead_professional_cannot_accept_evidence_they_submitted_and_the_page_says_why(app, world):
    lead = as_user(app, world["lead"])
    ev = evidence(app, world, world["lead"])
    family_page = lead.get(f"/families/{world['family'].id}").get_data(as_text=True)
    assert HOLD in family_page
    assert f'href="{review_url(world, ev)}"' not in family_page  # no Review link for their own
    response = accept(lead, world, ev)
    assert response.status_code == 302
    assert HOLD in lead.get(response.headers["Location"]).get_data(as_text=True)
    assert reviews_of(app, ev) == []
    reviews_page = lead.get(f"/families/{world['family'].id}/reviews").get_data(as_text=True)
    assert "No evidence is waiting for your review" in reviews_page and f"submission {ev.id}" in reviews_page
    with app.app_context():
        refused = db.session.scalars(sa.select(AuditEvent).filter_by(action="evidence.review-refused")).all()
    assert [(e.user_id, e.detail) for e in refused] == [(world["lead"].id, f"evidence {ev.id} v1")]


def test_a_programme_manager_finds_the_lead_professionals_evidence_and_reviews_it(app, world):
    ev = evidence(app, world, world["lead"])
    pm = as_user(app, world["pm"])
    home = pm.get("/families/").get_data(as_text=True)
    assert 'href="/families/reviews"' in home  # in the service navigation
    queue = pm.get("/families/reviews").get_data(as_text=True)
    assert world["family"].ref in queue and f'href="{review_url(world, ev)}"' in queue
    family_page = pm.get(f"/families/{world['family'].id}").get_data(as_text=True)
    assert f'href="{review_url(world, ev)}"' in family_page
    form = pm.get(review_url(world, ev)).get_data(as_text=True)
    assert "so a programme manager reviews it" in form
    assert accept(pm, world, ev).status_code == 302
    [review] = reviews_of(app, ev)
    assert (review.decision, review.reviewed_by_id) == ("accepted", world["pm"].id)
    assert "No evidence is waiting for your review" in pm.get("/families/reviews").get_data(as_text=True)


def test_a_programme_manager_does_not_review_partners_evidence(app, world, people):
    ev = evidence(app, world, people["partner"])
    pm = as_user(app, world["pm"])
    assert world["family"].ref not in pm.get("/families/reviews").get_data(as_text=True)
    response = accept(pm, world, ev)
    assert response.status_code == 302
    assert "lead professional reviews this evidence, not a programme manager" in pm.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    assert reviews_of(app, ev) == []
    lead = as_user(app, world["lead"])
    assert world["family"].ref in lead.get("/families/reviews").get_data(as_text=True)
    assert accept(lead, world, ev).status_code == 302 and len(reviews_of(app, ev)) == 1


def test_a_partner_of_the_same_agency_correcting_the_leads_evidence_does_not_let_the_lead_review_it(app, world):
    # The lead (Early Help) submits; an Early Help partner corrects it: the lead wrote version 1.
    v1 = evidence(app, world, world["lead"], status="returned", reviewer=world["pm"])
    eh = as_user(app, world["eh_partner"])
    assert eh.get(f"/families/{world['family'].id}/evidence/{v1.id}/correct").status_code == 200
    v2 = evidence(app, world, world["eh_partner"], replaces=v1)
    lead = as_user(app, world["lead"])
    assert accept(lead, world, v2).status_code == 302 and reviews_of(app, v2) == []
    assert accept(as_user(app, world["pm"]), world, v2).status_code == 302
    assert [r.reviewed_by_id for r in reviews_of(app, v2)] == [world["pm"].id]


def test_a_lead_professional_reviews_a_partners_correction_of_evidence_they_returned(app, world, people):
    v1 = evidence(app, world, people["partner"], status="returned", reviewer=world["lead"])
    v2 = evidence(app, world, people["partner"], replaces=v1)
    assert accept(as_user(app, world["lead"]), world, v2).status_code == 302
    assert [r.reviewed_by_id for r in reviews_of(app, v2)] == [world["lead"].id]


def test_someone_who_submitted_evidence_and_then_became_a_programme_manager_cannot_review_it(app, world):
    ev = evidence(app, world, world["pm2"])  # submitted while they held another role
    pm2 = as_user(app, world["pm2"])
    assert accept(pm2, world, ev).status_code == 302 and reviews_of(app, ev) == []
    assert world["family"].ref not in pm2.get("/families/reviews").get_data(as_text=True)


def test_the_family_list_counts_only_what_the_lead_professional_may_review(app, world, people):
    evidence(app, world, world["lead"])
    evidence(app, world, people["partner"])
    page = as_user(app, world["lead"]).get("/families/").get_data(as_text=True)
    assert "1 to review" in page


# ---------------------------------------------------------------- corrections


def test_the_lead_professional_corrects_evidence_they_submitted_but_no_partners(app, world, people):
    own = evidence(app, world, world["lead"])
    partners = evidence(app, world, people["partner"])
    lead = as_user(app, world["lead"])
    base = f"/families/{world['family'].id}/evidence"
    assert lead.get(f"{base}/{own.id}/correct").status_code == 200
    own_page = lead.get(f"{base}/{own.id}").get_data(as_text=True)
    assert "Correct this evidence" in own_page and HOLD in own_page
    assert HOLD not in lead.get(f"{base}/{partners.id}").get_data(as_text=True)
    refused = lead.get(f"{base}/{partners.id}/correct")
    assert refused.status_code == 302
    assert "Only Hillside Primary School can correct this evidence" in lead.get(refused.headers["Location"]).get_data(
        as_text=True
    )


def test_a_partner_of_another_agency_attached_to_the_family_cannot_correct_the_schools_evidence(app, world, people):
    ev = evidence(app, world, people["partner"])
    eh = as_user(app, world["eh_partner"])
    assert eh.get(f"/families/{world['family'].id}/evidence/{ev.id}/correct").status_code == 404
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).filter_by(user_id=world["eh_partner"].id)).all()
    assert "evidence.access-refused" in actions and "evidence.form" not in actions


# ---------------------------------------------------------------- the figure


def test_self_reviews_accepted_is_zero(app, world, people):
    """Every way to review one's own work, tried; then count accepted self-reviews in the database."""
    lead, pm2 = world["lead"], world["pm2"]
    own = evidence(app, world, lead)
    corrected_by_partner = evidence(
        app, world, world["eh_partner"], replaces=evidence(app, world, lead, status="returned", reviewer=world["pm"])
    )
    own_as_pm = evidence(app, world, pm2)
    attempts = [(lead, own), (lead, corrected_by_partner), (pm2, own_as_pm)]
    for user, ev in attempts:
        client = as_user(app, user)
        client.get(review_url(world, ev))
        accept(client, world, ev)
        client.post(f"/families/{world['family'].id}/reviews/{ev.id}", data={"decision": "accepted"})
    figure = self_reviews(app)
    print(f"\nself-reviews accepted: {figure} (of {len(attempts) * 2} attempts)")
    assert figure == 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 1  # the pm's return only


# ---------------------------------------------------------------- one decision per version


def test_the_database_refuses_a_second_decision_on_one_version(app, world, people):
    ev = evidence(app, world, people["partner"], status="accepted", reviewer=world["lead"])
    with app.app_context():
        db.session.add(Review(evidence_id=ev.id, decision="returned", reason="x", reviewed_by_id=world["pm"].id))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()


def _release_at_once(app, posts):
    """(client, url, data) posted at the same moment from their own threads; the responses."""
    barrier = threading.Barrier(len(posts))
    responses = [None] * len(posts)

    def post(i, client, url, data):
        barrier.wait()
        responses[i] = client.post(url, data=data)

    threads = [threading.Thread(target=post, args=(i, *p)) for i, p in enumerate(posts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return responses


@pytest.mark.parametrize("reviewers", ["lead professional in several tabs", "two programme managers"])
def test_reviews_released_at_once_store_one_decision_and_the_others_are_told(app, world, people, reviewers):
    if reviewers == "two programme managers":
        ev, users = evidence(app, world, world["lead"]), [world["pm"], world["pm2"]] * 3
    else:
        ev, users = evidence(app, world, people["partner"]), [world["lead"]] * 6
    clients = [as_user(app, user) for user in users]
    decisions = ["accepted", "returned"] * 3
    posts = [
        (c, review_url(world, ev), {f"e{ev.id}-decision": d, f"e{ev.id}-reason": f"Reason {i}"})
        for i, (c, d) in enumerate(zip(clients, decisions, strict=True))
    ]
    responses = _release_at_once(app, posts)
    assert [r.status_code for r in responses] == [302] * len(posts)  # never a 500
    [review] = reviews_of(app, ev)
    messages = [c.get(r.headers["Location"]).get_data(as_text=True) for c, r in zip(clients, responses, strict=True)]
    saved = [m for m in messages if f"Evidence for outcome 6.2 {review.decision}" in m]
    told = [m for m in messages if f"was already {review.decision}" in m]
    assert len(saved) == 1 and len(told) == len(posts) - 1
    print(f"\n{sum('at the same moment' in m for m in told)} of {len(told)} lost the race at the unique index")


def test_a_decision_saved_between_the_check_and_the_save_is_kept_and_the_second_reviewer_told(app, world, people):
    """The race, made certain: another reviewer's decision lands just before this one is flushed."""
    ev = evidence(app, world, people["partner"])
    lead = as_user(app, world["lead"])

    def other_reviewer_first(session, _context, _instances):
        if any(isinstance(row, Review) for row in session.new) and not reviews_of(app, ev):
            with db.engine.begin() as conn:
                conn.execute(
                    sa.insert(Review).values(
                        evidence_id=ev.id,
                        decision="returned",
                        reason="first",
                        reviewed_by_id=world["lead"].id,
                        reviewed_at=utcnow(),
                    )
                )

    sa.event.listen(Session, "before_flush", other_reviewer_first)
    try:
        response = accept(lead, world, ev)
    finally:
        sa.event.remove(Session, "before_flush", other_reviewer_first)
    assert response.status_code == 302
    assert [(r.decision, r.reason) for r in reviews_of(app, ev)] == [("returned", "first")]
    page = lead.get(response.headers["Location"]).get_data(as_text=True)
    assert "Someone else reviewed this evidence at the same moment" in page and "was already returned" in page
