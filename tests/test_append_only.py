"""Append-only tables refuse UPDATE and DELETE in the database itself, whoever asks.

The ORM refuses changes at flush (portal/models/append_only.py), but a bulk
UPDATE or DELETE, from the ORM or in plain SQL, never flushes: only the
database's triggers stop those. Every attack runs on every protected table, on
SQLite and (with TEST_DATABASE_URL) PostgreSQL, and the rows must be unchanged.
"""

import datetime as dt

import pytest
import sqlalchemy as sa

from portal.audit import record
from portal.extensions import db
from portal.models import CaseClosure, EssentialRecord, FamilyPlanOutcome
from portal.models.append_only import (
    TABLES,
    AppendOnlyError,
    expected_triggers,
    installed_triggers,
    triggers_lifted,
)
from tests import factories as f
from tests.test_families import add_evidence, suffolk_case


@pytest.fixture
def rows(app, people):
    """At least one row in every protected table."""
    with app.app_context():
        lp = people["lead_professional"]
        family, parent, _child = suffolk_case(people)
        evidence = add_evidence(family, parent, people["partner"], status="accepted", reviewer=lp)
        f.add_essentials(family, lp, "keyworker")
        from portal.models import MemberDeparture

        db.session.add(
            MemberDeparture(family_id=family.id, member_id=parent.id, left_on=dt.date(2024, 8, 1), recorded_by_id=lp.id)
        )
        db.session.add(CaseClosure(family_id=family.id, closed_on=dt.date(2024, 9, 1), recorded_by_id=lp.id))
        record("test.event", family, detail="something happened", user=db.session.merge(lp))
        from portal.models import ClosureSummary

        db.session.add(
            ClosureSummary(
                code="ABCDEFGHJKMN",
                family_id=family.id,
                snapshot={},
                plan_hash="0" * 64,
                as_of=dt.date(2024, 9, 2),
                generated_by_id=lp.id,
            )
        )
        _claim_rows(family, lp, people["programme_manager"], people["verifier"])
        from portal.models import EvidenceDocument

        db.session.add(
            EvidenceDocument(
                evidence_id=evidence.id,
                family_id=family.id,
                sha256="0" * 64,
                size=1,
                kind="pdf",
                filename="letter.pdf",
                scanned_with="ClamAV",
                uploaded_by_id=people["partner"].id,
            )
        )
        db.session.commit()
        counts = {name: db.session.scalar(sa.select(sa.func.count()).select_from(_table(name))) for name in TABLES}
        assert all(counts.values()), f"give every protected table a row here: {counts}"
        return {"family_id": family.id, "evidence_id": evidence.id}


def _claim_rows(family, lp, pm, verifier):
    """One row in each claim table (issue 10), built directly: the cycle itself is tested elsewhere."""
    from portal.models import (
        Claim,
        ClaimApproval,
        ClaimFile,
        ClaimLine,
        ClaimLineExit,
        ClaimLineMember,
        ClaimSample,
        ClaimSubmission,
        ClaimWindow,
        ClaimWindowPlan,
        LineDecision,
        QueryAnswer,
    )

    def add(row):
        db.session.add(row)
        db.session.flush()
        return row

    window = add(
        ClaimWindow(
            name="2024-25 quarter 3",
            claim_date=dt.date(2024, 12, 1),
            phase="phase 2",
            tolerance_percent=10,
            sample_percent=10,
            sample_minimum=1,
            minimum_intervention_days=90,
            created_by_id=pm.id,
        )
    )
    add(
        ClaimWindowPlan(
            window_id=window.id,
            plan_id="suffolk-2017",
            title="t",
            version="1",
            plan_sha256="0" * 64,
            plan_text="x",
            tools_sha256="0" * 64,
            tools_text="x",
        )
    )
    claim = add(Claim(window_id=window.id, created_by_id=pm.id))
    line = add(
        ClaimLine(
            claim_id=claim.id,
            family_id=family.id,
            family_ref=family.ref,
            plan_id="suffolk-2017",
            claim_type="significant_and_sustained",
            lead_professional_id=lp.id,
            case_snapshot={},
            verdict={},
            evidence=[],
            flags=[],
            snapshot_hash="0" * 64,
            added_by_id=pm.id,
        )
    )
    add(ClaimLineMember(line_id=line.id, name_key="sam", date_of_birth=dt.date(2012, 5, 1)))
    add(
        ClaimSample(
            claim_id=claim.id,
            sequence=1,
            seed="s",
            size=1,
            population=[line.id],
            flagged=[],
            chosen=[line.id],
            kind="drawn",
            drawn_by_id=pm.id,
        )
    )
    decision = add(LineDecision(line_id=line.id, sequence=1, decision="queried", decided_by_id=verifier.id))
    add(QueryAnswer(decision_id=decision.id, answer="answered", answered_by_id=lp.id))
    add(ClaimApproval(claim_id=claim.id, approved_by_id=pm.id))
    add(ClaimSubmission(claim_id=claim.id, submitted_by_id=pm.id))
    add(ClaimFile(claim_id=claim.id, kind="csv", path="x.csv", sha256="0" * 64, size=1))
    add(ClaimLineExit(line_id=line.id, kind="withdrawn", reason="invalid", recorded_by_id=pm.id))


def _table(name):
    return db.metadata.tables[name]


def _model(name):
    return next(m.class_ for m in db.Model.registry.mappers if m.local_table is _table(name))


def _text_column(table):
    """A column to rewrite: the first text one, or else the first other column."""
    return next(
        (c for c in table.columns if isinstance(c.type, sa.String) and not c.primary_key),
        next(c for c in table.columns if not c.primary_key),
    )


def _new_value(column):
    return "rewritten" if isinstance(column.type, sa.String) else column + 0


def _snapshot(name):
    table = _table(name)
    with db.engine.connect() as conn:
        return [repr(tuple(row)) for row in conn.execute(sa.select(table).order_by(table.c.id))]


def _raw_update(name):
    column = _text_column(_table(name))
    value = "'rewritten'" if isinstance(column.type, sa.String) else column.name  # SET x = x still updates
    with db.engine.begin() as conn:
        return conn.exec_driver_sql(f"UPDATE {name} SET {column.name} = {value}").rowcount


def _raw_delete(name):
    with db.engine.begin() as conn:
        return conn.exec_driver_sql(f"DELETE FROM {name}").rowcount


def _core_update(name):
    table = _table(name)
    with db.engine.begin() as conn:
        column = _text_column(table)
        return conn.execute(table.update().values({column.name: _new_value(column)})).rowcount


def _orm_bulk_update(name):
    model = _model(name)
    column = _text_column(_table(name))
    try:
        changed = db.session.execute(sa.update(model).values({column.key: _new_value(column)})).rowcount
        db.session.commit()
        return changed
    finally:
        db.session.rollback()


def _orm_bulk_delete(name):
    try:
        changed = db.session.execute(sa.delete(_model(name))).rowcount
        db.session.commit()
        return changed
    finally:
        db.session.rollback()


def _query_delete(name):
    try:
        changed = db.session.query(_model(name)).delete()
        db.session.commit()
        return changed
    finally:
        db.session.rollback()


ATTACKS = {
    "raw SQL UPDATE": _raw_update,
    "raw SQL DELETE": _raw_delete,
    "Core table.update()": _core_update,
    "ORM bulk update()": _orm_bulk_update,
    "ORM bulk delete()": _orm_bulk_delete,
    "ORM query.delete()": _query_delete,
}


def attack(name, how):
    """Run one attack; return (the database's refusal or None, rows changed), comparing the table
    before and after."""
    before = _snapshot(name)
    try:
        ATTACKS[how](name)
        refusal = None
    except sa.exc.DBAPIError as error:
        refusal = str(error.orig)
    after = _snapshot(name)
    changed = len(set(before) - set(after)) + len(set(after) - set(before))
    return refusal, changed


def refused_as_append_only(refusal):
    # Refused by the append-only trigger, not by something else (a foreign key, say).
    return refusal is not None and "append-only" in refusal


@pytest.mark.parametrize("how", ATTACKS)
@pytest.mark.parametrize("name", TABLES)
def test_the_database_refuses_to_rewrite_a_protected_table(app, rows, name, how):
    with app.app_context():
        refusal, changed = attack(name, how)

        assert refused_as_append_only(refusal), refusal
        assert changed == 0


def test_no_row_of_a_protected_table_is_updated_or_deleted_by_sql(app, rows, capsys):
    with app.app_context():
        results = {(name, how): attack(name, how) for name in TABLES for how in ATTACKS}
        changed = sum(c for _refusal, c in results.values())
        accepted = [key for key, (refusal, _c) in results.items() if not refused_as_append_only(refusal)]
        with capsys.disabled():
            print(
                f"\n[{db.engine.dialect.name}] attempts: {len(results)} on {len(TABLES)} tables; "
                f"rows updated or deleted by raw SQL on protected tables: {changed}"
            )

        assert changed == 0 and accepted == []


def test_the_orm_still_refuses_at_flush(app, rows):
    with app.app_context():
        row = db.session.scalars(sa.select(EssentialRecord)).first()
        row.essential_id = "rewritten"
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.scalars(sa.select(FamilyPlanOutcome)).first())
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()


def test_new_rows_can_still_be_added(app, rows, people):
    with app.app_context():
        db.session.add(
            EssentialRecord(
                family_id=rows["family_id"],
                essential_id="assessment",
                in_place_on=dt.date(2024, 1, 9),
                recorded_by_id=people["lead_professional"].id,
            )
        )
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EssentialRecord)) == 2


def test_every_protected_table_is_a_model_table():
    assert set(TABLES) <= set(db.metadata.tables), "a name in TABLES is not a table: a typo?"


def test_create_all_installs_the_same_triggers_as_the_migrations(app):
    # The session's tables were made by db.create_all(), and every test's cleanup lifts and
    # puts back the triggers: they must all be there.
    with app.app_context(), db.engine.connect() as conn:
        assert installed_triggers(conn) == expected_triggers(db.engine.dialect.name)


def test_the_triggers_are_never_lifted_while_serving_a_request(app):
    with (
        app.test_request_context("/"),
        db.engine.begin() as conn,
        pytest.raises(AppendOnlyError),
        triggers_lifted(conn),
    ):
        pass  # pragma: no cover


def test_a_failure_while_lifted_puts_the_triggers_back(app, rows):
    with app.app_context():
        with pytest.raises(RuntimeError), db.engine.begin() as conn, triggers_lifted(conn):
            conn.execute(_table("audit_event").delete())
            raise RuntimeError("something went wrong half way")
        with db.engine.connect() as conn:
            assert installed_triggers(conn) == expected_triggers(db.engine.dialect.name)
        refusal, changed = attack("audit_event", "raw SQL DELETE")
        assert refused_as_append_only(refusal) and changed == 0
