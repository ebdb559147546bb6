"""Each family's stored verdict (family_verdict) stays in step with its records (issue 12, section 3).

Written in the same transaction as each change that could alter it, refreshed when the
date has moved on, and right when two changes of one family are saved at the same moment.
The comparison is always with the engine deciding the family afresh.
"""

import contextlib
import datetime as dt
import threading
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask_login import login_user
from flask_sqlalchemy.session import Session as FlaskSession

from portal import casefile, verdicts
from portal.extensions import db
from portal.families import changes, listing, standing
from portal.models import Evidence, Family, FamilyVerdict, Review
from portal.models.types import utcnow
from tests import factories as f

VALUES = {
    "baseline_attendance": 84,
    "attendance": [91, 92, 90.6],
    "fixed_term_exclusions": 0,
    "permanent_exclusions": 0,
    "on_roll": True,
}


@pytest.fixture
def durham(app, people):
    """A Durham family, themes 2 and 3 identified, the essentials in place, an attendance and an SDQ
    submission awaiting review: accepting both turns the family around."""
    with app.app_context():
        lp, partner = people["lead_professional"], people["partner"]
        family = f.make_family(lp, plan_id="durham-2018", name="Reed family", engaged_on=dt.date(2017, 12, 4))
        f.add_member(family, lp, role="parent", born=dt.date(1985, 4, 12), name="Alex Reed", activity="")
        child = f.add_member(family, lp, role="child", born=dt.date(2008, 3, 1), name="Sam Reed")
        f.add_problem(family, lp, "2", "4", member=child, identified_on=dt.date(2017, 11, 20))
        f.add_problem(family, lp, "3", "5", identified_on=dt.date(2017, 11, 20))
        f.attach(family, people["school"], lp)
        f.add_essentials(
            family,
            lp,
            "lead_professional",
            "whole_family_assessment",
            "family_plan",
            "lp_taf_judgement",
            on=dt.date(2017, 12, 4),
        )
        attendance = Evidence(
            family_id=family.id,
            outcome_id="2.1",
            member_ids=[child.id],
            source="School Census",
            period_start=dt.date(2018, 1, 8),
            period_end=dt.date(2018, 12, 19),
            values=VALUES,
            statement="Census.",
            submitted_by_id=partner.id,
            agency_id=partner.agency_id,
        )
        sdq = Evidence(
            family_id=family.id,
            outcome_id="3.4",
            option="sdq",
            member_ids=[child.id],
            source="Strengths and Difficulties Questionnaire",
            period_start=dt.date(2018, 1, 15),
            period_end=dt.date(2018, 12, 1),
            values={"tool": "sdq", "initial_score": 20, "final_score": 15},
            statement="SDQ.",
            submitted_by_id=partner.id,
            agency_id=partner.agency_id,
        )
        db.session.add_all([attendance, sdq])
        db.session.commit()
        return SimpleNamespace(id=family.id, child=child.id, attendance=attendance.id, sdq=sdq.id)


def stored(family_id) -> dict | None:
    """The stored row, its presented decision (the family page's verdict block) read back."""
    columns = (*standing.COLUMNS, FamilyVerdict.view, FamilyVerdict.decided_on)
    row = db.session.execute(sa.select(*columns).where(FamilyVerdict.family_id == family_id)).first()
    if row is None:
        return None
    out = row._asdict()
    out["view"] = verdicts.decode_view(out["view"])
    return out


def fresh(family_id) -> dict:
    """What the engine decides now, and the verdict block presented from it, with nothing stored read."""
    db.session.expire_all()
    family = db.session.get(Family, family_id)
    view, verdict = verdicts.family_verdict(family)
    return {
        "family_id": family_id,
        "as_of": casefile.today(),
        "status": standing.status_of(verdict),
        "eligible": verdict.eligible,
        "turned_around": verdict.turned_around,
        "claim_type": verdict.claim_type,
        "earliest_claim_date": verdict.earliest_claim_date,
        "view": view,
        "decided_on": casefile.decided_on(family.plan_id),
    }


def in_step(app, family_id) -> dict:
    with app.app_context():
        now, expected = stored(family_id), fresh(family_id)
        assert now == expected
        return now


def as_lead(app, people, change):
    """Run a change service as the lead professional, in a request (it saves and commits itself)."""
    with app.test_request_context():
        lp = db.session.get(type(people["lead_professional"]), people["lead_professional"].id)
        login_user(lp)
        family = db.session.get(Family, change.family_id)
        change(family, lp)


def change(family_id, do):
    do.family_id = family_id
    return do


def test_a_new_family_has_its_verdict_stored_at_once(app, durham):
    in_step(app, durham.id)


def test_accepting_evidence_rewrites_the_stored_verdict_in_the_same_commit(app, people, durham):
    before = in_step(app, durham.id)
    for evidence_id in (durham.attendance, durham.sdq):
        as_lead(
            app,
            people,
            change(
                durham.id,
                lambda family, lp, e=evidence_id: changes.review_evidence(
                    family, db.session.get(Evidence, e), "accepted", ""
                ),
            ),
        )
        in_step(app, durham.id)
    after = in_step(app, durham.id)
    # The attacking part: the accepted evidence did change the verdict, so a missed refresh shows.
    assert (before["turned_around"], before["earliest_claim_date"]) != (
        after["turned_around"],
        after["earliest_claim_date"],
    )


def test_every_kind_of_case_change_keeps_it_in_step(app, people, durham):
    with app.app_context():
        member_id = db.session.scalar(sa.select(Evidence.member_ids).where(Evidence.id == durham.attendance))[0]
    steps = [
        lambda family, lp: changes.review_evidence(family, db.session.get(Evidence, durham.attendance), "accepted", ""),
        lambda family, lp: changes.review_evidence(family, db.session.get(Evidence, durham.sdq), "accepted", ""),
        lambda family, lp: changes.add_member(family, "Jo Reed", "child", dt.date(2010, 1, 1), "education"),
        lambda family, lp: changes.add_problem(family, "1", "1", "identification", dt.date(2017, 11, 20), None),
        lambda family, lp: changes.withdraw_problem(family, family.problems[-1], "Recorded in error"),
        lambda family, lp: changes.record_essentials(family, ["lead_professional"], dt.date(2017, 12, 4)),
        lambda family, lp: changes.set_engaged(family, dt.date(2017, 12, 5)),
        lambda family, lp: changes.close_case(family, dt.date(2019, 1, 31)),
        lambda family, lp: changes.reopen_case(family, "Reopened"),
        lambda family, lp: changes.withdraw_member(
            family, next(m for m in family.members if m.id == member_id), "Recorded in error"
        ),
    ]
    seen = []
    for step in steps:
        as_lead(app, people, change(durham.id, step))
        seen.append(in_step(app, durham.id))
    # The changes did move the verdict, so a missed refresh would show: turned around once both
    # are accepted, and no longer once the child they are about is withdrawn.
    assert not seen[0]["turned_around"] and seen[1]["turned_around"] and not seen[-1]["turned_around"]


def test_a_verdict_of_an_earlier_day_is_decided_again_when_the_list_reads_it(app, people, durham, client):
    with app.app_context():
        db.session.execute(
            sa.update(FamilyVerdict)
            .where(FamilyVerdict.family_id == durham.id)
            .values(as_of=casefile.today() - dt.timedelta(days=1), turned_around=True, status="turned_around")
        )
        db.session.commit()
    f.sign_in(client, people["lead_professional"])
    page = client.get("/families/").get_data(as_text=True)
    assert "Turned around</strong>" not in page  # the stale row's answer is not shown
    in_step(app, durham.id)


def test_the_list_filters_and_sorts_by_the_stored_status(app, people, durham):
    with app.app_context():
        lp = people["lead_professional"]
        other = f.make_family(lp, plan_id="durham-2018", name="Other family", engaged_on=dt.date(2017, 12, 4))
        db.session.execute(
            sa.update(FamilyVerdict)
            .where(FamilyVerdict.family_id == other.id)
            .values(status="turned_around", turned_around=True)
        )
        db.session.commit()
        user = db.session.get(type(lp), lp.id)
        turned = listing.page_of(user, status="turned_around")
        assert [row.family.id for row in turned.rows] == [other.id] and turned.total == 1
        everyone = listing.page_of(user, by_status=True)
        assert [row.family.id for row in everyone.rows] == [other.id, durham.id]
        assert listing.page_of(user, status="no such status").total == 2  # an unknown status filters nothing


def test_two_acceptances_saved_at_the_same_moment_both_reach_the_stored_verdict(app, people, durham):
    """Each transaction writes its review, then both decide at once: without the family's lock, each
    would decide without the other's acceptance and the last to commit would store a stale verdict."""
    both_written = threading.Barrier(2, timeout=3)
    waited = threading.local()

    def hold(session, _context):
        if getattr(waited, "done", False) or not any(isinstance(row, Review) for row in session.new):
            return
        waited.done = True
        with contextlib.suppress(threading.BrokenBarrierError):
            both_written.wait()  # SQLite lets only one writer in: the other waits for the lock, as it should

    errors = []

    def accept(evidence_id):
        try:
            as_lead(
                app,
                people,
                change(
                    durham.id,
                    lambda family, lp: changes.review_evidence(
                        family, db.session.get(Evidence, evidence_id), "accepted", ""
                    ),
                ),
            )
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    sa.event.listen(FlaskSession, "after_flush", hold)
    try:
        threads = [threading.Thread(target=accept, args=(e,)) for e in (durham.attendance, durham.sdq)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sa.event.remove(FlaskSession, "after_flush", hold)
    assert not errors
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Review)) == 2
    in_step(app, durham.id)


def test_a_new_submission_leaves_the_verdict_alone_since_the_engine_counts_accepted_versions_only(app, people, durham):
    with app.app_context():
        decided_at = db.session.scalar(sa.select(FamilyVerdict.decided_at).where(FamilyVerdict.family_id == durham.id))
        evidence = db.session.get(Evidence, durham.attendance)
        db.session.add(
            Evidence(
                family_id=durham.id,
                outcome_id="2.1",
                member_ids=evidence.member_ids,
                source="School Census",
                period_start=evidence.period_start,
                period_end=evidence.period_end,
                values=VALUES,
                statement="Again.",
                submitted_by_id=evidence.submitted_by_id,
                agency_id=evidence.agency_id,
                submitted_at=utcnow(),
            )
        )
        db.session.commit()
        assert (
            db.session.scalar(sa.select(FamilyVerdict.decided_at).where(FamilyVerdict.family_id == durham.id))
            == decided_at
        )
    in_step(app, durham.id)


def test_the_worker_decides_every_stale_verdict_again_each_new_day(app, people, durham):
    from portal.families import standing
    from portal.families.tasks import register_tasks
    from portal.jobs.queue import queue_for

    with app.app_context():
        lp = people["lead_professional"]
        others = [
            f.make_family(lp, plan_id="durham-2018", name=f"Other {n}", engaged_on=dt.date(2017, 12, 4)).id
            for n in range(3)
        ]
        yesterday = casefile.today() - dt.timedelta(days=1)
        db.session.execute(
            sa.update(FamilyVerdict)
            .where(FamilyVerdict.family_id.in_([durham.id, *others[:2]]))
            .values(as_of=yesterday, turned_around=True, status="turned_around")
        )
        db.session.commit()
        assert standing.bring_all_up_to_date(batch=2) == 3  # the three stale ones, two batches
        rows = {r.family_id: r for r in db.session.scalars(sa.select(FamilyVerdict))}
        assert {r.as_of for r in rows.values()} == {casefile.today()}
        assert not rows[durham.id].turned_around  # decided again, not just re-dated
        assert standing.bring_all_up_to_date() == 0
        db.session.execute(sa.update(FamilyVerdict).values(as_of=yesterday))
        db.session.commit()
    # The hourly task on the jobs worker does the same, in its own app context.
    names = [task.name for task in queue_for(app).huey._registry.periodic_tasks]
    assert "portal.families.verdicts" in names
    from huey import MemoryHuey

    (task,) = register_tasks(MemoryHuey(), app)
    task.call_local()
    with app.app_context():
        assert set(db.session.scalars(sa.select(FamilyVerdict.as_of))) == {casefile.today()}


def _plant(app, family_id, **values):
    """Write a stored row's columns directly, as a stale or wrong row would be."""
    with app.app_context():
        db.session.execute(sa.update(FamilyVerdict).where(FamilyVerdict.family_id == family_id).values(**values))
        db.session.commit()


def _planted_view(app, family_id) -> str:
    with app.app_context():
        view = stored(family_id)["view"]
    view.missing = ["A sentence only the stored row holds."]
    return verdicts.encode_view(view)


def test_the_family_page_shows_the_stored_decision_without_deciding_again(app, people, durham, client, monkeypatch):
    _plant(app, durham.id, view=_planted_view(app, durham.id))
    monkeypatch.setattr(casefile, "verdict", lambda *a, **k: pytest.fail("the page decided the verdict again"))
    f.sign_in(client, people["lead_professional"])
    page = client.get(f"/families/{durham.id}").get_data(as_text=True)
    assert "A sentence only the stored row holds." in page
    partial = client.get(f"/families/{durham.id}/verdict", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "A sentence only the stored row holds." in partial


@pytest.mark.parametrize(
    "stale",
    [
        {"decided_on": "0" * 64},  # another plan file, or another release of the engine or its words
        {"decided_on": None},  # a row stored before views were kept (migration 0015)
        {"as_of": casefile.today() - dt.timedelta(days=1)},
    ],
    ids=["other plan or code", "no basis", "earlier day"],
)
def test_a_stale_stored_decision_is_decided_again_before_the_page_shows_it(app, people, durham, client, stale):
    _plant(app, durham.id, view=_planted_view(app, durham.id), **stale)
    f.sign_in(client, people["lead_professional"])
    page = client.get(f"/families/{durham.id}").get_data(as_text=True)
    assert "A sentence only the stored row holds." not in page
    in_step(app, durham.id)  # and the row was written again, in the page's own commit


def test_the_worker_decides_again_a_row_decided_on_another_plan_file_or_code(app, people, durham):
    _plant(app, durham.id, decided_on="0" * 64, view=_planted_view(app, durham.id))
    with app.app_context():
        assert standing.bring_all_up_to_date() == 1
        assert standing.bring_all_up_to_date() == 0
    in_step(app, durham.id)


def test_a_changed_plan_file_changes_what_a_verdict_is_decided_on(app, tmp_path, monkeypatch):
    import shutil

    from portal.rules import plan as plans

    folder = tmp_path / "frameworks"
    shutil.copytree(plans.frameworks_dir(), folder)
    monkeypatch.setattr(plans, "frameworks_dir", lambda: folder)
    before = casefile.decided_on("durham-2018")
    other = casefile.decided_on("suffolk-2017")
    path = folder / "durham-2018.yaml"
    path.write_text(path.read_text() + "\n# one more line\n")
    assert casefile.decided_on("durham-2018") != before
    assert casefile.decided_on("suffolk-2017") == other


def test_two_readers_of_a_stale_decision_at_the_same_moment_both_get_the_page_and_one_row(app, people, durham):
    _plant(app, durham.id, decided_on="0" * 64, view=_planted_view(app, durham.id))
    clients = [app.test_client() for _ in range(2)]
    for client in clients:
        f.sign_in(client, people["lead_professional"])
    barrier, answers = threading.Barrier(2), [None, None]

    def read(i):
        barrier.wait()
        answers[i] = clients[i].get(f"/families/{durham.id}")

    threads = [threading.Thread(target=read, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [a.status_code for a in answers] == [200, 200]
    assert not any("A sentence only the stored row holds." in a.get_data(as_text=True) for a in answers)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(FamilyVerdict.family_id == durham.id)) == 1
    in_step(app, durham.id)


def test_a_savepoint_rolled_back_after_a_change_does_not_make_the_commit_forget_the_change(app, people, durham):
    """A savepoint's rollback (begin_nested, as claims take a phase lock) fired the rollback event,
    and the families the transaction had changed were forgotten: its commit left the stored
    verdict as it was."""
    before = in_step(app, durham.id)
    with app.app_context():
        lp = people["lead_professional"]
        for evidence_id in (durham.attendance, durham.sdq):
            db.session.add(Review(evidence_id=evidence_id, decision="accepted", reason="", reviewed_by_id=lp.id))
        db.session.flush()
        with db.session.begin_nested() as savepoint:
            db.session.execute(sa.select(1))
            savepoint.rollback()
        db.session.commit()
    after = in_step(app, durham.id)
    assert not before["turned_around"] and after["turned_around"]
