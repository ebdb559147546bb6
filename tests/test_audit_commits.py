"""Every read is audited, in one commit per request at most; live checks on a form are counted (issue 12, section 3).

And a web request costs the same whatever the family's history: the family page, a live
check and a submission run the same number of queries for a family with 5 evidence items
as for one with 300.
"""

import datetime as dt
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from portal.audit import live
from portal.extensions import db
from portal.models import AuditEvent, Evidence, Family, Notification, Review, User
from tests import factories as f
from tests.test_evidence import attendance

VALUES = {
    "baseline_attendance": 84,
    "attendance": [91, 92, 90.6],
    "fixed_term_exclusions": 0,
    "permanent_exclusions": 0,
    "on_roll": True,
}


def durham_family(people, evidence=0):
    lp, partner = people["lead_professional"], people["partner"]
    family = f.make_family(lp, plan_id="durham-2018", name="Reed family", engaged_on=dt.date(2017, 12, 4))
    f.add_member(family, lp, role="parent", born=dt.date(1985, 4, 12), name="Alex Reed", activity="")
    child = f.add_member(family, lp, role="child", born=dt.date(2008, 3, 1), name="Sam Reed")
    f.add_problem(family, lp, "2", "4", member=child, identified_on=dt.date(2017, 11, 20))
    f.add_problem(family, lp, "3", "5", identified_on=dt.date(2017, 11, 20))
    f.attach(family, people["school"], lp)
    rows = [
        Evidence(
            family_id=family.id,
            outcome_id="2.1",
            member_ids=[child.id],
            source="School Census",
            period_start=dt.date(2018, 1, 8),
            period_end=dt.date(2018, 12, 19),
            values=VALUES,
            statement=f"Seeded {i}.",
            submitted_by_id=partner.id,
            agency_id=partner.agency_id,
        )
        for i in range(evidence)
    ]
    db.session.add_all(rows)
    db.session.flush()
    # A third accepted, a third returned, a third awaiting review.
    db.session.add_all(
        [
            Review(
                evidence_id=row.id,
                decision="accepted" if i % 3 == 0 else "returned",
                reason="" if i % 3 == 0 else "Seeded.",
                reviewed_by_id=lp.id,
            )
            for i, row in enumerate(rows)
            if i % 3 != 2
        ]
    )
    db.session.commit()
    return SimpleNamespace(id=family.id, ref=family.ref, child=child.id, url=f"/families/{family.id}")


@contextmanager
def counted(app):
    """Queries and commits the database is sent meanwhile."""
    seen = SimpleNamespace(queries=0, commits=0, statements=[])
    with app.app_context():
        engine = db.engine

    def on_query(_conn, _cursor, statement, *_):
        seen.queries += 1
        seen.statements.append(statement)

    def on_commit(*_):
        seen.commits += 1

    sa.event.listen(engine, "before_cursor_execute", on_query)
    sa.event.listen(engine, "commit", on_commit)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", on_query)
        sa.event.remove(engine, "commit", on_commit)


def audit(app, action=None):
    with app.app_context():
        query = sa.select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.filter_by(action=action)
        return db.session.scalars(query).all()


@pytest.fixture
def signed_in(app, people):
    lead, partner = app.test_client(), app.test_client()
    f.sign_in(lead, people["lead_professional"])
    f.sign_in(partner, people["partner"])
    return SimpleNamespace(lead=lead, partner=partner)


# -------------------------------------------------------------- one commit per request


def test_a_submission_commits_once_with_its_read_and_its_change(app, people, signed_in):
    with app.app_context():
        family = durham_family(people, evidence=5)
    before = len(audit(app))
    with counted(app) as seen:
        response = signed_in.partner.post(f"{family.url}/evidence/new", data=attendance(family.child))
    assert response.status_code == 302
    assert seen.commits == 1
    added = audit(app)[before:]
    # The read first, then the change: written together, by one INSERT (portal/audit, `record`).
    assert [(e.action, e.family_id) for e in added] == [("evidence.form", family.id), ("evidence.submit", family.id)]
    assert added[0].request_id == added[1].request_id != ""
    inserts = [s for s in seen.statements if s.startswith("INSERT INTO audit_event")]
    with app.app_context():  # SQLAlchemy batches rows with RETURNING into one statement on PostgreSQL only
        assert len(inserts) == (1 if db.engine.dialect.name == "postgresql" else 2)


def test_a_partners_submission_reads_the_lead_professional_with_the_family(app, people, signed_in):
    """The lead professional is told of the submission; they come with the family, not by a statement
    of their own (a round trip each on PostgreSQL)."""
    with app.app_context():
        family = durham_family(people, evidence=5)
        engine = db.engine
    statements = []

    def note(_connection, _cursor, statement, *_):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        response = signed_in.partner.post(f"{family.url}/evidence/new", data=attendance(family.child))
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
    assert response.status_code == 302
    from_users = [s for s in statements if s.lstrip().startswith("SELECT user_account.")]
    assert from_users == [], from_users
    with app.app_context():
        assert db.session.scalars(sa.select(Notification.user_id)).all()[-1] == people["lead_professional"].id


def test_a_read_added_with_a_change_that_is_rolled_back_is_still_saved_by_the_next_commit(app, people):
    """`record` adds the request's read with the change it records (one INSERT); a rollback takes
    both away, and the read must still be saved by whatever the request commits next."""
    from portal import audit as audit_log

    with app.app_context():
        family = durham_family(people, evidence=1)
    before = len(audit(app))
    with app.test_request_context(family.url):
        fam, user = db.session.get(Family, family.id), db.session.get(User, people["partner"].id)
        audit_log.expect_read("evidence.form", fam, f"GET {family.url}")
        audit_log.record("evidence.submit", fam, "evidence 999 v1", user=user)
        db.session.rollback()  # the change failed: its row and the read's go
        audit_log.record("evidence.submit-refused", fam, "the same as evidence 1", user=user)
        db.session.commit()
        audit_log.finish_read()  # nothing left to save
    added = [(e.action, e.family_id) for e in audit(app)[before:]]
    assert added == [("evidence.form", family.id), ("evidence.submit-refused", family.id)]


def test_a_read_added_with_a_change_the_view_did_not_commit_is_committed_after_it(app, people):
    from portal import audit as audit_log

    with app.app_context():
        family = durham_family(people, evidence=1)
    before = len(audit(app))
    with app.test_request_context(family.url):
        fam = db.session.get(Family, family.id)
        audit_log.expect_read("family.read", fam, f"GET {family.url}")
        audit_log.record(
            "family.read",
            fam,
            "a second row, left uncommitted",
            user=db.session.get(User, people["lead_professional"].id),
        )
        audit_log.finish_read()
    assert [e.detail for e in audit(app)[before:]] == [f"GET {family.url}", "a second row, left uncommitted"]


def test_a_read_of_the_family_page_commits_once_and_is_audited(app, people, signed_in):
    with app.app_context():
        family = durham_family(people, evidence=5)
    with counted(app) as seen:
        assert signed_in.lead.get(family.url).status_code == 200
    assert seen.commits == 1
    assert [e.action for e in audit(app, "family.read")] == ["family.read"]


def test_a_review_commits_once_and_saves_the_stored_verdict_with_it(app, people, signed_in):
    with app.app_context():
        family = durham_family(people, evidence=3)
        waiting = db.session.scalar(sa.select(Evidence.id).where(~Evidence.id.in_(sa.select(Review.evidence_id))))
    with counted(app) as seen:
        response = signed_in.lead.post(f"{family.url}/reviews/{waiting}", data={f"e{waiting}-decision": "accepted"})
    assert response.status_code == 302
    assert seen.commits == 1
    # The read (first) and the decision, in the one commit.
    read, accepted = audit(app)[-2:]
    assert (read.action, accepted.action) == ("evidence.review.form", "evidence.accept")
    assert read.family_id == accepted.family_id == family.id


def test_a_refused_read_is_audited_as_a_refusal_only(app, people, signed_in):
    with app.app_context():
        family = durham_family(people)
        stranger = f.make_user("partner", people["police"])
    client = app.test_client()
    f.sign_in(client, stranger)
    before = len(audit(app))
    with counted(app) as seen:
        assert client.get(family.url).status_code == 404
    assert seen.commits == 1
    assert [e.action for e in audit(app)[before:]] == ["family.access-refused"]


# -------------------------------------------------------------- live checks


def test_live_checks_on_one_form_are_one_committed_read_then_one_row_that_counts_them(app, people, signed_in):
    with app.app_context():
        family = durham_family(people)
    url, data, htmx = f"{family.url}/evidence/check", attendance(family.child), {"HX-Request": "true"}
    with counted(app) as seen:
        for _ in range(5):
            assert signed_in.partner.post(url, data=data, headers=htmx).status_code == 200
    assert seen.commits == 1  # the first check's read, at once; the other four are counted
    checks = audit(app, "evidence.check")
    assert [(e.family_id, e.detail) for e in checks] == [(family.id, f"POST /families/{family.id}/evidence/check")]
    # The count rides with the next commit the worker makes: here, the submission of that form.
    with counted(app) as seen:
        assert signed_in.partner.post(f"{family.url}/evidence/new", data=attendance(family.child)).status_code == 302
    assert seen.commits == 1
    checks = audit(app, "evidence.check")
    assert [e.detail for e in checks][1:] == [f"POST /families/{family.id}/evidence/check live checks 4"]
    assert checks[1].user_id == people["partner"].id and checks[1].user_role == "partner"


def test_counted_checks_are_saved_when_the_worker_stops(app, people, signed_in):
    with app.app_context():
        family = durham_family(people)
    for _ in range(3):
        signed_in.partner.post(
            f"{family.url}/evidence/check", data=attendance(family.child), headers={"HX-Request": "true"}
        )
    with app.app_context():
        live.save_counts()  # what the worker's exit does
    assert [e.detail.rsplit(" ", 1)[-1] for e in audit(app, "evidence.check")] == [
        f"/families/{family.id}/evidence/check",
        "2",
    ]


def test_checks_on_two_families_are_counted_apart(app, people, signed_in):
    with app.app_context():
        one, two = durham_family(people), durham_family(people)
    for family in (one, two, one, two, one):
        signed_in.partner.post(
            f"{family.url}/evidence/check", data=attendance(family.child), headers={"HX-Request": "true"}
        )
    with app.app_context():
        live.save_counts()
    details = sorted((e.family_id, e.detail.rsplit(" ", 1)[-1]) for e in audit(app, "evidence.check"))
    assert details == sorted(
        [
            (one.id, f"/families/{one.id}/evidence/check"),
            (one.id, "2"),
            (two.id, f"/families/{two.id}/evidence/check"),
            (two.id, "1"),
        ]
    )


# -------------------------------------------------------------- the same cost whatever the history


@pytest.mark.parametrize("path", ["family page", "live check", "submission", "family list", "evidence list"])
def test_a_request_runs_as_many_queries_for_300_evidence_items_as_for_5(app, people, signed_in, path):
    with app.app_context():
        small, large = durham_family(people, evidence=5), durham_family(people, evidence=300)

    sent = []

    def request(family):
        if path == "family page":
            return signed_in.lead.get(family.url)
        if path == "live check":
            live.forget()  # each measured check is a form's first: committed like any read
            return signed_in.partner.post(
                f"{family.url}/evidence/check", data=attendance(family.child), headers={"HX-Request": "true"}
            )
        if path == "submission":  # a new statement each time: the same evidence twice is refused, not saved
            sent.append(family.id)
            posted = attendance(family.child, statement=f"School census, sending {len(sent)}.")
            return signed_in.partner.post(f"{family.url}/evidence/new", data=posted)
        if path == "evidence list":
            return signed_in.lead.get(f"{family.url}/submissions")
        return signed_in.lead.get(f"/families/?q={family.ref}")

    queries = {}
    for family in (small, large, small, large):  # the second of each: plans and sessions warm
        with counted(app) as seen:
            assert request(family).status_code in (200, 302)
        queries[family.id] = (seen.queries, seen.commits)
    assert queries[small.id] == queries[large.id]
    assert queries[small.id][1] <= 1
    if path == "submission":
        with app.app_context():
            saved = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Evidence)
                .where(Evidence.statement.like("School census, sending %"))
            )
        assert saved == 4  # each measured request saved its evidence


def test_the_checks_case_read_as_plain_rows_is_the_case_the_engine_is_given(app, people):
    """casefile.check_case_data must equal case_data without evidence: withdrawn members and problems,
    a problem about a withdrawn member, a plan outcome removed and chosen again, a closure reopened."""
    from portal import casefile
    from portal.models import CaseClosure, Family, FamilyPlanOutcome, IdentifiedProblem, Member
    from portal.models.types import utcnow

    with app.app_context():
        lp = people["lead_professional"]
        family = durham_family(people)
        gone = f.add_member(db.session.get(Family, family.id), lp, role="child", born=dt.date(2009, 1, 1), name="Gone")
        f.add_problem(db.session.get(Family, family.id), lp, "1", "1", member=gone)
        f.add_essentials(db.session.get(Family, family.id), lp, "family_plan", "lead_professional", "family_plan")
        db.session.get(Member, gone.id).withdrawn_at = utcnow()
        db.session.scalars(
            sa.select(IdentifiedProblem).filter_by(family_id=family.id, problem_id="3")
        ).one().withdrawn_at = utcnow()
        db.session.add_all(
            [
                FamilyPlanOutcome(family_id=family.id, outcome_id="2.1", version=1, recorded_by_id=lp.id),
                FamilyPlanOutcome(family_id=family.id, outcome_id="3.4", version=1, recorded_by_id=lp.id),
                FamilyPlanOutcome(family_id=family.id, outcome_id="2.1", version=2, removed=True, recorded_by_id=lp.id),
                FamilyPlanOutcome(family_id=family.id, outcome_id="2.1", version=3, recorded_by_id=lp.id),
                CaseClosure(family_id=family.id, closed_on=dt.date(2019, 1, 31), recorded_by_id=lp.id),
            ]
        )
        db.session.commit()
        for _round in ("closed", "closed then reopened"):
            db.session.expire_all()
            loaded = db.session.get(Family, family.id)
            assert casefile.check_case_data(loaded) == casefile.case_data(loaded, evidence_rows=())
            db.session.add(
                CaseClosure(family_id=family.id, closed_on=None, reopened=True, reason="Again", recorded_by_id=lp.id)
            )
            db.session.commit()
        assert casefile.check_case_data(loaded)["plan_outcomes"] == ["3.4", "2.1"]


def _cards(page):
    return page.count('class="govuk-summary-card"')


@pytest.mark.parametrize("who", ["lead", "partner"])
def test_the_family_page_lists_the_latest_5_items_in_as_many_queries_for_300_as_for_5(app, people, signed_in, who):
    """The family page used to list every submission with its earlier versions: 111 ms for 300 items
    against 24 ms for 5 (docs/performance.md). It lists the latest 5 and links to the rest, so a
    family with 300 items shows as many cards as one with 5, and costs the same."""
    with app.app_context():
        small, large = durham_family(people, evidence=5), durham_family(people, evidence=300)
    client = getattr(signed_in, who)
    seen = {}
    for family in (small, large, small, large):
        with counted(app) as counts:
            response = client.get(family.url)
        assert response.status_code == 200
        seen[family.id] = (counts.queries, response.get_data(as_text=True))
    (small_queries, small_page), (large_queries, large_page) = seen[small.id], seen[large.id]
    assert small_queries == large_queries
    assert _cards(small_page) == 5 and "See all" not in small_page
    assert _cards(large_page) == 5
    newest_first = "Seeded 299." in large_page and "Seeded 295." in large_page and "Seeded 294." not in large_page
    assert newest_first
    assert f'href="/families/{large.id}/submissions">See all 300 submissions' in large_page
    if who == "lead":  # the counts by the database: every third item awaits review
        assert "100 submissions are waiting for you" in large_page
        assert "1 submission is waiting for you" in small_page


def test_the_evidence_list_pages_through_every_item_newest_first(app, people, signed_in):
    with app.app_context():
        family = durham_family(people, evidence=120)
        ids = db.session.scalars(db.select(Evidence.id).filter_by(family_id=family.id).order_by(Evidence.id)).all()
    pages = [signed_in.lead.get(f"{family.url}/submissions?page={n}").get_data(as_text=True) for n in (1, 3, 4)]
    rows = [page.count('data-label="Submission"') for page in pages]
    assert rows == [50, 20, 0]
    assert f"Submission {ids[119]}<" in pages[0] and f"Submission {ids[69]}<" not in pages[0]
    assert f"Submission {ids[70]}<" in pages[0] and f"Submission {ids[0]}<" in pages[1]
    assert "There is no page 4" in pages[2]


def test_the_counts_of_evidence_awaiting_review_follow_the_segregation_of_duties(app, people, signed_in):
    """The lead professional's own submissions, and corrections of them, wait for a programme manager."""
    from portal.evidence import duties
    from portal.families import page
    from portal.models import Family, User
    from portal.todo import lists

    with app.app_context():
        family = durham_family(people, evidence=9)  # items 2, 5 and 8 await review
        lp, partner = people["lead_professional"], people["partner"]
        rows = db.session.scalars(db.select(Evidence).filter_by(family_id=family.id).order_by(Evidence.id)).all()

        def version(statement, by, **more):
            """Durham 2.1 attendance for the family's child, as `by` submitted it."""
            row = Evidence(
                family_id=family.id,
                outcome_id="2.1",
                member_ids=[family.child],
                source="School Census",
                period_start=dt.date(2018, 1, 8),
                period_end=dt.date(2018, 12, 19),
                values=VALUES,
                statement=statement,
                submitted_by_id=by.id,
                **more,
            )
            db.session.add(row)
            db.session.flush()
            return row

        mine = version("The lead's own.", lp)
        db.session.add(
            Review(
                evidence_id=mine.id, decision="returned", reason="Dates.", reviewed_by_id=people["programme_manager"].id
            )
        )
        by_partner = {"agency_id": partner.agency_id, "version": 2}
        version("Corrected by the partner.", partner, replaces_id=mine.id, **by_partner)
        version("Corrected by the partner.", partner, replaces_id=rows[1].id, **by_partner)
        # An item the lead professional submitted and a programme manager corrected (not possible
        # through the forms, but the rule says the programme manager may not review it then).
        pm = people["programme_manager"]
        theirs = version("The lead's, corrected by a programme manager.", lp)
        version("Corrected.", pm, replaces_id=theirs.id, version=2)
        db.session.commit()
        fam = db.session.get(Family, family.id)
        for user in (db.session.get(User, lp.id), db.session.get(User, people["programme_manager"].id)):
            old = page.evidence_lines(fam, user)  # every version, as ORM rows: the rule as duties states it
            counts = page.awaiting_counts(fam, user)
            assert counts.for_user == len([line for line in old if line.reviewable])
            if user.role == duties.LP:
                assert counts.for_user == 4  # 2, 5, 8 and the partner's correction of item 1
                assert (
                    counts.for_programme_manager == len([line for line in old if line.awaiting_programme_manager]) == 2
                )
            else:
                assert counts.for_user == 1
            # The navigation's to-do count is counted by the database the same way, across families.
            assert lists.count_for(user) == sum(len(s.items) for s in lists.sections_for(user) if s.counted)
            lines = page.latest_lines(fam, user, limit=100)
            assert [(line.latest.id, line.reviewable, line.reviewer) for line in lines] == [
                (line.latest.id, line.reviewable, line.reviewer) for line in old
            ]
        partner_user = db.session.get(User, partner.id)
        assert lists.count_for(partner_user) == 2  # items 4 and 7: item 1's correction waits for review
        assert lists.count_for(partner_user) == sum(len(s.items) for s in lists.sections_for(partner_user) if s.counted)


@contextmanager
def statements_built():
    """The subqueries, CTEs and UNIONs SQLAlchemy is asked to build meanwhile, by kind."""
    from sqlalchemy.sql import selectable

    built: list[str] = []
    originals = {cls: cls.__dict__["_construct"] for cls in (selectable.AliasedReturnsRows,)}
    compound_init = selectable.CompoundSelect.__init__

    def construct(cls, *args, **kwargs):
        built.append(cls.__name__)
        return originals[selectable.AliasedReturnsRows].__func__(cls, *args, **kwargs)

    def compound(self, *args, **kwargs):
        built.append("CompoundSelect")
        compound_init(self, *args, **kwargs)

    selectable.AliasedReturnsRows._construct = classmethod(construct)
    selectable.CompoundSelect.__init__ = compound
    try:
        yield built
    finally:
        selectable.AliasedReturnsRows._construct = originals[selectable.AliasedReturnsRows]
        selectable.CompoundSelect.__init__ = compound_init


@pytest.mark.parametrize("path", ["lead's family page", "partner's family page", "live check", "submission"])
def test_a_warm_request_builds_no_subquery_cte_or_union(app, people, signed_in, path):
    """Queries on hot paths are built once per process (docs/developing.md, "Queries on hot
    paths"): building a recursive CTE or a UNION costs more than the database takes to run it, and
    the family page once spent a third of its time building the same few statements again."""
    with app.app_context():
        family = durham_family(people, evidence=5)
    sent = []

    def request():
        if path == "lead's family page":
            return signed_in.lead.get(family.url)
        if path == "partner's family page":
            return signed_in.partner.get(family.url)
        if path == "live check":
            live.forget()
            return signed_in.partner.post(
                f"{family.url}/evidence/check", data=attendance(family.child), headers={"HX-Request": "true"}
            )
        sent.append(1)
        return signed_in.partner.post(
            f"{family.url}/evidence/new", data=attendance(family.child, statement=f"Sent {len(sent)}.")
        )

    assert request().status_code in (200, 302)  # warm: plans, templates, the statements themselves
    with statements_built() as built:
        assert request().status_code in (200, 302)
    assert built == []


def test_a_warm_request_loads_the_signed_in_session_with_a_statement_built_once(app, people, signed_in, monkeypatch):
    # Loading the session, its user and agency runs on every signed-in request: building its
    # statement (two joined loads) each time cost about a quarter of the query.
    from portal.auth import sessions

    assert signed_in.lead.get("/cookies").status_code == 200  # warm
    built = []
    original = sessions.joinedload
    monkeypatch.setattr(sessions, "joinedload", lambda *a, **k: built.append(a) or original(*a, **k))
    assert signed_in.lead.get("/cookies").status_code == 200
    assert signed_in.partner.get("/cookies").status_code == 200
    assert built == []


# An account's secrets and sign-in history: read by the pages that use them, not by every request.
SECRET_COLUMNS = (
    "password_hash",
    "totp_secret",
    "totp_last_step",
    "failed_sign_ins",
    "locked_at",
    "locked_until",
    "lock_count",
)


@pytest.mark.parametrize(
    "path", ["lead's family page", "partner's family page", "live check", "submission", "signed-in static page"]
)
def test_a_request_reads_no_password_hash_or_authenticator_secret(app, people, signed_in, path):
    """The signed-in user (sessions._signed_in_query) and a family's lead professional
    (access._family_options) come without the columns that would let someone sign in as them, or
    tell of their sign-ins: those are not read on every request. Listed here, not taken from
    models.ACCOUNT_SECRETS, so that a column dropped from that list fails this test."""
    with app.app_context():
        family = durham_family(people, evidence=5)
    requests = {
        "lead's family page": lambda: signed_in.lead.get(family.url),
        "partner's family page": lambda: signed_in.partner.get(family.url),
        "live check": lambda: signed_in.partner.post(
            f"{family.url}/evidence/check", data=attendance(family.child), headers={"HX-Request": "true"}
        ),
        "submission": lambda: signed_in.partner.post(f"{family.url}/evidence/new", data=attendance(family.child)),
        "signed-in static page": lambda: signed_in.lead.get("/cookies"),
    }
    with counted(app) as seen:
        assert requests[path]().status_code in (200, 302)
    read = [s for s in seen.statements if s.lstrip().startswith("SELECT")]
    assert any("user_account" in s for s in read)  # the signed-in user was read, by this request
    assert [c for c in SECRET_COLUMNS for s in read if c in s] == []


def test_the_lead_professionals_family_page_reads_its_counts_and_the_to_do_count_together(app, people, signed_in):
    """Eight statements: the session, the family, the case, the latest items (with their reviews and
    submitters), how many items there are (its own statement: portal/families/page.py,
    `_lines_query`, says why), the verdict with how many claim lines name the family (the lines read only when
    there are some: tests/test_claims.py), the counts with the navigation's to-do count and the
    family's open claim queries (read as rows only when there are some), and the audit row. Each
    count is what its own statement says."""
    from portal.evidence import counts as evidence_counts
    from portal.models import User
    from portal.todo import lists

    with app.app_context():
        family = durham_family(people, evidence=12)
        other = durham_family(people, evidence=6)  # another family they lead: counted by the to-do count only
    signed_in.lead.get(family.url)  # warm
    with counted(app) as seen:
        page = signed_in.lead.get(family.url).get_data(as_text=True)
    assert seen.queries == 8
    with app.app_context():
        lp = db.session.get(User, people["lead_professional"].id)
        todo = lists.count_for(lp)
        may, _ = evidence_counts.awaiting(evidence_counts.FAMILY, lp, family.id)
        mine_elsewhere, _ = evidence_counts.awaiting(evidence_counts.FAMILY, lp, other.id)
    assert (may, mine_elsewhere) == (4, 2)
    assert todo >= may + mine_elsewhere
    assert f"To do ({todo})" in page
    assert f"{may} submissions are waiting for you" in page
