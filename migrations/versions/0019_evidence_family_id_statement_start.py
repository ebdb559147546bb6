"""evidence: index (family_id, the statement's first 100 characters), for the duplicate check

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 06:00:00

The check that the same evidence was not submitted already read every item of the family
(portal/evidence/records.sent_before); it now reads the items whose statements start the same.
A plain CREATE INDEX, not a batch: on SQLite a batch would copy the table and drop its
append-only triggers.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_evidence_family_id_statement_start",
        "evidence",
        ["family_id", sa.text("substr(statement, 1, 100)")],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_evidence_family_id_statement_start", table_name="evidence")
