"""the stored verdict keeps the whole decision as the family page shows it, and what it was decided on

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows have neither: they are stale, and decided again when next read.
    with op.batch_alter_table('family_verdict', schema=None) as batch_op:
        batch_op.add_column(sa.Column('view', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('decided_on', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('family_verdict', schema=None) as batch_op:
        batch_op.drop_column('decided_on')
        batch_op.drop_column('view')
