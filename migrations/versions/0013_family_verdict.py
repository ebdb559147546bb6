"""each family's stored verdict for today (family_verdict)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 11:50:00

A copy of the rules engine's answer per family, so the family list filters and sorts
by status without deciding every family (portal/families/standing.py,
docs/performance.md). Updated in place, not append-only. No rows are written here:
a family without one is decided when it is first listed.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('family_verdict',
    sa.Column('family_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('eligible', sa.Boolean(), nullable=False),
    sa.Column('turned_around', sa.Boolean(), nullable=False),
    sa.Column('claim_type', sa.String(length=40), nullable=True),
    sa.Column('earliest_claim_date', sa.Date(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['family_id'], ['family.id'], name=op.f('fk_family_verdict_family_id_family')),
    sa.PrimaryKeyConstraint('family_id', name=op.f('pk_family_verdict'))
    )
    with op.batch_alter_table('family_verdict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_family_verdict_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('family_verdict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_verdict_status'))

    op.drop_table('family_verdict')
