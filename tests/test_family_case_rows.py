"""The family page reads the case's rows in one statement (portal/families/case_rows.py), and shows
exactly what it showed when each relationship was read by a lazy load of its own."""

import datetime as dt

import pytest
import sqlalchemy as sa

from portal.demo import load_demo
from portal.demo.people import DEMO_PASSWORD
from portal.extensions import db
from portal.families import case_rows
from portal.models import CaseClosure, EssentialRecord, Family, FamilyPlanOutcome, Member, TeamMembership, User
from portal.models.families import MemberDeparture
from portal.models.types import utcnow
from tests import factories as f

CASE_TABLES = (
    "family_member",
    "member_departure",
    "identified_problem",
    "essential_record",
    "family_plan_outcome",
    "team_membership",
    "case_closure",
    "agency",
)


def _pages(app, user, family_ids, password=f.PASSWORD) -> dict:
    client = app.test_client()
    f.sign_in(client, user, password=password)
    out = {}
    for family_id in family_ids:
        response = client.get(f"/families/{family_id}")
        out[family_id] = (response.status_code, f.comparable_page(response.get_data(as_text=True)))
    return out


def _both_ways(app, monkeypatch, user, family_ids, password=f.PASSWORD):
    at_once = _pages(app, user, family_ids, password)
    monkeypatch.setattr(case_rows, "load", lambda family: None)  # each relationship its own lazy load
    lazily = _pages(app, user, family_ids, password)
    monkeypatch.undo()
    return at_once, lazily


def test_every_demo_familys_page_is_the_same_for_every_user_read_at_once_or_lazily(app, monkeypatch):
    with app.app_context():
        load_demo(dt.date.today())
        family_ids = db.session.scalars(sa.select(Family.id).order_by(Family.id)).all()
        users = db.session.scalars(sa.select(User).where(User.role != "admin").order_by(User.id)).all()
    shown = 0
    for user in users:
        at_once, lazily = _both_ways(app, monkeypatch, user, family_ids, DEMO_PASSWORD)
        for family_id in family_ids:
            assert at_once[family_id] == lazily[family_id], (user.email, family_id)
            shown += at_once[family_id][0] == 200
    assert shown > len(family_ids)  # the pages were shown, to more than one user: not refusals compared


PLANS = {  # plan: (a problem and indicator of it, an essential, an outcome a family's plan may hold)
    "suffolk-2017": (("1", "a"), None, "6.2"),  # outcomes chosen for the family's plan, no essentials
    "durham-2018": (("1", "1"), "family_plan", None),  # essentials, every outcome of the problems
}


@pytest.fixture(params=sorted(PLANS))
def every_kind_of_row(app, people, request):
    """A family with a row of every kind the page shows, withdrawn and ended ones too."""
    lp = people["lead_professional"]
    (problem, indicator), essential, outcome = PLANS[request.param]
    with app.app_context():
        family = f.make_family(lp, plan_id=request.param, name="Every row family")
        parent = f.add_member(family, lp, role="parent", born=dt.date(1984, 3, 2), name="Rowan", activity="employment")
        child = f.add_member(family, lp, name="Ash")
        gone = f.add_member(family, lp, name="Withdrawn child")
        gone.withdrawn_at, gone.withdrawn_reason = utcnow(), "Recorded twice."
        f.add_problem(family, lp, problem, indicator, member=child)
        withdrawn = f.add_problem(family, lp, problem, indicator, member=parent)
        withdrawn.withdrawn_at, withdrawn.withdrawn_reason = utcnow(), "Not this family."
        left = MemberDeparture(
            family_id=family.id, member_id=parent.id, left_on=dt.date(2024, 5, 1), recorded_by_id=lp.id
        )
        db.session.add(left)
        db.session.flush()
        rows = [
            MemberDeparture(
                family_id=family.id,
                member_id=parent.id,
                withdraws_id=left.id,
                reason="Wrong member.",
                recorded_by_id=lp.id,
            ),
            MemberDeparture(family_id=family.id, member_id=child.id, left_on=dt.date(2024, 6, 1), recorded_by_id=lp.id),
            CaseClosure(family_id=family.id, closed_on=dt.date(2024, 9, 1), reason="Done.", recorded_by_id=lp.id),
            CaseClosure(family_id=family.id, reopened=True, reason="Back.", recorded_by_id=lp.id),
        ]
        if essential:
            rows.append(
                EssentialRecord(
                    family_id=family.id, essential_id=essential, in_place_on=dt.date(2024, 2, 1), recorded_by_id=lp.id
                )
            )
        if outcome:
            rows += [
                FamilyPlanOutcome(family_id=family.id, outcome_id=outcome, recorded_by_id=lp.id),
                FamilyPlanOutcome(
                    family_id=family.id,
                    outcome_id=outcome,
                    version=2,
                    removed=True,
                    reason="Met.",
                    recorded_by_id=lp.id,
                ),
                FamilyPlanOutcome(family_id=family.id, outcome_id=outcome, version=3, recorded_by_id=lp.id),
            ]
        db.session.add_all(rows)
        db.session.commit()
        f.attach(family, people["school"], lp)
        f.attach(family, people["police"], lp)
        ended = db.session.scalar(
            sa.select(TeamMembership).filter_by(family_id=family.id, agency_id=people["police"].id)
        )
        ended.ended_at = utcnow()
        db.session.commit()
        return family.id


def test_a_family_with_every_kind_of_row_reads_the_same_at_once_or_lazily(app, people, every_kind_of_row, monkeypatch):
    for role in ("lead_professional", "partner", "verifier", "programme_manager"):
        at_once, lazily = _both_ways(app, monkeypatch, people[role], [every_kind_of_row])
        assert at_once == lazily, role
        assert at_once[every_kind_of_row][0] == 200, role
    at_once, _ = _both_ways(app, monkeypatch, people["lead_professional"], [every_kind_of_row])
    page = at_once[every_kind_of_row][1]  # the lead professional's page shows every kind of row
    for shown in (
        "Rowan",
        "Withdrawn child",
        "Recorded twice.",
        "Not this family.",
        "Wrong member.",
        "Hillside Primary School",
    ):
        assert shown in page, shown


def test_the_family_page_reads_the_case_in_one_statement(app, people, every_kind_of_row):
    client = app.test_client()
    f.sign_in(client, people["lead_professional"])
    statements = []

    def note(_conn, _cursor, statement, *_):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get(f"/families/{every_kind_of_row}").status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
    reading_the_case = [s for s in statements if any(f"FROM {table}" in s for table in CASE_TABLES)]
    assert len(reading_the_case) == 1, reading_the_case


def test_rows_changed_earlier_in_the_same_session_are_not_read_over(app, people, every_kind_of_row):
    lp = people["lead_professional"]
    with app.app_context():
        family = db.session.get(Family, every_kind_of_row)
        names = [m.name for m in family.members]  # loaded; then a member added in this session, not saved yet
        with db.session.no_autoflush:
            family.members.append(
                Member(name="Added, not saved", role="child", date_of_birth=dt.date(2015, 1, 1), recorded_by_id=lp.id)
            )
            case_rows.load(family)
            assert [m.name for m in family.members] == [*names, "Added, not saved"]
        db.session.rollback()
        added = f.add_member(db.session.get(Family, every_kind_of_row), lp, name="Added now")
        fresh = db.session.get(Family, every_kind_of_row)
        db.session.expire(fresh, ["members"])  # not loaded: read from the database, with what was committed
        case_rows.load(fresh)
        assert "members" in fresh.__dict__ and added.id in [m.id for m in fresh.members]


def test_the_family_pages_lines_and_count_read_at_once_are_latest_lines_and_count_items(app, people):
    from portal.families import page
    from tests.test_families import add_evidence, suffolk_case

    lp, partner, police = people["lead_professional"], people["partner"], people["police_partner"]
    with app.app_context():
        family, parent, _ = suffolk_case(people)
        f.attach(family, people["police"], lp)
        for size in range(8):
            for user in (lp, partner, police):
                agency_id = user.agency_id if user.role == "partner" else None
                lines, count = page.first_lines_and_count(family, user, agency_id)
                expected = page.latest_lines(family, user, agency_id)
                assert [(x.latest.id, x.reviewer, x.reviewable) for x in lines] == [
                    (x.latest.id, x.reviewer, x.reviewable) for x in expected
                ], (size, user.email)
                assert count == page.count_items(family, agency_id), (size, user.email)
            sent = add_evidence(family, parent, (partner, police, lp)[size % 3], statement=f"Item {size}.")
            if size % 4 == 1:  # corrected: one item, two versions, counted once
                add_evidence(family, parent, sent.submitted_by, replaces=sent, statement=f"Item {size}, corrected.")


def test_the_count_of_items_is_how_many_latest_versions_there_are(app, people):
    """count_items counts first versions (page._count_query says why); each line has one, so the
    count is the latest versions' count, read here as they are (nothing replaces them), for the
    family and for each agency, through corrections, corrections of corrections and items of a
    lead professional (no agency)."""
    from portal.families import page
    from tests.test_families import add_evidence, suffolk_case

    lp, partner, police = people["lead_professional"], people["partner"], people["police_partner"]
    with app.app_context():
        family, parent, _ = suffolk_case(people)
        f.attach(family, people["police"], lp)
        latest: dict = {}
        for n in range(9):
            by = (partner, police, lp)[n % 3]
            sent = add_evidence(family, parent, by, statement=f"Item {n}.")
            latest[sent.id] = by.agency_id
            for again in range(n % 3):  # none, one correction, a correction of a correction
                del latest[sent.id]
                sent = add_evidence(family, parent, by, replaces=sent, statement=f"Item {n}, version {again + 2}.")
                latest[sent.id] = by.agency_id
            for agency_id in (None, partner.agency_id, police.agency_id):
                wanted = [i for i, a in latest.items() if agency_id is None or a == agency_id]
                listed = page.latest_lines(family, lp, agency_id, limit=100)
                assert sorted(line.latest.id for line in listed) == sorted(wanted), (n, agency_id)
                assert page.count_items(family, agency_id) == len(wanted), (n, agency_id)
        db.session.rollback()


def test_the_count_of_items_reads_the_first_versions_only(app, people):
    """From their own index: not every version of the family, nor each one's correction looked for
    (1.0 ms a family page on PostgreSQL with 300 items against 0.37 with 5: docs/performance.md,
    "Run 22")."""
    from portal.families import page
    from tests.query_plans import rows_read
    from tests.test_families import add_evidence, suffolk_case

    lp, partner = people["lead_professional"], people["partner"]
    with app.app_context():
        family, parent, _ = suffolk_case(people)
        for n in range(6):
            sent = add_evidence(family, parent, partner, statement=f"Item {n}.")
            for again in range(2):
                sent = add_evidence(family, parent, partner, replaces=sent, statement=f"Item {n}, again {again}.")
        add_evidence(family, parent, lp, statement="The lead professional's own item.")
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE evidence"))  # as autovacuum would, once a tenth had changed
        for agency_id in (None, partner.agency_id):
            query = page._count_query(agency_id is not None, db.engine.dialect.name)
            params = {"family_id": family.id, "agency_id": agency_id}
            read = rows_read(query, params, "evidence")
            if db.engine.dialect.name == "sqlite":
                # One read of the table, the first versions' range of the index; no other.
                assert read.startswith(
                    "SEARCH evidence USING COVERING INDEX ix_evidence_family_id_replaces_id_agency_id (family_id=? AND replaces_id=?"
                ), read
                assert ";" not in read, read
            else:
                # The family's first versions at most (an agency's count may read the others' and pass them by).
                first_versions = page.count_items(family)
                assert read <= first_versions, f"{read} versions read to count {first_versions} items"
        db.session.rollback()
