"""E-mail notifications (issue 13, section 2): one outbox test per notification, delivery, digests, the outbox page.

The outbox is the `notification` table; in tests nothing leaves the machine
(NOTIFY_BACKEND=outbox). Each message must name the family by reference only:
the family's name, members, statements and reasons are case data, and never in it.
"""

import re

import sqlalchemy as sa

from portal.admin import users as admin_users
from portal.extensions import db
from portal.models import Family, Notification, User
from portal.notify import delivery
from portal.notify.digest import send_digests
from tests import factories as f
from tests import test_evidence
from tests.claims_helpers import demo, demo_window  # noqa: F401  (fixtures)
from tests.claims_helpers import sign_in as demo_sign_in
from tests.test_evidence import attendance, evidence_rows

durham = test_evidence.durham  # a Durham family ("Reed family", child "Sam Reed"), the school attached

CASE_DATA = ("Reed", "Sam", "Alex", "census", "Census", "attendance", "91", "Term 3")


def outbox(app, **filters) -> list[Notification]:
    with app.app_context():
        rows = db.session.scalars(sa.select(Notification).filter_by(**filters).order_by(Notification.id)).all()
        db.session.expunge_all()
        return rows


def assert_no_case_data(message: Notification):
    text = f"{message.subject}\n{message.body}"
    for word in CASE_DATA:
        assert not _says(word, text), (word, text)


def _says(word: str, text: str) -> bool:
    # As a word or figure of its own: "91%" is case data; the "91" inside a link's id (/families/2916) is not.
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


def test_the_case_data_check_sees_a_figure_but_not_the_same_digits_inside_an_id():
    assert _says("91", "Attendance was 91% in term 3") and _says("Sam", "Sam Reed attended")
    assert not _says("91", "http://127.0.0.1:5000/families/2916/reviews/8241")
    assert not _says("Sam", "Samuel's school")


def family_ref(app, family_id) -> str:
    with app.app_context():
        return db.session.get(Family, family_id).ref


def submit(client, durham, partner):
    f.sign_in(client, partner)
    response = client.post(f"{durham.url}/new", data=attendance(durham.child))
    assert response.status_code == 302
    return response


def test_evidence_submitted_e_mails_the_lead_professional_with_the_reference_and_a_review_link(
    app, client, people, durham
):
    response = submit(client, durham, people["partner"])
    evidence_id = evidence_rows(app)[-1].id
    [message] = outbox(app)
    assert (message.kind, message.user_id, message.email) == (
        "evidence-submitted",
        people["lead_professional"].id,
        people["lead_professional"].email,
    )
    ref = family_ref(app, durham.id)
    assert message.family_ref == ref and ref in message.subject and ref in message.body
    assert message.link == f"http://127.0.0.1:5000/families/{durham.id}/reviews/{evidence_id}"
    assert message.link in message.body
    assert_no_case_data(message)
    # Saved with the evidence; delivered only once the response has gone (call_on_close).
    assert message.status == "pending"
    response.close()
    assert outbox(app)[0].status == "sent" and outbox(app)[0].provider_ref == "outbox"


def test_a_correction_e_mails_the_lead_professional_too(app, client, people, durham):
    submit(client, durham, people["partner"])
    first = evidence_rows(app)[-1].id
    assert (
        client.post(
            f"{durham.url}/{first}/correct", data=attendance(durham.child, terms=("92", "92", "92"))
        ).status_code
        == 302
    )
    kinds = [(m.kind, m.user_id) for m in outbox(app)]
    assert kinds == [("evidence-submitted", people["lead_professional"].id)] * 2


def test_evidence_returned_e_mails_its_submitter_and_accepted_e_mails_nobody(app, client, people, durham):
    submit(client, durham, people["partner"])
    client.post("/sign-out")
    evidence_id = evidence_rows(app)[-1].id
    f.sign_in(client, people["lead_professional"])
    url = f"/families/{durham.id}/reviews/{evidence_id}"
    response = client.post(
        url,
        data={
            f"e{evidence_id}-decision": "returned",
            f"e{evidence_id}-reason": "Term 3 looks wrong: check the census.",
        },
    )
    assert response.status_code == 302
    returned = outbox(app, kind="evidence-returned")
    assert [(m.user_id, m.email) for m in returned] == [(people["partner"].id, people["partner"].email)]
    assert returned[0].link.endswith(f"/families/{durham.id}/evidence/{evidence_id}")
    assert_no_case_data(returned[0])  # not the reason typed by the reviewer


def test_a_rolled_back_change_sends_nothing(app, client, people, durham):
    submit(client, durham, people["partner"])
    client.post("/sign-out")
    evidence_id = evidence_rows(app)[-1].id
    f.sign_in(client, people["lead_professional"])
    data = {f"e{evidence_id}-decision": "returned", f"e{evidence_id}-reason": "Wrong term"}
    client.post(f"/families/{durham.id}/reviews/{evidence_id}", data=data)
    # The second review of the same version is refused (unique index, rolled back): no second e-mail.
    from portal.families import changes

    with app.test_request_context():
        from flask_login import login_user

        lead = db.session.get(User, people["lead_professional"].id)
        login_user(lead)
        family = db.session.get(Family, durham.id)
        from portal.models import Evidence

        assert changes.review_evidence(family, db.session.get(Evidence, evidence_id), "returned", "again") is None
        db.session.commit()
    assert len(outbox(app, kind="evidence-returned")) == 1


def test_a_handover_e_mails_the_new_lead_professional(app, client, people):
    with app.app_context():
        family = f.make_family(people["lead_professional"], name="Walsh family")
        other = f.make_user("lead_professional")
        family_id, other_id = family.id, other.id
    f.sign_in(client, people["lead_professional"])
    assert client.post(f"/families/{family_id}/hand-over", data={"lead": str(other_id)}).status_code == 302
    [message] = outbox(app)
    assert (message.kind, message.user_id) == ("family-handed-over", other_id)
    assert message.link.endswith(f"/families/{family_id}") and "Walsh" not in message.body


def test_an_admin_handing_over_families_e_mails_the_new_lead_professional_once_per_family(app, people):
    from portal import handover

    with app.app_context():
        lead, admin = people["lead_professional"], people["admin"]
        families = [f.make_family(lead, name=f"Family {n}") for n in range(2)]
        other = f.make_user("lead_professional")
    with app.test_request_context():
        handover.hand_over(
            [db.session.get(Family, fam.id) for fam in families],
            db.session.get(User, other.id),
            by=db.session.get(User, admin.id),
        )
    assert [(m.kind, m.user_id) for m in outbox(app)] == [("family-handed-over", other.id)] * 2


def test_an_account_created_and_a_password_reset_by_an_admin_e_mail_the_user(app, people):
    with app.test_request_context():
        user = admin_users.create_user(
            "Nia Jones", "nia@example.org", "partner", people["school"].id, "harbour granite kettle"
        )
        admin_users.reset_password(user, "another granite kettle")
        user_id = user.id
    created, reset = outbox(app)
    assert (created.kind, created.user_id, created.email) == ("account-created", user_id, "nia@example.org")
    assert reset.kind == "password-reset-by-admin" and reset.user_id == user_id
    for message in (created, reset):
        assert "kettle" not in message.body  # never a password
        assert message.link == "http://127.0.0.1:5000/sign-in"


def test_a_verifiers_query_e_mails_the_lead_professional(app, client, demo):
    from portal.models import ClaimLine
    from tests.test_claims import built_claim, claim, draw

    claim_id = built_claim(app, client, demo)
    draw(app, client, claim_id)
    with app.app_context():
        line = db.session.get(ClaimLine, claim(app, claim_id).sample.chosen[0])
        line_id, family_id, ref = line.id, line.family_id, line.family_ref
        lead_id = line.family.lead_professional_id
    before = len(outbox(app))
    demo_sign_in(client, demo["verifier"])
    client.post(
        f"/claims/{claim_id}/lines/{line_id}/decision",
        data={"decision": "queried", "note": "Which school sent the attendance?"},
    )
    [message] = outbox(app, kind="verifier-query")
    assert len(outbox(app)) == before + 1
    assert (message.user_id, message.family_ref) == (lead_id, ref)
    assert f"/claims/families/{family_id}/queries/" in message.link
    assert "Which school" not in message.body


def test_a_user_who_chose_the_digest_gets_one_e_mail_for_everything_waiting(app, client, people, durham):
    f.sign_in(client, people["lead_professional"])
    page = client.post("/account/e-mails", data={"how": "digest"})
    assert page.status_code == 302
    client.post("/sign-out")
    submit(client, durham, people["partner"])
    client.post(f"{durham.url}/new", data=attendance(durham.child, terms=("95", "95", "95")))
    held = outbox(app)
    assert [m.status for m in held] == ["held", "held"]
    result = app.test_cli_runner().invoke(args=["notify", "send-digests"], catch_exceptions=False)
    assert "1 digest sent" in result.output
    rows = outbox(app)
    [digest] = [m for m in rows if m.kind == "digest"]
    assert digest.user_id == people["lead_professional"].id and digest.status == "sent"
    assert {m.status for m in rows if m.kind != "digest"} == {"digested"}
    assert {m.digest_id for m in rows if m.kind != "digest"} == {digest.id}
    for m in rows:
        if m.kind != "digest":
            assert m.link in digest.body
    assert_no_case_data(digest)
    # A second run finds nothing more to send.
    assert send_digests(app) == []


def test_account_e_mails_never_wait_for_the_digest(app, people):
    with app.app_context():
        user = db.session.get(User, people["partner"].id)
        user.notify_digest = True
        db.session.commit()
    with app.test_request_context():
        admin_users.reset_password(db.session.get(User, people["partner"].id), "another granite kettle")
    assert [m.status for m in outbox(app)] == ["pending"]


def test_the_preference_form_refuses_a_made_up_choice(client, people):
    f.sign_in(client, people["partner"])
    page = client.post("/account/e-mails", data={"how": "hourly"})
    assert page.status_code == 200 and "Choose how you want e-mails about your work" in page.get_data(as_text=True)


class Broken:
    name = "broken"

    def send(self, message):
        raise ConnectionError("GOV.UK Notify is down")


def test_a_delivery_failure_never_breaks_the_request_and_the_sweep_sends_it_later(app, client, people, durham):
    import datetime as dt

    working = delivery.backend(app)
    app.extensions["portal_notify"] = Broken()
    try:
        response = submit(client, durham, people["partner"])
        response.close()  # the delivery after the response fails: the user saw a redirect all the same
        [message] = outbox(app)
        assert (message.status, message.attempts, message.error) == ("pending", 1, "ConnectionError")
    finally:
        app.extensions["portal_notify"] = working
    later = message.created_at + dt.timedelta(minutes=2)
    assert delivery.sweep(app, now=later) == [message.id]
    assert outbox(app)[0].status == "sent"
    assert delivery.deliver(app, message.id) == "skipped"  # never twice


def test_the_web_worker_hands_the_e_mail_to_the_jobs_worker_which_sends_it(app, client, people, durham):
    """A web worker never waits for GOV.UK Notify: after the response it only queues the saved rows' ids."""
    from portal.jobs.queue import queue_for
    from portal.notify.tasks import DELIVER

    huey = queue_for(app).huey
    huey.immediate = False  # a real queue, as in production: tasks wait for the worker
    huey.flush()
    try:
        response = submit(client, durham, people["partner"])
        response.close()
        [message] = outbox(app)
        assert (message.status, message.attempts) == ("pending", 0)  # not even tried by the web process
        task = huey.dequeue()
        assert (task.name, task.args) == (DELIVER, ([message.id],))
        assert huey.dequeue() is None  # one task for the request
        huey.execute(task)  # what the worker does with it
        assert outbox(app)[0].status == "sent"
        assert delivery.deliver(app, message.id) == "skipped"  # never twice (the sweep meeting it)
    finally:
        huey.flush()
        huey.immediate = True


def test_a_queue_that_cannot_be_reached_leaves_the_e_mail_for_the_sweep_and_the_request_unharmed(
    app, client, people, durham, monkeypatch
):
    import datetime as dt

    from portal.notify import tasks

    def unreachable(app, ids):
        raise ConnectionError("the queue is down")

    monkeypatch.setattr(tasks, "deliver_later", unreachable)
    response = submit(client, durham, people["partner"])
    response.close()
    [message] = outbox(app)
    assert (message.status, message.attempts) == ("pending", 0)
    assert delivery.sweep(app, now=message.created_at + dt.timedelta(minutes=2)) == [message.id]
    assert outbox(app)[0].status == "sent"


def test_a_password_reset_link_is_sent_by_the_web_process_and_never_queued(app, client, people):
    """The reset link is a secret: not in the table, and not in the queue either."""
    from portal.jobs.queue import queue_for

    huey = queue_for(app).huey
    huey.immediate = False
    huey.flush()
    try:
        page = client.get("/forgotten-password")
        assert page.status_code == 200
        response = client.post("/forgotten-password", data={"email": people["partner"].email})
        response.close()
        [message] = outbox(app, kind="password-reset-link")
        assert message.status == "sent" and "/reset-password?token=" in delivery.backend(app).sent_here[-1][2]
        assert huey.dequeue() is None
    finally:
        huey.flush()
        huey.immediate = True


def test_only_admins_read_the_outbox_and_it_says_what_was_sent(app, client, people, durham):
    submit(client, durham, people["partner"])
    client.post("/sign-out")
    for role in ("partner", "lead_professional", "verifier"):
        f.sign_in(client, people[role])
        assert client.get("/admin/outbox").status_code == 403
        client.post("/sign-out")
    f.sign_in(client, people["admin"])
    page = client.get("/admin/outbox").get_data(as_text=True)
    ref = family_ref(app, durham.id)
    assert f"Evidence for family {ref} is waiting for your review" in page
    assert people["lead_professional"].email in page
    assert "Reed" not in page and "Sam" not in page


def test_an_answered_query_e_mails_the_verifier_and_is_on_their_to_do_list(app, client, demo):
    """A queried line blocks approval until a verifier decides it again: the verifier who asked is
    told when it is answered, and the line is back on the to-do list (it had dropped off it)."""
    from portal.models import ClaimLine, LineDecision
    from tests.test_claims import built_claim, claim, draw

    claim_id = built_claim(app, client, demo)
    draw(app, client, claim_id)
    with app.app_context():
        line = db.session.get(ClaimLine, claim(app, claim_id).sample.chosen[0])
        line_id, family_id, ref = line.id, line.family_id, line.family_ref
        lead = db.session.get(type(demo["lead"]), line.family.lead_professional_id)
    demo_sign_in(client, demo["verifier"])
    client.post(f"/claims/{claim_id}/lines/{line_id}/decision", data={"decision": "queried", "note": "Which school?"})
    todo = client.get("/to-do").get_data(as_text=True)
    assert f"Claim {claim_id}, family {ref}: the lead professional has answered" not in todo
    with app.app_context():
        query_id = db.session.scalar(sa.select(LineDecision.id).filter_by(line_id=line_id, decision="queried"))
    demo_sign_in(client, lead)
    answered = client.post(f"/claims/families/{family_id}/queries/{query_id}", data={"answer": "Oakfield Academy"})
    assert answered.status_code == 302
    [message] = outbox(app, kind="query-answered")
    assert (message.user_id, message.family_ref) == (demo["verifier"].id, ref)
    assert message.link.endswith(f"/claims/{claim_id}/lines/{line_id}/decision")
    assert "Oakfield" not in message.body  # the answer is read in the portal, not in an e-mail
    demo_sign_in(client, demo["verifier"])
    todo = client.get("/to-do").get_data(as_text=True)
    assert (
        f"Claim {claim_id}, family {ref}: the lead professional has answered the query: decide the line again" in todo
    )
