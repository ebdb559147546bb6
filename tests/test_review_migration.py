"""Migration 0005 (one review per evidence version) on a database that already holds data."""

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from portal import MIGRATIONS_FOLDER, create_app
from portal.extensions import db

NOW = "2024-01-08 10:00:00+00:00"


def this_revision(config):
    """Found by its message, so it is still found after the migrations are renumbered."""
    revisions = ScriptDirectory.from_config(config).walk_revisions()
    return next(r for r in revisions if r.doc.startswith("one review per evidence version"))


@pytest.fixture
def before_0005(empty_database_url):
    """A database migrated to the revision before 0005, with one evidence version and one review."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config(str(MIGRATIONS_FOLDER))
        command.upgrade(config, this_revision(config).down_revision)
        with db.engine.begin() as conn:
            for statement in (
                (
                    "INSERT INTO user_account (id, email, name, role, password_hash, created_at) "
                    "VALUES (1, 'lp@example.org', 'L', 'lead_professional', 'x', :now)"
                ),
                (
                    "INSERT INTO family (id, ref, name, plan_id, lead_professional_id, created_at) "
                    "VALUES (1, 'T-1', 'F', 'suffolk-2017', 1, :now)"
                ),
                (
                    "INSERT INTO evidence (id, family_id, outcome_id, member_ids, source, period_start, period_end, "
                    '"values", statement, submitted_by_id, submitted_at) '
                    "VALUES (7, 1, '6.2', '[]', 's', '2024-01-01', '2024-02-01', '{}', 's', 1, :now)"
                ),
                (
                    "INSERT INTO evidence_review (evidence_id, decision, reason, reviewed_by_id, reviewed_at) "
                    "VALUES (7, 'accepted', '', 1, :now)"
                ),
            ):
                conn.execute(sa.text(statement), {"now": NOW})
        yield config
        db.session.remove()
        db.engine.dispose()


def _second_review():
    with db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO evidence_review (evidence_id, decision, reason, reviewed_by_id, "
                "reviewed_at) VALUES (7, 'returned', 'x', 1, :now)"
            ),
            {"now": NOW},
        )


def test_the_upgrade_keeps_the_data_and_then_refuses_a_second_decision(before_0005):
    command.upgrade(before_0005, this_revision(before_0005).revision)
    with pytest.raises(sa.exc.IntegrityError):
        _second_review()
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM evidence_review")).scalar() == 1


def test_the_upgrade_stops_and_names_versions_that_already_hold_two_decisions(before_0005):
    _second_review()
    with pytest.raises(RuntimeError, match=r"more than one review.*: 7$"):
        command.upgrade(before_0005, this_revision(before_0005).revision)
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM evidence_review")).scalar() == 2  # nothing dropped
