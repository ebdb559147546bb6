"""Evidence submitted by partners, and the lead professional's reviews of it.

Both are append-only (see append_only.py): a correction is a new Evidence row
that names the one it replaces, and an acceptance or return is a new Review,
at most one per version.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from ..extensions import db
from .people import Agency, User
from .types import UTCDateTime, utcnow

DECISIONS = {"accepted": "Accepted", "returned": "Returned"}


class Evidence(db.Model):
    __tablename__ = "evidence"
    # A family's items newest first (the family page, the evidence list) read straight from the
    # index, whatever other families hold (migration 0018).
    __table_args__ = (sa.Index("ix_evidence_family_id_id", "family_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(sa.ForeignKey("family.id"))
    outcome_id: Mapped[str] = mapped_column(sa.String(40))
    # For outcomes that can be shown several ways (the plan's any_of options).
    option: Mapped[str | None] = mapped_column(sa.String(60))
    # Family member ids (Member.id) the evidence is about; empty for the family.
    member_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    source: Mapped[str] = mapped_column(sa.Text)
    period_start: Mapped[date] = mapped_column(sa.Date)
    period_end: Mapped[date] = mapped_column(sa.Date)
    # What the outcome's measure needs, keyed as in docs/plan-format.md.
    values: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    statement: Mapped[str] = mapped_column(sa.Text)
    submitted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A correction names the version it replaces; unique, so a version is
    # corrected at most once and the versions form a single line.
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("evidence.id"), unique=True)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # The once-only key of the form it was sent from (records.form_key): a form sent twice (two
    # clicks, the back button, two requests at once) saves its evidence once. None for evidence
    # saved before 29 November 2026, or not from the web form.
    form_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True, index=True)

    submitted_by: Mapped[User] = relationship()
    agency: Mapped[Agency | None] = relationship()
    replaces: Mapped["Evidence | None"] = relationship(remote_side=[id], foreign_keys=[replaces_id])
    reviews: Mapped[list["Review"]] = relationship(order_by="Review.id", back_populates="evidence")
    replaced_by: Mapped["Evidence | None"] = relationship(
        foreign_keys=[replaces_id], back_populates="replaces", uselist=False, viewonly=True
    )
    documents: Mapped[list["EvidenceDocument"]] = relationship(
        order_by="EvidenceDocument.id", back_populates="evidence"
    )

    @staticmethod
    def with_status():
        """Loader options for a query of many rows: what `status` reads, in two queries for all of them."""
        return selectinload(Evidence.reviews), selectinload(Evidence.replaced_by)

    @property
    def latest_review(self) -> "Review | None":
        return self.reviews[-1] if self.reviews else None

    @property
    def status(self) -> str:
        """submitted, accepted, returned or superseded (as the rules engine reads it)."""
        if self.replaced_by is not None:
            return "superseded"
        review = self.latest_review
        return review.decision if review else "submitted"

    @property
    def history(self) -> list["Evidence"]:
        """This version and every earlier one, newest first."""
        versions, current = [], self
        while current is not None:
            versions.append(current)
            current = current.replaces
        return versions


# How much of a statement the index below holds: enough to tell a family's items apart by their
# words, short enough for any index entry (400 bytes at most).
STATEMENT_START = 100


def statement_start(statement):
    """The first STATEMENT_START characters of `statement` (a column or a value), written as the
    index below is: SQLite uses an index on an expression only for the very same expression, so its
    numbers are written into the SQL, not sent as parameters."""
    return sa.func.substr(statement, sa.literal_column("1"), sa.literal_column(str(STATEMENT_START)))


# The duplicate check (portal/evidence/records.sent_before) finds the family's items with the same
# words by this index, however many items the family has (migration 0019).
sa.Index("ix_evidence_family_id_statement_start", Evidence.family_id, statement_start(Evidence.statement))

# How many items (lines of versions) a family has, or an agency's items in it
# (portal/families/page.count_items), is how many first versions it has: each line starts with one
# version that replaces none, and a correction is filed in its version's family, under its agency
# (records.correction). The first versions are the (family_id, NULL) range of this index, which
# holds the agency too, so the count reads one index entry an item and nothing else: no version a
# correction replaced, nor the correction, nor the table (migration 0020).
sa.Index("ix_evidence_family_id_replaces_id_agency_id", Evidence.family_id, Evidence.replaces_id, Evidence.agency_id)


class Review(db.Model):
    __tablename__ = "evidence_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One decision per version, enforced by the database: two reviewers pressing
    # the button at once cannot both be stored (docs/security.md, "Segregation of duties").
    evidence_id: Mapped[int] = mapped_column(sa.ForeignKey("evidence.id"), index=True, unique=True)
    decision: Mapped[str] = mapped_column(sa.String(20))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    reviewed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    evidence: Mapped[Evidence] = relationship(back_populates="reviews")
    reviewed_by: Mapped[User] = relationship()


class ReviewQueue(db.Model):
    """Each evidence version's place in the review work, kept so the to-do counts read only the open items.

    Not a record of its own: a copy of what the evidence and its reviews say, one row for each
    person who submitted or corrected the version or any version before it (`by_id`), with the
    first version's submitter (`first_by_id`) and the version's `state`: "awaiting" review,
    "returned" by its review, or "done" (accepted, or corrected since). Written in the same
    transaction as the version, its review or its correction (portal/evidence/queue.py), and its
    state updated in place then; never deleted. The counts of portal/evidence/counts.py read the
    open rows, by `state`, and so cost what the open items cost, not every version ever sent.
    """

    __tablename__ = "review_queue"
    __table_args__ = (sa.Index("ix_review_queue_state_family_id", "state", "family_id"),)

    evidence_id: Mapped[int] = mapped_column(sa.ForeignKey("evidence.id"), primary_key=True)
    by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), primary_key=True)
    family_id: Mapped[int] = mapped_column(sa.ForeignKey("family.id"))
    first_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    state: Mapped[str] = mapped_column(sa.String(10))  # "awaiting", "returned" or "done"


# What a document may be, judged from its bytes (portal/documents/kinds.py): kind -> media type.
DOCUMENT_MEDIA_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class EvidenceDocument(db.Model):
    """A file attached to one version of evidence (append-only, like the evidence).

    The bytes are kept outside the database, content-addressed by sha256
    (portal/documents/storage.py). A correction that keeps a file of the version
    it replaces gets a new row naming the old one (carried_from_id); the old row
    stays with the old version.
    """

    __tablename__ = "evidence_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(sa.ForeignKey("evidence.id"), index=True)
    family_id: Mapped[int] = mapped_column(sa.ForeignKey("family.id"), index=True)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    # pdf, png, jpeg, docx or xlsx: from the file's content, never its name.
    kind: Mapped[str] = mapped_column(sa.String(10))
    # The name the uploader's computer gave it, made safe (letters, digits, . _ -).
    filename: Mapped[str] = mapped_column(sa.String(120))
    # The scanner's version and signature database that passed it.
    scanned_with: Mapped[str] = mapped_column(sa.String(200))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    carried_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("evidence_document.id"))

    evidence: Mapped[Evidence] = relationship(back_populates="documents")
    uploaded_by: Mapped[User] = relationship()
    carried_from: Mapped["EvidenceDocument | None"] = relationship(remote_side=[id])

    @property
    def media_type(self) -> str:
        return DOCUMENT_MEDIA_TYPES[self.kind]

    @property
    def download_name(self) -> str:
        stem = self.filename.rsplit(".", 1)[0] if "." in self.filename else self.filename
        return f"{stem or 'document'}.{self.kind if self.kind != 'jpeg' else 'jpg'}"
