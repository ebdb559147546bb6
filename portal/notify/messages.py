"""What each notification says: a subject and a few lines, with the family reference and a link only.

Messages carry no case data (no names, reasons, outcomes or dates of the case):
whoever reads them (a shared mailbox, the outbox page an admin reads) learns only
that something about family SF-0012 needs them, and must sign in to see what.
GOV.UK Notify templates (docs/notifications.md) hold the same words, with
((family_ref)) and ((link)) filled in.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    subject: str
    body: str
    # Work messages may wait for the recipient's daily digest; account messages never do.
    digestible: bool = True
    # The link is a secret (a reset link): never stored, withheld from the outbox page.
    secret_link: bool = False


KINDS = {
    kind.name: kind
    for kind in (
        Kind(
            "evidence-returned",
            "Evidence for family {family_ref} has been returned to you",
            "Evidence you submitted for family {family_ref} has been returned to you to correct.\n\n"
            "Sign in to see why and correct it:\n{link}",
        ),
        Kind(
            "evidence-submitted",
            "Evidence for family {family_ref} is waiting for your review",
            "New or corrected evidence for family {family_ref} is waiting for your review.\n\n"
            "Sign in to review it:\n{link}",
        ),
        Kind(
            "verifier-query",
            "A claim verifier has a query about family {family_ref}",
            "A claim verifier has a query about family {family_ref}.\n\nSign in to read and answer it:\n{link}",
        ),
        Kind(
            "query-answered",
            "Your query about family {family_ref} has been answered",
            "The lead professional for family {family_ref} has answered your query about the family's claim line.\n\n"
            "Sign in to read the answer and decide the line again:\n{link}",
        ),
        Kind(
            "family-handed-over",
            "Family {family_ref} has been handed over to you",
            "You are now the lead professional for family {family_ref}.\n\nSign in to see the family:\n{link}",
        ),
        Kind(
            "account-created",
            "Your account for the {service} has been set up",
            "An account has been set up for you on the {service}.\n\n"
            "Your administrator will tell you your first password. Sign in here:\n{link}\n\n"
            "You will choose your own password and set up an authenticator app when you first sign in.",
            digestible=False,
        ),
        Kind(
            "password-reset-by-admin",
            "Your password for the {service} has been reset",
            "An administrator has reset your password for the {service}. They will tell you the new one, "
            "and you will choose your own when you next sign in:\n{link}\n\n"
            "If you did not expect this, tell your administrator.",
            digestible=False,
        ),
        Kind(
            "password-reset-link",
            "Reset your password for the {service}",
            "Someone asked to reset the password of your account on the {service}.\n\n"
            "To choose a new password, use this link within 1 hour. It works once:\n{link}\n\n"
            "If it was not you, ignore this e-mail: your password has not changed.",
            digestible=False,
            secret_link=True,
        ),
        Kind(
            "password-changed",
            "Your password for the {service} has been changed",
            "The password of your account on the {service} has just been changed with a reset link. "
            "You have been signed out everywhere.\n\n"
            "If it was not you, tell your administrator at once:\n{link}",
            digestible=False,
        ),
        Kind(
            "digest",
            "{count} things need you in the {service}",
            "Since your last digest:\n\n{items}\n\nSign in to act on them:\n{link}",
            digestible=False,
        ),
    )
}

WITHHELD_LINK = "(link withheld: it was sent to the user only)"


def render(kind: Kind, service: str, family_ref: str = "", link: str = "", **extra) -> tuple[str, str]:
    values = {"service": service, "family_ref": family_ref, "link": link, **extra}
    return kind.subject.format(**values), kind.body.format(**values)
