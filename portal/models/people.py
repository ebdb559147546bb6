"""Agencies, users and their server-side sessions."""

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..roles import Capabilities, Role
from .types import UTCDateTime, utcnow

AGENCY_KINDS = {
    "school": "School",
    "police": "Police",
    "health": "Health",
    "dwp": "DWP / Jobcentre Plus",
    "housing": "Housing",
    "youth_justice": "Youth justice",
    "early_help": "Early help",
    "voluntary": "Voluntary sector",
    "other": "Other",
}

ROLES = {
    Role.PARTNER: "Partner",
    Role.LEAD_PROFESSIONAL: "Lead professional",
    Role.VERIFIER: "Claim verifier",
    # The council's Supporting Families team: claim windows and claims (issue 10).
    Role.PROGRAMME_MANAGER: "Programme manager",
    Role.ADMIN: "Admin",
}


class Agency(db.Model):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def kind_label(self) -> str:
        return AGENCY_KINDS.get(self.kind, self.kind)

    def __repr__(self) -> str:
        return f"<Agency {self.name}>"


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so sign-in is case-insensitive on both databases.
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(30))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))
    password_hash: Mapped[str] = mapped_column(sa.String(300))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.text("true"))
    failed_sign_ins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A lock lifts by itself at locked_until; lock_count (locks in a row without
    # a successful sign-in) doubles the cool-off each time (portal/auth/lockout.py).
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lock_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set when an admin chose the password (a new user, a reset): the user must
    # choose their own at their next sign-in (portal/auth/first_password.py).
    must_change_password: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.text("false"))
    # Two-factor sign-in (portal/auth/two_factor.py): the TOTP secret, kept
    # unconfirmed until the user has typed a code from their app, and the time
    # step of the last code accepted, so that a code is never accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # E-mails about work (evidence, queries, handovers) in one daily digest instead of
    # one by one (portal/notify). Account e-mails (a reset link) always go at once.
    notify_digest: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.text("false"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    agency: Mapped[Agency | None] = relationship()

    # Set per request by portal.auth.sessions: Flask-Login keeps get_id() in
    # the cookie, and it must be the server-side session token, not the user id.
    session_token = None
    session_row = None  # the UserSession of this request (portal.auth.sessions)

    def get_id(self):
        return self.session_token

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def can(self) -> Capabilities:
        """What this user may do, for templates: `current_user.can.manage_claims` (portal/roles.py)."""
        return Capabilities(self)

    @property
    def has_second_factor(self) -> bool:
        return self.totp_secret is not None and self.totp_confirmed_at is not None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


# What would let someone sign in as the user, or tells of their sign-ins: deferred wherever an
# account is read on every request (the signed-in user, portal/auth/sessions.py; a family's lead
# professional, portal/access.py), and loaded by the page that asks for it (changing a password,
# the second factor, the lockout).
ACCOUNT_SECRETS = (
    User.password_hash,
    User.totp_secret,
    User.totp_last_step,
    User.failed_sign_ins,
    User.locked_at,
    User.locked_until,
    User.lock_count,
)


class UserSession(db.Model):
    """A signed-in session, held on the server so it can be ended.

    The cookie carries only the random token; signing out, deactivation or 30
    minutes idle sets ended_at, after which the cookie is worthless even if it
    was copied.
    """

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    # sha256 of the token: a leaked database does not yield live sessions.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(sa.String(30))

    user: Mapped[User] = relationship()


class RecoveryCode(db.Model):
    """A one-time code that signs in instead of the authenticator app (a lost phone).

    Only its sha256 is kept: the codes are random (80 bits), so a hash needs no
    salt or slow function. Used codes keep used_at; a new set replaces the old.
    """

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class KeptForm(db.Model):
    """What a user typed into a form that could not be saved because their session or
    the form's token had expired; offered back on the same page (portal/auth/kept_forms.py)."""

    __tablename__ = "kept_form"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    path: Mapped[str] = mapped_column(sa.String(2000))
    fields: Mapped[list] = mapped_column(sa.JSON, default=list)  # [[name, value], ...]
    kept_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
