"""Reviewing that flows (issue 13, section 3): the engine's word on each item, straight on to
the next item after a decision, and a partner told plainly when evidence does not meet the outcome."""

import re

from portal.extensions import db
from portal.models import AuditEvent, LineDecision
from tests import factories as f
from tests.claims_helpers import demo, sign_in  # noqa: F401
from tests.test_claims import built_claim, draw
from tests.test_evidence import attendance
from tests.test_todo import TodoPage, durham_family, todo


def submit(client, fid, cid, terms=("91", "92", "90.6")):
    response = client.post(f"/families/{fid}/evidence/new", data=attendance(cid, terms))
    assert response.status_code == 302
    return response


def flashes(client):
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


def test_a_partner_whose_evidence_does_not_meet_the_outcome_is_told_so_not_shown_success(app, client, people):
    with app.app_context():
        family, child = durham_family(people)
        fid, cid = family.id, child.id
    f.sign_in(client, people["partner"])
    submit(client, fid, cid, ("87", "88", "87.5"))
    ((category, message),) = flashes(client)
    assert category != "success"
    assert message.startswith(
        "Evidence for outcome 2.1 submitted, but it does not meet outcome 2.1 yet: 3 terms averaging 87.5%"
    )
    page = client.get(f"/families/{fid}").get_data(as_text=True)
    assert "govuk-notification-banner--success" not in page and "does not meet outcome 2.1 yet" in page
    banner = page[page.index("govuk-notification-banner") : page.index("does not meet outcome 2.1 yet")]
    assert "Important" in banner and "Success" not in banner


def test_a_partner_whose_evidence_meets_the_outcome_sees_success(app, client, people):
    with app.app_context():
        family, child = durham_family(people)
        fid, cid = family.id, child.id
    f.sign_in(client, people["partner"])
    submit(client, fid, cid)
    assert flashes(client) == [("success", "Evidence for outcome 2.1 submitted")]


def test_the_review_queue_says_what_the_engine_finds_of_each_item(app, client, people):
    with app.app_context():
        family, child = durham_family(people)
        fid, cid = family.id, child.id
    f.sign_in(client, people["partner"])
    submit(client, fid, cid)
    submit(client, fid, cid, ("87", "88", "87.5"))
    f.sign_in(client, people["lead_professional"])
    for url in ("/families/reviews", f"/families/{fid}/reviews"):
        text = " ".join(re.sub(r"<[^>]+>", " ", client.get(url).get_data(as_text=True)).split())
        assert "Meets 2.1." in text, url
        assert "Does not meet 2.1: 3 terms averaging 87.5%; the plan needs above 90% (2.5 points short)" in text, url


def decide(client, link, decision="accepted", reason=""):
    evidence_id = link.rsplit("/", 1)[1]
    return client.post(link, data={f"e{evidence_id}-decision": decision, f"e{evidence_id}-reason": reason})


def test_after_a_decision_the_reviewer_goes_straight_to_the_next_item_across_families(app, client, people):
    with app.app_context():
        first, first_child = durham_family(people)
        second, second_child = durham_family(people)
        ids = (first.id, first_child.id, second.id, second_child.id)
    f.sign_in(client, people["partner"])
    submit(client, ids[0], ids[1])
    submit(client, ids[2], ids[3])
    submit(client, ids[0], ids[1], ("87", "88", "87.5"))
    f.sign_in(client, people["lead_professional"])
    queue = [i.links[0] for i in todo(client).of("review")]
    assert len(queue) == 3
    # The same family's next item first, then the oldest of the rest: never back to a list.
    response = decide(client, queue[0])
    same_family_next = next(link for link in queue[1:] if link.startswith(f"/families/{ids[0]}/"))
    assert response.headers["Location"] == same_family_next
    page = client.get(same_family_next).get_data(as_text=True)
    assert "This is the next evidence waiting for your review" in page
    assert "1 more submission is waiting for your review after this one" in page
    response = decide(client, same_family_next, "returned", "Check the dates")
    other = next(link for link in queue if link.startswith(f"/families/{ids[2]}/"))
    assert response.headers["Location"] == other
    response = decide(client, other)
    assert response.headers["Location"] == f"/families/{ids[2]}"
    assert "Nothing else is waiting for your review" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_next_item_is_never_another_leads_or_one_the_reviewer_submitted(app, client, people):
    with app.app_context():
        other_lead = f.make_user("lead_professional")
        own, own_child = durham_family(people)
        theirs, their_child = durham_family(people, lead=other_lead)
        ids = (own.id, own_child.id, theirs.id, their_child.id)
    f.sign_in(client, people["partner"])
    submit(client, ids[0], ids[1])
    submit(client, ids[2], ids[3])  # another lead's family
    f.sign_in(client, people["lead_professional"])
    submit(client, ids[0], ids[1])  # their own: a programme manager reviews it
    (item,) = todo(client).of("review")
    response = decide(client, item.links[0])
    assert response.headers["Location"] == f"/families/{ids[0]}"


def test_claim_work_reaches_the_programme_manager_the_verifier_and_the_lead(app, client, demo):
    claim_id = built_claim(app, client, demo)
    page = todo(client)  # the programme manager who built it: the sample is theirs to draw
    assert any(f"/claims/{claim_id}" in i.links for i in page.of("claims"))
    draw(app, client, claim_id)
    sign_in(client, demo["verifier"])
    lines = todo(client).of("lines")
    assert lines and all(re.fullmatch(rf"/claims/{claim_id}/lines/\d+/decision", i.links[0]) for i in lines)
    assert TodoPage(client.get("/families/").get_data(as_text=True)).nav_text("/to-do") == f"To do ({len(lines)})"
    line_url = lines[0].links[0]
    client.post(line_url, data={"decision": "queried", "note": "Which school sent the attendance?"})
    assert len(todo(client).of("lines")) == len(lines) - 1
    with app.app_context():
        query = db.session.scalar(db.select(LineDecision).filter_by(decision="queried"))
        family_id, lead_id = query.line.family_id, query.line.family.lead_professional_id
        lead = db.session.get(type(demo["lead"]), lead_id)
    sign_in(client, lead)
    (item,) = todo(client).of("queries")
    assert item.links == [f"/claims/families/{family_id}/queries/{query.id}"]
    assert client.get(item.links[0]).status_code == 200
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent).filter_by(action="todo.read")) >= 3
