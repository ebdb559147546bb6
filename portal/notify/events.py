"""The moments that e-mail someone: one function each, called by the feature before its commit.

Each adds the notification to the caller's session (portal/notify/service.py),
so it is saved with the change, or not at all.
"""

from ..extensions import db
from .service import link_to, notify


def evidence_submitted(family, evidence, actor):
    """New or corrected evidence: to the family's lead professional, unless they sent it themselves."""
    with db.session.no_autoflush:  # the submission's rows are written together by its commit
        lead = family.lead_professional
    if lead is None or lead.id == actor.id:
        return None
    return notify(
        "evidence-submitted", lead, family, link_to("families.review", family_id=family.id, evidence_id=evidence.id)
    )


def evidence_returned(family, evidence, actor):
    """A version returned: to whoever submitted that version."""
    submitter = evidence.submitted_by
    if submitter is None or submitter.id == actor.id:
        return None
    return notify(
        "evidence-returned", submitter, family, link_to("evidence.show", family_id=family.id, evidence_id=evidence.id)
    )


def verifier_query(line, decision):
    """A claim verifier queried a line: to the family's lead professional, who answers it."""
    family = line.family
    return notify(
        "verifier-query",
        family.lead_professional,
        family,
        link_to("claims.answer_query", family_id=family.id, decision_id=decision.id),
    )


def query_answered(decision):
    """The lead professional answered a query: to the verifier who asked it, who decides the line again."""
    line = decision.line
    return notify(
        "query-answered",
        decision.decided_by,
        line.family,
        link_to("claims.decide", claim_id=line.claim_id, line_id=line.id),
    )


def family_handed_over(family, new_lead, actor):
    if new_lead.id == actor.id:
        return None
    return notify("family-handed-over", new_lead, family, link_to("families.show", family_id=family.id))


def account_created(user):
    return notify("account-created", user, link=link_to("auth.sign_in"))


def password_reset_by_admin(user):
    return notify("password-reset-by-admin", user, link=link_to("auth.sign_in"))


def password_reset_link(user, token):
    return notify("password-reset-link", user, secret_link=link_to("auth.reset_password", token=token))


def password_changed(user):
    return notify("password-changed", user, link=link_to("auth.sign_in"))
