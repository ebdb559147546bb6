"""Evidence rows: who may see and correct them, and saving new versions.

Evidence is append-only: a correction is a new row naming the version it
replaces (docs/developing.md, "Evidence corrections").
"""

import datetime as dt
import functools
import re
import secrets

import sqlalchemy as sa
from flask import abort
from sqlalchemy.exc import IntegrityError

from ..access import refuse
from ..audit import record
from ..documents import service as documents
from ..extensions import db
from ..locks import hold_family
from ..models import Evidence, Member
from ..models.evidence import STATEMENT_START, statement_start
from ..notify import events
from ..roles import Role


def visible_evidence(family, evidence_id, user) -> Evidence:
    """The evidence if it is this family's and the user may see it; 404 otherwise.

    Partners see their own agency's evidence only; lead professionals and
    verifiers (already limited to the family by family_access) see it all.
    A partner asking for another agency's evidence is audited as a refusal.
    """
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.family_id != family.id:
        abort(404)
    if user.role == Role.PARTNER and (user.agency_id is None or evidence.agency_id != user.agency_id):
        refuse("evidence.access-refused", family)
    return evidence


def latest(evidence: Evidence) -> Evidence:
    while evidence.replaced_by is not None:
        evidence = evidence.replaced_by
    return evidence


def correction_refusal(evidence: Evidence) -> str | None:
    """Why this version cannot be corrected, or None.

    Only the latest version, and only while it is unreviewed or returned: an
    accepted version is what a claim may rest on, so a change is new evidence.
    """
    if evidence.status == "superseded":
        newest = latest(evidence)
        return (
            f"Version {evidence.version} has been replaced by version {newest.version}. "
            f"Correct the latest version instead."
        )
    if evidence.status == "accepted":
        return "This evidence has been accepted, so it cannot be corrected. Submit new evidence instead."
    return None


def new_evidence(family, submission: dict, user) -> Evidence:
    row = Evidence(family_id=family.id, submitted_by_id=user.id, agency_id=user.agency_id, **columns(submission))
    db.session.add(row)
    return row


def correction(previous: Evidence, submission: dict, user) -> Evidence:
    """The next version, filed under the same agency (who may correct: portal.evidence.duties)."""
    row = Evidence(
        family_id=previous.family_id,
        submitted_by_id=user.id,
        agency_id=previous.agency_id,
        replaces_id=previous.id,
        version=previous.version + 1,
        **columns(submission),
    )
    db.session.add(row)
    return row


FORM_KEY = re.compile(r"[A-Za-z0-9_-]{20,64}")


def form_key(posted) -> str:
    """The evidence form's once-only key: the one it was drawn with (posted back), else a new one."""
    key = (posted.get("form_key") or "") if posted is not None else ""
    return key if FORM_KEY.fullmatch(key) else secrets.token_urlsafe(24)


class SentAlready(Exception):
    """The form was sent before and its evidence saved then (`evidence`), or the same evidence was
    submitted already (`same`: the back button gives a fresh form): nothing is saved again."""

    def __init__(self, evidence, same=False):
        super().__init__(f"evidence {evidence.id} was saved from this form already")
        self.evidence, self.same = evidence, same


def sent_before(family, evidence: Evidence, uploads=()) -> tuple[Evidence | None, bool]:
    """(the evidence this submission repeats, and whether it was saved from this very form), in one
    query; (None, False) if it is new.

    - Saved from this form already: an item with the form's once-only key (`form_key`), whatever it says.
    - The same evidence: an item this agency (or, without one, this person) submitted before with
      exactly the same outcome, route, people, source, period, values and statement: evidence sent
      twice, which a second row would count twice in the review queue and the to-do counts.
      Evidence that brings documents is the same only if that item has the very same files (by
      their SHA-256, as many of each): Chromium gives the files back to a form the back button
      fetched again, with a fresh key, so Back and Submit sent the same letter twice. With other
      files, its words repeating an item's, it is new evidence.

    One query, classified by the key, so that four copies of one form sent at once are each told
    "sent more than once" whichever of them is saved first: with two queries, a copy could miss the
    first one's key, then find its words (tests/test_evidence.py).

    The family's items with the same words are found by the index on the family and the start of
    the statement (`models.evidence.statement_start`), not by reading every item the family has.
    """
    key = evidence.form_key
    by_agency = evidence.agency_id is not None
    params = {
        "form_key": key,
        "family_id": family.id,
        "outcome_id": evidence.outcome_id,
        "period_start": evidence.period_start,
        "period_end": evidence.period_end,
        "source": evidence.source,
        "statement_start": (evidence.statement or "")[:STATEMENT_START],
        "who": evidence.agency_id if by_agency else evidence.submitted_by_id,
    }
    query = _sent_before_query(bool(key), by_agency)
    candidates = sorted(db.session.scalars(query, params), key=lambda e: e.id)
    from_this_form = next((e for e in candidates if key and e.form_key == key), None)
    if from_this_form is not None:
        return from_this_form, True
    files = sorted(upload.sha256 for upload in uploads)
    same = next(
        (
            e
            for e in candidates
            if e.statement == evidence.statement
            and e.option == evidence.option
            and sorted(e.member_ids or []) == sorted(evidence.member_ids or [])
            and (e.values or {}) == (evidence.values or {})
            # Read only for an item whose words are the same, and only when files came with this one.
            and (not files or sorted(document.sha256 for document in e.documents) == files)
        ),
        None,
    )
    return same, False


@functools.cache
def _sent_before_query(by_key: bool, by_agency: bool):
    """sent_before's statement, built once per shape: by the same words (from the same agency, or
    from the same person when they have none), and by the form's key when it has one."""
    who = Evidence.agency_id if by_agency else Evidence.submitted_by_id
    wanted = [
        sa.and_(
            Evidence.family_id == sa.bindparam("family_id", type_=sa.Integer),
            statement_start(Evidence.statement) == sa.bindparam("statement_start", type_=sa.Text),
            Evidence.outcome_id == sa.bindparam("outcome_id", type_=Evidence.outcome_id.type),
            Evidence.period_start == sa.bindparam("period_start", type_=sa.Date),
            Evidence.period_end == sa.bindparam("period_end", type_=sa.Date),
            Evidence.source == sa.bindparam("source", type_=sa.Text),
            who == sa.bindparam("who", type_=sa.Integer),
        )
    ]
    if by_key:
        wanted.append(Evidence.form_key == sa.bindparam("form_key", type_=Evidence.form_key.type))
    # The whole statement is compared by sent_before, not here: given `statement = 'words'` as well,
    # SQLite writes 'words' into `substr(statement, 1, 100)` (its constant propagation), and the
    # index on that expression no longer matches. In no order, too (sent_before orders the few it
    # finds): ordered by id, SQLite would rather read the family's every item in the order of the
    # index on (family_id, id) than sort a few.
    return sa.select(Evidence).where(sa.or_(*wanted))


def submit(family, submission: dict, user, uploads=(), key: str | None = None) -> Evidence:
    """`user` submits new evidence with its checked documents: saved and audited (`evidence.submit`),
    and the lead professional told (portal/notify), in one commit. `key` is the form's once-only
    key: if evidence was saved from it already, nothing is saved and SentAlready says which.

    The family's lock is held from before the check to the commit (portal/locks.py): a submission
    of the same evidence from another form waits, then finds this one's and is refused."""
    hold_family(family.id)
    evidence = new_evidence(family, submission, user)
    evidence.form_key = key if key and FORM_KEY.fullmatch(key) else None
    with db.session.no_autoflush:
        earlier, from_this_form = sent_before(family, evidence, uploads)
    if earlier is not None:
        db.session.rollback()
        why = (
            f"the form was sent again: evidence {earlier.id} was saved from it"
            if from_this_form
            else f"the same as evidence {earlier.id}"
        )
        record("evidence.submit-refused", family, why, user=user)
        db.session.commit()
        raise SentAlready(earlier, same=not from_this_form)
    try:
        db.session.flush()  # for the id in the audit detail; a second row from one form stops here
    except IntegrityError:
        db.session.rollback()
        earlier = db.session.scalar(sa.select(Evidence).where(Evidence.form_key == key))
        if earlier is None:
            raise
        # Audited as a refusal (the request's read went with the rollback), then said on the page.
        record(
            "evidence.submit-refused",
            family,
            f"the form was sent again: evidence {earlier.id} was saved from it",
            user=user,
        )
        db.session.commit()
        raise SentAlready(earlier) from None
    record("evidence.submit", family, f"evidence {evidence.id} v{evidence.version}", user=user)
    documents.attach(family, evidence, uploads, user)
    events.evidence_submitted(family, evidence, user)
    db.session.commit()
    return evidence


def correct(family, previous: Evidence, submission: dict, user, uploads=(), keep=frozenset()) -> Evidence | None:
    """`user` corrects `previous`: the next version, saved and audited (`evidence.correct`).
    None when someone else corrected it first (replaces_id is unique); nothing is saved then."""
    try:
        evidence = correction(previous, submission, user)
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return None
    detail = f"evidence {evidence.id} v{evidence.version} replaces evidence {previous.id} v{previous.version}"
    record("evidence.correct", family, detail, user=user)
    documents.carry_forward(family, previous, evidence, keep, user)
    documents.attach(family, evidence, uploads, user)
    events.evidence_submitted(family, evidence, user)
    db.session.commit()
    return evidence


def columns(submission: dict) -> dict:
    """A submission the engine has accepted, as Evidence columns."""
    return {
        "outcome_id": submission["outcome"],
        "option": submission.get("option"),
        "member_ids": [int(m.removeprefix("m")) for m in submission["members"]],
        "source": submission["source"],
        "period_start": dt.date.fromisoformat(submission["period"]["start"]),
        "period_end": dt.date.fromisoformat(submission["period"]["end"]),
        "values": submission["values"],
        "statement": submission["statement"],
    }


def members_named(evidence: Evidence) -> list[Member]:
    if not evidence.member_ids:
        return []
    query = db.select(Member).where(Member.id.in_(evidence.member_ids)).order_by(Member.id)
    return db.session.scalars(query).all()
