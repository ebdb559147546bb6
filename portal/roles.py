"""The five roles, named once, and what each lets a user do.

`Role` is a StrEnum: `Role.PARTNER == "partner"`, so the stored value, the audit rows and
any older code that compares strings all keep working. Python code names roles through
it (`@roles(Role.ADMIN)`); templates never ask which role someone has, only what they may
do: `current_user.can.manage_claims` (Capabilities, per user) and, on the family page,
`caps.change_case` (FamilyCapabilities, per user and family). A new thing a template needs
to know is a new property here, so the rule is written once.
"""

from enum import StrEnum


class Role(StrEnum):
    PARTNER = "partner"
    LEAD_PROFESSIONAL = "lead_professional"
    VERIFIER = "verifier"
    PROGRAMME_MANAGER = "programme_manager"
    ADMIN = "admin"


# Who sees what the rules engine decides about a family (its verdict and status).
VERDICT_READERS = (Role.LEAD_PROFESSIONAL, Role.VERIFIER, Role.PROGRAMME_MANAGER)


class Capabilities:
    """What a signed-in user may do anywhere in the portal (`current_user.can`)."""

    def __init__(self, user):
        self.role = user.role

    @property
    def lead_families(self) -> bool:
        """Leads families: adds them and changes their case."""
        return self.role == Role.LEAD_PROFESSIONAL

    @property
    def see_agency_families(self) -> bool:
        """Sees the families whose team includes their agency (and only those)."""
        return self.role == Role.PARTNER

    @property
    def see_verdicts(self) -> bool:
        """Sees what the rules engine decides about a family: its verdict on the family page and its
        status in the family list. Not partners, who submit evidence (docs/security.md), nor admins,
        who see no case data."""
        return self.role in VERDICT_READERS

    @property
    def manage_claims(self) -> bool:
        """Opens claim windows, builds, approves, submits and withdraws claims."""
        return self.role == Role.PROGRAMME_MANAGER

    @property
    def verify_claims(self) -> bool:
        """Checks the lines of a claim's audit sample."""
        return self.role == Role.VERIFIER

    @property
    def review_lead_professional_evidence(self) -> bool:
        """Reviews the evidence lead professionals submitted themselves (nobody reviews their own)."""
        return self.role == Role.PROGRAMME_MANAGER

    @property
    def search_audit_log(self) -> bool:
        """Searches the whole audit log, sign-ins included."""
        return self.role == Role.ADMIN


class FamilyCapabilities:
    """What a user may do with one family they may see (the family page's `caps`).

    Only ever built for a user who passed family_access for that family, so "lead
    professional" here means this family's lead professional.
    """

    def __init__(self, user, family):
        self.role, self.family = user.role, family

    @property
    def change_case(self) -> bool:
        return self.role == Role.LEAD_PROFESSIONAL

    @property
    def submit_evidence(self) -> bool:
        """Partners submit evidence; so may the lead professional (their own judgements)."""
        return self.role in (Role.PARTNER, Role.LEAD_PROFESSIONAL)

    @property
    def answer_claim_queries(self) -> bool:
        return self.role == Role.LEAD_PROFESSIONAL

    @property
    def review_evidence(self) -> bool:
        return self.role in (Role.LEAD_PROFESSIONAL, Role.PROGRAMME_MANAGER)

    @property
    def await_programme_manager(self) -> bool:
        """Their own submissions wait for a programme manager's review, and they are told so."""
        return self.role == Role.LEAD_PROFESSIONAL

    @property
    def see_whole_case(self) -> bool:
        """Everything on the case; partners see their own agency's evidence and less of the members."""
        return self.role != Role.PARTNER

    @property
    def read_audit_log(self) -> bool:
        """The family's audit log (and its CSV), linked from the family page."""
        return self.role in (Role.VERIFIER, Role.LEAD_PROFESSIONAL)

    @property
    def download_closure_pack(self) -> bool:
        """The closure summary with every accepted document behind it (docs/documents.md)."""
        return self.role == Role.LEAD_PROFESSIONAL
