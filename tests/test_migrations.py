"""Migrations build exactly the schema the models describe, on each database."""

import shutil
import warnings
from pathlib import Path

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import CreateIndex

from portal import MIGRATIONS_FOLDER, create_app
from portal.extensions import db
from portal.models.append_only import expected_triggers, installed_triggers


@pytest.fixture
def empty_app(empty_database_url):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


EXPRESSION_INDEXES = ("ix_evidence_family_id_statement_start",)


def schema_differences():
    with db.engine.connect() as conn, warnings.catch_warnings():
        # SQLite cannot give an index on an expression back, so Alembic says it cannot compare one
        # there; test_each_index_on_an_expression_is_built_as_the_model_says compares it instead.
        for name in EXPRESSION_INDEXES:
            warnings.filterwarnings("ignore", f"Skipped unsupported reflection of expression-based index {name}")
            warnings.filterwarnings(
                "ignore", f"autogenerate skipping metadata-specified expression-based index '{name}'"
            )
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return compare_metadata(context, db.metadata)


def test_each_index_on_an_expression_is_built_as_the_model_says(empty_app):
    """On both databases, read back from the database's own catalogue."""
    flask_migrate.upgrade()
    indexes = {index.name: index for table in db.metadata.tables.values() for index in table.indexes}
    for name in EXPRESSION_INDEXES:
        wanted = str(CreateIndex(indexes[name]).compile(dialect=db.engine.dialect))
        if db.engine.dialect.name == "sqlite":
            query = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"
        else:
            query = "SELECT indexdef FROM pg_indexes WHERE indexname = :name"
        built = db.session.execute(text(query), {"name": name}).scalar()
        assert built is not None, name

        def columns(sql):  # what is indexed, as written between the outer brackets
            return " ".join(sql[sql.index("(") + 1 : sql.rindex(")")].replace('"', "").split())

        assert columns(built) == columns(wanted), (built, wanted)


def test_upgrade_to_head_matches_the_models(empty_app):
    flask_migrate.upgrade()

    assert schema_differences() == []


def test_downgrade_to_base_and_upgrade_again(empty_app):
    flask_migrate.upgrade()
    flask_migrate.downgrade(revision="base")

    assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
    flask_migrate.upgrade()
    assert schema_differences() == []


def test_revisions_are_numbered_in_order():
    config = Config(str(MIGRATIONS_FOLDER / "alembic.ini"))
    # Flask-Migrate normally supplies this; alembic.ini leaves it out.
    config.set_main_option("script_location", str(MIGRATIONS_FOLDER))
    script = ScriptDirectory.from_config(config)
    revisions = list(reversed(list(script.walk_revisions())))

    assert [rev.revision for rev in revisions] == [f"{n:04d}" for n in range(1, len(revisions) + 1)]
    for rev in revisions:
        assert Path(rev.path).name.startswith(f"{rev.revision}_"), rev.path


def test_a_new_revision_gets_the_next_number(empty_app, tmp_path):
    directory = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_FOLDER, directory, ignore=shutil.ignore_patterns("__pycache__"))
    flask_migrate.upgrade(directory=str(directory))

    flask_migrate.revision(directory=str(directory), message="probe")

    latest = len(list((MIGRATIONS_FOLDER / "versions").glob("[0-9]*_*.py")))
    assert (directory / "versions" / f"{latest + 1:04d}_probe.py").exists()


def append_only_triggers():
    with db.engine.connect() as conn:
        return installed_triggers(conn)


def test_the_migrations_install_the_append_only_triggers_on_every_protected_table(empty_app):
    flask_migrate.upgrade()

    assert append_only_triggers() == expected_triggers(db.engine.dialect.name)
    flask_migrate.downgrade(revision="0003")
    assert append_only_triggers() == set()


def add_a_family(conn):
    """A lead professional and a family, in plain SQL (the models are ahead of an old schema)."""
    conn.execute(
        text(
            "INSERT INTO user_account (email, name, role, password_hash, active, failed_sign_ins, "
            "lock_count, created_at) VALUES ('a@example.org', 'A', 'lead_professional', 'x', true, 0, 0, "
            "CURRENT_TIMESTAMP)"
        )
    )
    conn.execute(
        text(
            "INSERT INTO family (ref, name, plan_id, lead_professional_id, created_at) "
            "VALUES ('S-1', 'F', 'suffolk-2017', 1, CURRENT_TIMESTAMP)"
        )
    )


def test_plan_outcomes_chosen_before_versioning_stay_in_the_plan_and_guarded(empty_app):
    flask_migrate.upgrade(revision="0003")
    with db.engine.begin() as conn:
        add_a_family(conn)
        conn.execute(
            text(
                "INSERT INTO family_plan_outcome (family_id, outcome_id, recorded_by_id, recorded_at) "
                "VALUES (1, '6.2', 1, CURRENT_TIMESTAMP)"
            )
        )

    flask_migrate.upgrade()

    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT outcome_id, version, removed FROM family_plan_outcome")).all()
        assert [(o, v, bool(r)) for o, v, r in rows] == [("6.2", 1, False)]
        with pytest.raises(DBAPIError, match="append-only"):
            conn.execute(text("DELETE FROM family_plan_outcome"))


def test_a_downgrade_keeps_the_outcomes_in_the_plan_now(empty_app):
    flask_migrate.upgrade()
    with db.engine.begin() as conn:
        add_a_family(conn)
        for outcome, version, removed in [
            ("6.2", 1, False),
            ("6.2", 2, True),
            ("1.1", 1, False),
            ("2.1", 1, False),
            ("2.1", 2, True),
            ("2.1", 3, False),
        ]:
            conn.execute(
                text(
                    "INSERT INTO family_plan_outcome (family_id, outcome_id, version, removed, "
                    "recorded_by_id, recorded_at) VALUES (1, :o, :v, :r, 1, CURRENT_TIMESTAMP)"
                ),
                {"o": outcome, "v": version, "r": removed},
            )

    flask_migrate.downgrade(revision="0003")

    with db.engine.connect() as conn:
        kept = conn.execute(text("SELECT outcome_id FROM family_plan_outcome ORDER BY outcome_id")).scalars().all()
    assert kept == ["1.1", "2.1"]
