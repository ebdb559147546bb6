"""append-only in the database; family plan outcomes versioned

Triggers refuse UPDATE and DELETE (and, on PostgreSQL, TRUNCATE) on every table
named in portal.models.append_only.TABLES that exists at this point; a later
migration that creates a protected table installs its own with
install_append_only_triggers(op, "table").

Family plan outcomes were deleted when taken out of the plan; from here each
change is a new row with the outcome's next version.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 08:44:26.520812

"""
from alembic import op
import sqlalchemy as sa

from portal.models.append_only import (
    drop_append_only_function,
    drop_append_only_triggers,
    install_append_only_triggers,
    present_tables,
)


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('family_plan_outcome', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('removed', sa.Boolean(), server_default=sa.text('false'), nullable=False))
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_family_plan_outcome_family_id_outcome_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_family_plan_outcome_family_id_outcome_id_version'), ['family_id', 'outcome_id', 'version'])

    # After the batch: on SQLite it rebuilds the table, which drops any triggers on it.
    install_append_only_triggers(op, *present_tables(op))


def downgrade():
    drop_append_only_triggers(op, *present_tables(op))
    drop_append_only_function(op)
    # The old schema holds only the outcomes in the plan now (one row each): the history goes.
    op.execute(
        "DELETE FROM family_plan_outcome WHERE removed OR EXISTS (SELECT 1 FROM family_plan_outcome later "
        "WHERE later.family_id = family_plan_outcome.family_id "
        "AND later.outcome_id = family_plan_outcome.outcome_id AND later.version > family_plan_outcome.version)"
    )
    with op.batch_alter_table('family_plan_outcome', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_family_plan_outcome_family_id_outcome_id_version'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_family_plan_outcome_family_id_outcome_id'), ['family_id', 'outcome_id'])
        batch_op.drop_column('reason')
        batch_op.drop_column('removed')
        batch_op.drop_column('version')
