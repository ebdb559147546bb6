"""a member left the household (member_departure, append-only)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 11:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

from portal.models.append_only import install_append_only_triggers


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('member_departure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('withdraws_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['family_id'], ['family.id'], name=op.f('fk_member_departure_family_id_family')),
    sa.ForeignKeyConstraint(['member_id'], ['family_member.id'], name=op.f('fk_member_departure_member_id_family_member')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_member_departure_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['withdraws_id'], ['member_departure.id'], name=op.f('fk_member_departure_withdraws_id_member_departure')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_departure')),
    sa.UniqueConstraint('withdraws_id', name=op.f('uq_member_departure_withdraws_id'))
    )
    with op.batch_alter_table('member_departure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_departure_family_id'), ['family_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_departure_member_id'), ['member_id'], unique=False)
    install_append_only_triggers(op, "member_departure")


def downgrade():
    with op.batch_alter_table('member_departure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_departure_member_id'))
        batch_op.drop_index(batch_op.f('ix_member_departure_family_id'))

    op.drop_table('member_departure')
