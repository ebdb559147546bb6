"""The review queue (portal/evidence/queue.py) says what the evidence and its reviews say, after
every kind of change, in any order, on each database; the migration fills it the same way; and
the to-do counts read it, not the evidence."""

import contextlib
import datetime as dt
import random
import threading
import time

import flask_migrate
import sqlalchemy as sa
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy.dialects import sqlite

from portal.evidence import counts, duties, queue
from portal.extensions import db
from portal.models import Evidence, Review, ReviewQueue, User
from portal.todo import lists
from tests.query_plans import rows_read
from tests.test_families import add_evidence, suffolk_case
from tests.test_migrations import empty_app  # noqa: F401  (the fixture: an empty database, on each)

STATE_OF_STATUS = {"submitted": "awaiting", "returned": "returned", "accepted": "done", "superseded": "done"}


def expected_queue() -> set[tuple]:
    """The queue as the evidence model states it: for each version, each person who submitted or
    corrected it or any version before it, the first version's submitter, and its status."""
    db.session.expire_all()
    rows = set()
    for version in db.session.scalars(sa.select(Evidence)):
        first = version.history[-1].submitted_by_id
        for by in duties.submitter_ids(version):
            rows.add((version.id, by, version.family_id, first, STATE_OF_STATUS[version.status]))
    return rows


def stored_queue() -> set[tuple]:
    return set(
        db.session.execute(
            sa.select(
                ReviewQueue.evidence_id,
                ReviewQueue.by_id,
                ReviewQueue.family_id,
                ReviewQueue.first_by_id,
                ReviewQueue.state,
            )
        ).all()
    )


def test_each_change_to_evidence_writes_the_queue_as_the_evidence_says(app, people):
    lp, partner, pm = people["lead_professional"], people["partner"], people["programme_manager"]
    with app.app_context():
        family, parent, _ = suffolk_case(people)
        sent = add_evidence(family, parent, partner)
        assert stored_queue() == expected_queue() == {(sent.id, partner.id, family.id, partner.id, "awaiting")}
        db.session.add(Review(evidence_id=sent.id, decision="returned", reason="Dates.", reviewed_by_id=lp.id))
        db.session.commit()
        assert stored_queue() == expected_queue()
        assert {row[4] for row in stored_queue()} == {"returned"}
        # The lead professional corrects it (not through the forms): both now stand on the new version.
        corrected = add_evidence(family, parent, lp, replaces=sent)
        assert stored_queue() == expected_queue()
        assert {(row[0], row[1], row[4]) for row in stored_queue() if row[0] == corrected.id} == {
            (corrected.id, partner.id, "awaiting"),
            (corrected.id, lp.id, "awaiting"),
        }
        db.session.add(Review(evidence_id=corrected.id, decision="accepted", reviewed_by_id=pm.id))
        db.session.commit()
        assert stored_queue() == expected_queue()
        assert {row[4] for row in stored_queue()} == {"done"}


def _version(family_id, member_id, statement, by, earlier=None) -> Evidence:
    """A version written straight to the session and flushed: a first one, or `earlier`'s correction."""
    row = Evidence(
        family_id=family_id,
        outcome_id="6.2",
        member_ids=[member_id],
        source="Social Care and Early Help practitioners (via CareFirst & Profile)",
        period_start=dt.date(2024, 2, 1),
        period_end=dt.date(2024, 8, 1),
        values={},
        statement=statement,
        submitted_by_id=by.id,
        replaces_id=earlier.id if earlier is not None else None,
        version=earlier.version + 1 if earlier is not None else 1,
    )
    db.session.add(row)
    db.session.flush()
    return row


def test_the_queue_holds_whatever_order_changes_come_in_and_however_they_are_committed(app, people):
    """Several hundred submissions, corrections and reviews by everyone, chosen at random (a fixed
    seed), committed one at a time or several together, some taken back by a savepoint."""
    chooser = random.Random(20261130)
    submitters = [people["partner"], people["police_partner"], people["lead_professional"]]
    reviewers = [people["lead_professional"], people["programme_manager"]]
    with app.app_context():
        families = [suffolk_case(people)[:2] for _ in range(3)]
        latest: list[Evidence] = []
        for step in range(300):
            kind = chooser.choice(["new", "new", "correct", "review", "review"])
            family, member = chooser.choice(families)
            if kind == "new" or not latest:
                latest.append(_version(family.id, member.id, f"Step {step}.", chooser.choice(submitters)))
            elif kind == "correct":
                earlier = chooser.choice(latest)
                corrected = _version(
                    earlier.family_id,
                    earlier.member_ids[0],
                    f"Step {step}, corrected.",
                    chooser.choice(submitters),
                    earlier,
                )
                latest[latest.index(earlier)] = corrected
            else:
                unreviewed = [row for row in latest if not row.reviews]
                if unreviewed:
                    row = chooser.choice(unreviewed)
                    decision = chooser.choice(["accepted", "returned"])
                    db.session.add(
                        Review(evidence_id=row.id, decision=decision, reviewed_by_id=chooser.choice(reviewers).id)
                    )
                    db.session.flush()
                    db.session.refresh(row, ["reviews"])
            if chooser.random() < 0.1:  # a change taken back: its versions are noted, but never written
                with db.session.begin_nested() as savepoint:
                    earlier = latest[-1] if latest[-1].replaced_by is None else None
                    _version(family.id, member.id, f"Step {step}, taken back.", submitters[0], earlier)
                    savepoint.rollback()
            if chooser.random() < 0.4:
                db.session.commit()
                latest = [db.session.get(Evidence, row.id) for row in latest]
                assert stored_queue() == expected_queue(), f"after step {step}"
        db.session.commit()
        assert stored_queue() == expected_queue()
        assert {row[4] for row in stored_queue()} == {"awaiting", "returned", "done"}


def test_the_counts_read_the_queue_not_the_evidence(app, people):
    """What keeps them from growing with every version the families ever had."""
    statements = {
        "lead professional": lists.counts.lead_professional_counts_query(lists.led_open_query_count()),
        "family": counts._awaiting_query(counts.FAMILY, duties.LP),
        "programme manager": counts._awaiting_query(counts.ANY, duties.PM),
    }
    for whose, statement in statements.items():
        sql = str(statement.compile(dialect=sqlite.dialect()))
        assert "review_queue" in sql, whose
        assert "FROM evidence" not in sql and "JOIN evidence" not in sql, whose
    # The partner's reads the latest version of each returned item only, by its key.
    sql = str(counts._returned_to_agency_query().compile(dialect=sqlite.dialect()))
    assert "FROM review_queue JOIN evidence ON evidence.id = review_queue.evidence_id" in sql


def test_the_counts_follow_the_queue_when_a_family_changes_lead_professional(app, people):
    """The queue keeps who submitted each version, not who leads the family: a new lead
    professional's counts are right without the queue being written again."""
    from tests import factories as f

    lp, partner = people["lead_professional"], people["partner"]
    with app.app_context():
        family, parent, _ = suffolk_case(people)
        add_evidence(family, parent, partner)  # the lead professional's to review
        add_evidence(family, parent, lp)  # a programme manager's
        other = f.make_user("lead_professional")
        before = stored_queue()
        assert lists.count_for(db.session.get(User, lp.id)) == 1
        db.session.get(type(family), family.id).lead_professional_id = other.id  # as handover.hand_over does
        db.session.commit()
        assert stored_queue() == before
        # The new lead reviews both; the old lead's submission is no longer the lead professional's own.
        assert lists.count_for(db.session.get(User, other.id)) == 2
        assert lists.count_for(db.session.get(User, lp.id)) == 0
        pm = db.session.get(User, people["programme_manager"].id)
        assert counts.awaiting(counts.ANY, pm) == (0, 0)


def test_the_migration_fills_the_queue_for_the_evidence_already_stored(empty_app):
    """Evidence stored before the queue existed: a version, a returned one and its two
    corrections, an accepted one; the migration writes what queue.refresh would."""
    flask_migrate.upgrade(revision="0016")
    with db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO user_account (id, email, name, role, password_hash, active, must_change_password, "
                "created_at) VALUES (1, 'a@x.example', 'A', 'partner', 'x', true, false, '2024-01-01 00:00:00'), "
                "(2, 'b@x.example', 'B', 'lead_professional', 'x', true, false, '2024-01-01 00:00:00'), "
                "(3, 'c@x.example', 'C', 'partner', 'x', true, false, '2024-01-01 00:00:00')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO family (id, ref, name, plan_id, lead_professional_id, engaged_on, created_at) "
                "VALUES (1, 'F-1', 'Family', 'suffolk-2017', 2, '2024-01-01', '2024-01-01 00:00:00')"
            )
        )
        for id_, by, replaces in ((1, 1, None), (2, 1, None), (3, 3, 2), (4, 2, 3), (5, 3, None)):
            conn.execute(
                sa.text(
                    "INSERT INTO evidence (id, family_id, outcome_id, member_ids, source, period_start, period_end, "
                    '"values", statement, submitted_by_id, submitted_at, replaces_id, version) VALUES '
                    "(:id, 1, '6.2', '[]', 's', '2024-01-01', '2024-02-01', '{}', 'x', :by, "
                    "'2024-03-01 00:00:00', :replaces, 1)"
                ),
                {"id": id_, "by": by, "replaces": replaces},
            )
        for evidence_id, decision in ((2, "returned"), (3, "returned"), (5, "accepted")):
            conn.execute(
                sa.text(
                    "INSERT INTO evidence_review (evidence_id, decision, reason, reviewed_by_id, reviewed_at) "
                    "VALUES (:e, :d, '', 2, '2024-03-02 00:00:00')"
                ),
                {"e": evidence_id, "d": decision},
            )
    flask_migrate.upgrade()
    assert (
        stored_queue()
        == expected_queue()
        == {
            (1, 1, 1, 1, "awaiting"),
            (2, 1, 1, 1, "done"),
            (3, 1, 1, 1, "done"),
            (3, 3, 1, 1, "done"),
            (4, 1, 1, 1, "awaiting"),
            (4, 2, 1, 1, "awaiting"),
            (4, 3, 1, 1, "awaiting"),
            (5, 3, 1, 3, "done"),
        }
    )
    # queue.refresh of every version writes nothing new over it: the two say the same.
    every = db.session.scalars(sa.select(Evidence.id)).all()
    queue.refresh(every, every, session=db.session)
    db.session.commit()
    assert stored_queue() == expected_queue()


def _at_once(app, works, hold, linger, start) -> list:
    """Run each of `works` (name: function) in a thread of its own, in an app context, and commit it,
    with `hold` after each flush and `linger` before each commit; `start(name)` first in each thread.
    The errors raised, if any."""
    errors = []

    def run(name, work):
        start(name)
        try:
            with app.app_context():
                work()
                db.session.commit()
        except Exception as error:  # noqa: BLE001  (returned to the test)
            errors.append(error)

    sa.event.listen(FlaskSession, "after_flush", hold)
    sa.event.listen(FlaskSession, "before_commit", linger)
    try:
        threads = [threading.Thread(target=run, args=item) for item in works.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sa.event.remove(FlaskSession, "after_flush", hold)
        sa.event.remove(FlaskSession, "before_commit", linger)
    return errors


def test_a_return_and_a_correction_saved_at_the_same_moment_leave_the_queue_as_the_evidence_says(app, people):
    """The lead professional returns a version while its partner corrects it. Both rows are written
    before either transaction brings the queue up to date. The correction's transaction then writes
    the queue and holds its rows a moment before committing, and the return's starts writing its
    own meanwhile. Without the family's lock (PostgreSQL), the return's update reads the version as
    it stood before the correction, waits for the correction's rows, then writes "returned" over
    the correction's "done". With the lock, it waits before reading, and reads the correction too.
    (SQLite lets one writer in at a time: the second waits at its first write, as it should.)"""
    lp, partner = people["lead_professional"], people["partner"]
    with app.app_context():
        family, parent, _ = suffolk_case(people)
        sent = add_evidence(family, parent, partner)
        family_id, parent_id, sent_id = family.id, parent.id, sent.id
    both_written = threading.Barrier(2, timeout=3)
    role = threading.local()

    def hold(session, _context):
        if getattr(role, "held", True) or not any(isinstance(row, (Evidence, Review)) for row in session.new):
            return
        role.held = True
        with contextlib.suppress(threading.BrokenBarrierError):
            both_written.wait()
        if role.name == "return":
            time.sleep(0.3)  # the correction writes the queue first

    def linger(session):
        if getattr(role, "name", "") == "correction":
            time.sleep(0.6)  # its queue rows written (this runs after queue.refresh), not yet committed

    def start(name):
        role.name, role.held = name, False

    def return_it():
        db.session.add(Review(evidence_id=sent_id, decision="returned", reason="Dates.", reviewed_by_id=lp.id))

    def correct_it():
        _version(family_id, parent_id, "Corrected dates.", partner, db.session.get(Evidence, sent_id))

    assert not _at_once(app, {"return": return_it, "correction": correct_it}, hold, linger, start)
    with app.app_context():
        assert stored_queue() == expected_queue()
        assert {row[4] for row in stored_queue() if row[0] == sent_id} == {"done"}  # corrected: not "returned"


def _family_locks(app, work) -> int:
    """How many statements `work` (then its commit) ran that lock a family's row."""
    locks = []

    def seen(_conn, _cursor, statement, *_):
        if "FOR NO KEY UPDATE" in statement or "FOR KEY SHARE" in statement:
            locks.append(statement)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", seen)
        try:
            work()
            db.session.commit()
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", seen)
    return len(locks)


def test_a_plain_submission_takes_no_lock_and_a_correction_or_a_review_does(app, people):
    """A new version that replaces none writes rows no other transaction can see or change before it
    commits; a correction and a review change states others may be changing (the test above)."""
    lp, partner = people["lead_professional"], people["partner"]
    with app.app_context():
        family, parent, _ = suffolk_case(people)
        family_id, parent_id = family.id, parent.id
        postgresql = db.engine.dialect.name == "postgresql"
    ids = []
    assert _family_locks(app, lambda: ids.append(_version(family_id, parent_id, "First.", partner).id)) == 0

    def correct():
        _version(family_id, parent_id, "Corrected.", partner, db.session.get(Evidence, ids[0]))

    def review():
        latest = db.session.scalar(sa.select(Evidence).where(Evidence.replaces_id == ids[0]))
        db.session.add(Review(evidence_id=latest.id, decision="returned", reason="Dates.", reviewed_by_id=lp.id))

    assert _family_locks(app, correct) == (1 if postgresql else 0)
    assert (_family_locks(app, review) >= 1) == postgresql  # the queue's, and the stored verdict's (standing.py)
    with app.app_context():
        assert stored_queue() == expected_queue()


def test_a_submission_and_a_correction_in_one_family_at_the_same_moment_leave_the_queue_as_the_evidence_says(
    app, people
):
    """The submission takes no lock; the correction takes the family's. Both rows are written before
    either brings the queue up to date, and each then holds its queue rows a moment before committing."""
    partner = people["partner"]
    with app.app_context():
        family, parent, _ = suffolk_case(people)
        sent = add_evidence(family, parent, partner)
        family_id, parent_id, sent_id = family.id, parent.id, sent.id
    both_written = threading.Barrier(2, timeout=3)
    held = threading.local()

    def hold(session, _context):
        if not getattr(held, "done", True) and any(isinstance(row, Evidence) for row in session.new):
            held.done = True
            with contextlib.suppress(threading.BrokenBarrierError):
                both_written.wait()

    def linger(_session):
        time.sleep(0.3)

    def start(_name):
        held.done = False

    def submit():
        _version(family_id, parent_id, "A new item.", partner)

    def correct():
        _version(family_id, parent_id, "Corrected dates.", partner, db.session.get(Evidence, sent_id))

    assert not _at_once(app, {"submission": submit, "correction": correct}, hold, linger, start)
    with app.app_context():
        assert stored_queue() == expected_queue()
        assert len({row[0] for row in stored_queue()}) == 3  # the first item, its correction, the new item


def test_a_lead_professionals_count_reads_their_own_families_open_items_only(app, people):
    """Another lead professional's queue, however long, costs the first nothing: each page a lead
    professional opens counts their to-do items, and read as a join of every open item in the
    council to its family, a second lead professional's 5,000 waiting items made every page the
    first opened 1.8 ms slower on PostgreSQL (docs/performance.md, "Run 21")."""
    from tests import factories as f

    lp, partner = people["lead_professional"], people["partner"]
    with app.app_context():
        family, parent, _ = suffolk_case(people)
        add_evidence(family, parent, partner)  # one item awaiting the lead professional's review
        other = f.make_user("lead_professional")
        theirs, their_parent, _ = suffolk_case(people | {"lead_professional": other})
        for n in range(12):  # the other lead professional's items: waiting, and returned
            add_evidence(theirs, their_parent, partner, statement=f"Waiting {n}.")
            add_evidence(theirs, their_parent, other, statement=f"Returned {n}.", status="returned", reviewer=other)
        db.session.commit()
        statement = lists.counts.lead_professional_counts_query(lists.led_open_query_count())
        assert db.session.scalar(statement, {"user_id": lp.id}) == 1
        read = rows_read(statement, {"user_id": lp.id}, "review_queue")
        if db.engine.dialect.name == "sqlite":
            assert read.count("SEARCH review_queue") == 2, read  # the waiting items, and the returned ones
            assert read.count("(state=? AND family_id=?)") == 2, read
        else:
            assert read == 1, f"{read} of the queue's rows read to count one item"
        db.session.rollback()


def test_an_agencys_count_reads_its_own_families_returned_items_only(app, people):
    """A partner's to-do count (on every page a partner opens) reads the returned items of the
    families their agency works with, not every returned item in the council."""
    from tests import factories as f

    partner = people["partner"]
    with app.app_context():
        family, parent, _ = suffolk_case(people)
        add_evidence(family, parent, partner, status="returned", reviewer=people["lead_professional"])
        other = f.make_user("lead_professional")
        theirs = f.make_family(other)  # a family the agency does not work with
        their_parent = f.add_member(theirs, other, role="parent", born=dt.date(1990, 1, 2), name="Sam", activity="none")
        for n in range(12):  # returned items of that family
            add_evidence(theirs, their_parent, other, statement=f"Returned {n}.", status="returned", reviewer=other)
        db.session.commit()
        statement = counts._returned_to_agency_query()
        params = {"agency_id": partner.agency_id}
        assert db.session.scalar(statement, params) == 1
        read = rows_read(statement, params, "review_queue")
        if db.engine.dialect.name == "sqlite":
            assert read.count("SEARCH review_queue") == 1, read
            assert read.count("(state=? AND family_id=?)") == 1, read
        else:
            assert read == 1, f"{read} of the queue's rows read to count one item"
        db.session.rollback()
