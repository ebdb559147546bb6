"""Migrations build exactly the schema the models describe, on each database."""

import shutil
from pathlib import Path

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from portal import MIGRATIONS_FOLDER, create_app
from portal.extensions import db


@pytest.fixture
def empty_app(empty_database_url):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def schema_differences():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        return compare_metadata(context, db.metadata)


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
