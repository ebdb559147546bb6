"""evidence documents (append-only)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 11:45:00

"""
from alembic import op
import sqlalchemy as sa

from portal.models.append_only import drop_append_only_triggers, install_append_only_triggers


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evidence_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('filename', sa.String(length=120), nullable=False),
    sa.Column('scanned_with', sa.String(length=200), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('carried_from_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['carried_from_id'], ['evidence_document.id'], name=op.f('fk_evidence_document_carried_from_id_evidence_document')),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_evidence_document_evidence_id_evidence')),
    sa.ForeignKeyConstraint(['family_id'], ['family.id'], name=op.f('fk_evidence_document_family_id_family')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_evidence_document_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_document'))
    )
    with op.batch_alter_table('evidence_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_document_evidence_id'), ['evidence_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_document_family_id'), ['family_id'], unique=False)
    install_append_only_triggers(op, "evidence_document")


def downgrade():
    drop_append_only_triggers(op, "evidence_document")
    with op.batch_alter_table('evidence_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_document_family_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_document_evidence_id'))
    op.drop_table('evidence_document')
