"""one review per evidence version

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 08:42:41.619196

A version of evidence gets one decision (accepted or returned), enforced by a
unique index on evidence_review.evidence_id. Before this, two reviews sent at
once could both be stored. Such pairs cannot be resolved here: reviews are
append-only and neither decision may be silently dropped, so the upgrade stops
and names them; see docs/security.md, "Segregation of duties".
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    conflicting = op.get_bind().execute(sa.text(
        "SELECT evidence_id FROM evidence_review GROUP BY evidence_id HAVING COUNT(*) > 1 ORDER BY evidence_id"
    )).scalars().all()
    if conflicting:
        raise RuntimeError(
            "Evidence versions with more than one review (decide which stands before upgrading; "
            f"docs/security.md, 'Segregation of duties'): {', '.join(map(str, conflicting))}")
    with op.batch_alter_table('evidence_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_review_evidence_id'))
        batch_op.create_index(batch_op.f('ix_evidence_review_evidence_id'), ['evidence_id'], unique=True)


def downgrade():
    with op.batch_alter_table('evidence_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_review_evidence_id'))
        batch_op.create_index(batch_op.f('ix_evidence_review_evidence_id'), ['evidence_id'], unique=False)
