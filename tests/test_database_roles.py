"""PostgreSQL: the web app runs as a role that may only INSERT and SELECT the append-only tables.

The tables belong to the role that runs the migrations (here the test's superuser);
`grant-app-role` gives a throwaway login role the web app's rights; the test connects
as it, works the portal through it, and tries every way to rewrite a protected row.
Roles are named per run and dropped afterwards. On SQLite the command refuses (no roles).
"""

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.dbroles import RoleError, grant_app_role
from portal.extensions import db
from portal.models import Evidence, FamilyPlanOutcome, Member, Review, UserSession
from portal.models.append_only import TABLES, expected_triggers, installed_triggers, triggers_lifted
from tests import factories as f
from tests.conftest import DATABASES
from tests.test_append_only import rows  # noqa: F401  (a row in every protected table)
from tests.test_evidence import attendance

INSUFFICIENT_PRIVILEGE = "42501"
# Every test here runs on PostgreSQL only (when TEST_DATABASE_URL is set), but the last.
on_postgresql = pytest.mark.parametrize("database_url", [k for k in DATABASES if k == "postgresql"], indirect=True)


@pytest.fixture
def superuser(app):
    """An autocommit connection as the tables' owner (the test database's superuser)."""
    with app.app_context():
        engine = sa.create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            yield conn
        engine.dispose()


def _new_role(superuser, prefix="portal_app_test"):
    role = f"{prefix}_{uuid.uuid4().hex[:10]}"
    superuser.exec_driver_sql(f'CREATE ROLE "{role}" LOGIN')
    return role


def _drop_role(superuser, role):
    superuser.exec_driver_sql(f'DROP OWNED BY "{role}"')  # its grants
    superuser.exec_driver_sql(f'DROP ROLE "{role}"')


@pytest.fixture
def app_role(app, superuser):
    """A throwaway login role with the web app's grants; (role, URL to connect as it)."""
    role = _new_role(superuser)
    try:
        grant_app_role(superuser, role)
        yield role, superuser.engine.url.set(username=role, password=None).render_as_string(hide_password=False)
    finally:
        _drop_role(superuser, role)


@pytest.fixture
def as_app(app, app_role):
    """A connection as the app role (autocommit: each statement stands alone)."""
    engine = sa.create_engine(app_role[1], isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def refused(conn, statement):
    """The database's SQLSTATE for refusing statement, or None if it ran."""
    try:
        conn.exec_driver_sql(statement)
    except sa.exc.DBAPIError as error:
        return error.orig.sqlstate
    return None


def snapshot(conn, table):
    return [repr(tuple(r)) for r in conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY id")]


@on_postgresql
def test_the_app_role_may_insert_and_select_the_protected_tables(app, rows, as_app, people):
    for table in TABLES:
        assert as_app.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() >= 1
    as_app.execute(
        sa.text(
            "INSERT INTO essential_record (family_id, essential_id, in_place_on, recorded_by_id, "
            "recorded_at) VALUES (:f, 'assessment', :d, :u, now())"
        ),
        {"f": rows["family_id"], "d": dt.date(2024, 1, 9), "u": people["lead_professional"].id},
    )
    as_app.exec_driver_sql(
        "INSERT INTO audit_event (at, user_email, user_role, agency_name, action, detail) "
        "VALUES (now(), '', '', '', 'probe', '')"
    )
    assert as_app.exec_driver_sql("SELECT count(*) FROM essential_record").scalar() == 2


@on_postgresql
def test_the_app_role_may_not_update_delete_or_truncate_them(app, rows, as_app, capsys):
    attempts, changed, accepted = 0, 0, []
    for table in TABLES:
        before = snapshot(as_app, table)
        for statement in (
            f"UPDATE {table} SET id = id",
            f"DELETE FROM {table}",
            f"TRUNCATE {table}",
            f"TRUNCATE {table} CASCADE",
        ):
            attempts += 1
            if refused(as_app, statement) != INSUFFICIENT_PRIVILEGE:
                accepted.append(statement)
        changed += len(set(before) ^ set(snapshot(as_app, table)))
    with capsys.disabled():
        print(
            f"\n[app role] attempts: {attempts} on {len(TABLES)} tables; refused for want of privilege: "
            f"{attempts - len(accepted)}; rows updated or deleted: {changed}"
        )

    assert accepted == [] and changed == 0


@on_postgresql
def test_the_app_role_cannot_get_round_the_triggers(app, rows, as_app):
    assert refused(as_app, "SET session_replication_role = replica") == INSUFFICIENT_PRIVILEGE
    assert refused(as_app, "ALTER TABLE evidence DISABLE TRIGGER ALL") == INSUFFICIENT_PRIVILEGE
    assert refused(as_app, "DROP TRIGGER evidence_append_only ON evidence") == INSUFFICIENT_PRIVILEGE
    refused(as_app, "GRANT UPDATE, DELETE ON evidence TO CURRENT_USER")  # PostgreSQL warns; grants nothing
    assert refused(as_app, "UPDATE evidence SET id = id") == INSUFFICIENT_PRIVILEGE
    assert refused(as_app, "CREATE TABLE evidence_copy (id int)") == INSUFFICIENT_PRIVILEGE
    assert (
        refused(
            as_app,
            "CREATE OR REPLACE FUNCTION append_only_refuse() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
        )
        == INSUFFICIENT_PRIVILEGE
    )
    with pytest.raises(sa.exc.ProgrammingError, match="must be owner"), triggers_lifted(as_app):
        pass  # pragma: no cover
    assert installed_triggers(as_app) == expected_triggers("postgresql")


@on_postgresql
def test_the_app_role_deletes_nothing_anywhere(app, rows, as_app):
    for table in ("family_member", "family", "user_session", "user_account", "team_membership"):
        assert refused(as_app, f"DELETE FROM {table}") == INSUFFICIENT_PRIVILEGE, table
    assert as_app.exec_driver_sql("UPDATE family SET name = name").rowcount == 1


@on_postgresql
def test_the_portal_works_when_it_runs_as_the_app_role(app, app_role, people):
    """A day's work through the web app connected as the restricted role: nothing needs more."""
    with app.app_context():
        family = f.make_family(people["lead_professional"], plan_id="durham-2018", engaged_on=dt.date(2017, 12, 4))
        lp = people["lead_professional"]
        child = f.add_member(family, lp, role="child", born=dt.date(2008, 3, 1), name="Sam Reed")
        parent = f.add_member(family, lp, role="parent", born=dt.date(1985, 4, 12), name="Alex Reed", activity="")
        f.add_problem(family, lp, "2", "4", member=child, identified_on=dt.date(2017, 11, 20))
        f.add_problem(family, lp, "3", "5", identified_on=dt.date(2017, 11, 20))
        f.attach(family, people["school"], lp)
        suffolk = f.make_family(lp, plan_id="suffolk-2017")
        kerry = f.add_member(suffolk, lp, role="parent", born=dt.date(1986, 4, 12), name="Kerry", activity="none")
        f.add_member(suffolk, lp, role="child", born=dt.date(2012, 6, 25), name="Mia")
        f.add_problem(suffolk, lp, "6", "a", member=kerry)
        f.add_problem(suffolk, lp, "5", "a")
    restricted = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app_role[1]})
    base, suffolk_base = f"/families/{family.id}", f"/families/{suffolk.id}"
    try:
        partner = restricted.test_client()
        assert partner.post("/sign-in", data={"email": people["partner"].email, "password": "wrong"}).status_code == 200
        f.sign_in(partner, people["partner"])
        assert partner.post(f"{base}/evidence/new", data=attendance(child.id)).status_code == 302

        client = restricted.test_client()
        f.sign_in(client, lp)
        with app.app_context():
            evidence = db.session.scalars(sa.select(Evidence)).one()
        steps = [
            (f"{base}/members/new", {"name": "Alfie", "role": "child", "date_of_birth": ["2", "11", "2013"]}),
            (f"{base}/members/{parent.id}/withdraw", {"reason": "Recorded in error"}),
            (f"{base}/reviews/{evidence.id}", {f"e{evidence.id}-decision": "accepted"}),
            (f"{base}/essentials", {"essentials": ["lead_professional"], "in_place_on": ["8", "1", "2018"]}),
            (f"{suffolk_base}/plan-outcomes", {"outcomes": ["6.2", "5.1"]}),
            (f"{suffolk_base}/plan-outcomes", {"outcomes": ["6.2"], "reason": "Not needed"}),
            (f"{base}/close", {"closed_on": ["1", "3", "2019"]}),
            (f"{base}/reopen", {"reason": "More work needed"}),
        ]
        for url, data in steps:
            response = client.post(url, data=data)
            assert response.status_code == 302, (url, response.get_data(as_text=True)[:2000])
        assert client.get(base).status_code == 200
        assert client.post("/sign-out").status_code == 302
    finally:
        with restricted.app_context():
            db.engine.dispose()

    with app.app_context():
        assert db.session.scalars(sa.select(Member.name).filter_by(name="Alfie")).one()
        assert db.session.scalars(sa.select(Review.decision)).all() == ["accepted"]
        assert [(r.outcome_id, r.removed) for r in db.session.scalars(sa.select(FamilyPlanOutcome))] == [
            ("6.2", False),
            ("5.1", False),
            ("5.1", True),
        ]
        assert any(db.session.scalars(sa.select(UserSession.ended_at).where(UserSession.user_id == lp.id)))


@on_postgresql
def test_the_command_grants_and_says_what_it_did(app, superuser):
    role = _new_role(superuser)
    try:
        result = app.test_cli_runner().invoke(args=["grant-app-role", role])
        assert result.exit_code == 0, result.output
        assert "GRANT SELECT, INSERT ON " in result.output and "evidence" in result.output
        granted = superuser.execute(
            sa.text(
                "SELECT table_name, string_agg(privilege_type, ',' ORDER BY privilege_type) "
                "FROM information_schema.role_table_grants WHERE grantee = :role GROUP BY table_name"
            ),
            {"role": role},
        ).all()
        rights = dict(granted)
        assert {rights[t] for t in TABLES} == {"INSERT,SELECT"}
        assert rights["family"] == "INSERT,SELECT,UPDATE"
        assert "alembic_version" not in rights
        # Running it again changes nothing; a grant given by hand is taken back.
        superuser.exec_driver_sql(f'GRANT UPDATE, DELETE ON evidence TO "{role}"')
        assert app.test_cli_runner().invoke(args=["grant-app-role", role]).exit_code == 0
        again = dict(
            superuser.execute(
                sa.text(
                    "SELECT table_name, string_agg(privilege_type, ',' ORDER BY privilege_type) "
                    "FROM information_schema.role_table_grants WHERE grantee = :role GROUP BY table_name"
                ),
                {"role": role},
            ).all()
        )
        assert again == rights
    finally:
        _drop_role(superuser, role)


@on_postgresql
def test_the_command_refuses_roles_that_could_get_round_the_grants(app, superuser):
    boss = _new_role(superuser)
    superuser.exec_driver_sql(f'ALTER ROLE "{boss}" SUPERUSER')
    member = _new_role(superuser)  # of the role that owns the tables
    owner = superuser.exec_driver_sql("SELECT current_user").scalar()
    superuser.exec_driver_sql(f'GRANT "{owner}" TO "{member}"')
    try:
        runner = app.test_cli_runner()
        assert "is a superuser" in runner.invoke(args=["grant-app-role", boss]).output
        assert (
            f"is (or is a member of) {owner}, which owns the tables"
            in runner.invoke(args=["grant-app-role", member]).output
        )
        hostile = 'x"; DROP TABLE evidence; --'
        result = runner.invoke(args=["grant-app-role", hostile])
        assert result.exit_code != 0 and "There is no role" in result.output
        assert "evidence" in sa.inspect(superuser).get_table_names()
    finally:
        _drop_role(superuser, boss)
        _drop_role(superuser, member)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_has_no_roles(app):
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["grant-app-role", "portal_app"])
        assert result.exit_code != 0 and "Database roles are for PostgreSQL" in result.output
        with db.engine.begin() as conn, pytest.raises(RoleError):
            grant_app_role(conn, "portal_app")
