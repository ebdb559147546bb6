"""evidence: index (family_id, id) in place of (family_id)

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 21:10:00

The family page and the family's evidence list read a family's newest items first. With the
index on family_id alone, PostgreSQL found them by walking the whole table's primary key
backwards and skipping every other family's rows (a cost that grows with every family's
evidence, not this family's). Ordered by id within each family, the index hands over the
family's newest rows first, and serves every query the single-column index served
(docs/performance.md, "Run 18").
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_evidence_family_id_id', 'evidence', ['family_id', 'id'])
    op.drop_index('ix_evidence_family_id', table_name='evidence')


def downgrade():
    op.create_index('ix_evidence_family_id', 'evidence', ['family_id'])
    op.drop_index('ix_evidence_family_id_id', table_name='evidence')
