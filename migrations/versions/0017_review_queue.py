"""review_queue: each evidence version's place in the review work, for the to-do counts

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 06:30:00

A copy of what the evidence and its reviews say (portal/evidence/queue.py), so the to-do
counts on every page read the open items only, not every version the families ever had
(docs/performance.md, run 13). Updated in place, not append-only. Written here for the
evidence already stored, by the same rule as queue.refresh: one row for each submitter of
each version and of every version before it, with the first version's submitter, then each
version's state.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

FILL = """
INSERT INTO review_queue (evidence_id, by_id, family_id, first_by_id, state)
WITH RECURSIVE queue_chain(root, replaces_id, by_id) AS (
    SELECT id, replaces_id, submitted_by_id FROM evidence
    UNION ALL
    SELECT queue_chain.root, earlier.replaces_id, earlier.submitted_by_id
    FROM evidence AS earlier JOIN queue_chain ON earlier.id = queue_chain.replaces_id
)
SELECT DISTINCT queue_chain.root, queue_chain.by_id, evidence.family_id, first_version.by_id, 'awaiting'
FROM queue_chain
JOIN queue_chain AS first_version ON first_version.root = queue_chain.root AND first_version.replaces_id IS NULL
JOIN evidence ON evidence.id = queue_chain.root
"""

STATES = """
UPDATE review_queue SET state = CASE
    WHEN EXISTS (SELECT 1 FROM evidence AS later WHERE later.replaces_id = review_queue.evidence_id) THEN 'done'
    WHEN (SELECT decision FROM evidence_review WHERE evidence_review.evidence_id = review_queue.evidence_id) = 'returned'
        THEN 'returned'
    WHEN EXISTS (SELECT 1 FROM evidence_review WHERE evidence_review.evidence_id = review_queue.evidence_id) THEN 'done'
    ELSE 'awaiting'
END
"""


def upgrade():
    op.create_table('review_queue',
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=False),
    sa.Column('first_by_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['user_account.id'], name=op.f('fk_review_queue_by_id_user_account')),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_review_queue_evidence_id_evidence')),
    sa.ForeignKeyConstraint(['family_id'], ['family.id'], name=op.f('fk_review_queue_family_id_family')),
    sa.ForeignKeyConstraint(['first_by_id'], ['user_account.id'], name=op.f('fk_review_queue_first_by_id_user_account')),
    sa.PrimaryKeyConstraint('evidence_id', 'by_id', name=op.f('pk_review_queue'))
    )
    op.create_index('ix_review_queue_state_family_id', 'review_queue', ['state', 'family_id'], unique=False)
    op.execute(FILL)
    op.execute(STATES)


def downgrade():
    op.drop_index('ix_review_queue_state_family_id', table_name='review_queue')
    op.drop_table('review_queue')
