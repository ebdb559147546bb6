"""the council case-system reference on the family (issue 13, section 7)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 11:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('family', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_system_ref', sa.String(length=30), nullable=True))
        batch_op.create_index(batch_op.f('ix_family_case_system_ref'), ['case_system_ref'], unique=False)


def downgrade():
    with op.batch_alter_table('family', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_case_system_ref'))
        batch_op.drop_column('case_system_ref')
