"""evidence.form_key: a form sent twice saves its evidence once

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 07:20:00

A plain ADD COLUMN and CREATE UNIQUE INDEX, not a batch: on SQLite a batch
would copy the table and drop its append-only triggers.
"""
import sqlalchemy as sa
from alembic import op

from portal.models.append_only import install_append_only_triggers

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('evidence', sa.Column('form_key', sa.String(length=64), nullable=True))
    op.create_index(op.f('ix_evidence_form_key'), 'evidence', ['form_key'], unique=True)


def downgrade():
    op.drop_index(op.f('ix_evidence_form_key'), table_name='evidence')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_column('form_key')
    install_append_only_triggers(op, "evidence")  # a SQLite batch copied the table without them
