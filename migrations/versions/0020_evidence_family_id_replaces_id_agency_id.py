"""evidence: index (family_id, replaces_id, agency_id), for the count of a family's items

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 09:00:00

The family page and the family's evidence list say how many items (lines of versions) there are
(portal/families/page.count_items). Counted as the latest versions, the count read every version
the family had; it now counts the first versions (replaces_id NULL), from this index alone. A plain CREATE INDEX,
not a batch: on SQLite a batch would copy the table and drop its append-only triggers.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_evidence_family_id_replaces_id_agency_id", "evidence", ["family_id", "replaces_id", "agency_id"], unique=False
    )


def downgrade():
    op.drop_index("ix_evidence_family_id_replaces_id_agency_id", table_name="evidence")
