"""User accounts, as an admin manages them.

Agency rule: a partner must belong to an agency, because a partner sees only
the families their agency is attached to (portal.access.can_see). For the
other roles the agency is optional and only shown beside their name (e.g. a
lead professional in the early help team); it gives them no access.
"""

import re

import sqlalchemy as sa

from ..audit import record
from ..auth.passwords import hash_password
from ..auth.sessions import end_all_sessions
from ..extensions import db
from ..handover import how_many_led_by
from ..models import Agency, User
from ..notify import events
from ..roles import Role

# Deliberately loose: the real check is the user receiving their details.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def all_users() -> list[User]:
    return db.session.scalars(sa.select(User).order_by(sa.func.lower(User.name), User.id)).all()


def email_problem(email: str) -> str | None:
    if not EMAIL_PATTERN.match(email):
        return "Enter an email address in the correct format, like name@example.org"
    if db.session.scalar(sa.select(User.id).filter_by(email=email)) is not None:
        return "Another user already has this email address; enter a different email address"
    return None


def agency_problem(role: str | None, agency_id: int | None) -> str | None:
    if agency_id is not None and db.session.get(Agency, agency_id) is None:
        return "Choose an agency from the list"
    if role == Role.PARTNER and agency_id is None:
        return "Choose the partner’s agency"
    return None


def role_problem(actor: User, user: User | None, role: str) -> str | None:
    # An admin demoting themselves could leave the service with no admin at all.
    if user is not None and user.id == actor.id and role != user.role:
        return "You cannot change your own role; ask another admin"
    # A family is seen by its lead professional only: a lead professional with another role would strand it.
    led = how_many_led_by(user) if user is not None and role != user.role else 0
    if led:
        return (
            f"{user.name} is the lead professional for {led} {'family' if led == 1 else 'families'}. "
            "Hand them over to another lead professional before changing the role"
        )
    return None


def describe(user: User) -> str:
    """How audit details name a user: by id only (portal/audit/details.py); the user's page shows the rest."""
    return f"user {user.id}"


def create_user(name: str, email: str, role: str, agency_id: int | None, password: str) -> User:
    user = User(
        name=name,
        email=email,
        role=role,
        agency_id=agency_id,
        password_hash=hash_password(password),
        must_change_password=True,  # an admin chose it: the user chooses their own at first sign-in
    )
    db.session.add(user)
    db.session.flush()  # loads the agency for the audit detail
    record("user.create", detail=f"{describe(user)}; role {user.role}")
    events.account_created(user)
    db.session.commit()
    return user


def create_admin(name: str, email: str, password: str) -> User:
    """The first admin, from `flask create-admin`: they typed the password themselves."""
    user = User(name=name, email=email, role=Role.ADMIN, password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    record("user.create", user=user, detail=f"{describe(user)}; role admin; by the create-admin command")
    db.session.commit()
    return user


def update_user(user: User, name: str, role: str, agency_id: int | None) -> None:
    changed = [
        what
        for what, before, after in (
            ("name", user.name, name),
            ("role", user.role, role),
            ("agency", user.agency_id, agency_id),
        )
        if before != after
    ]
    user.name, user.role, user.agency_id = name, role, agency_id
    db.session.flush()
    db.session.expire(user, ["agency"])
    record("user.update", detail=f"{describe(user)}; changed {', '.join(changed)}; role {user.role}")
    db.session.commit()


def reset_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.must_change_password = True
    end_all_sessions(user, "password reset")
    record("user.password-reset", detail=describe(user))
    events.password_reset_by_admin(user)
    db.session.commit()


# The account actions an admin confirms on a page of their own: each has a
# check (why it cannot be done now, or None) and the change itself.


def deactivate_problem(actor: User, user: User) -> str | None:
    if user.id == actor.id:
        return "You cannot deactivate your own account; ask another admin"
    return None if user.active else f"{user.name}’s account is already deactivated"


def deactivate(user: User) -> None:
    user.active = False
    end_all_sessions(user, "deactivated")  # signed out at once, not at their next idle timeout
    record("user.deactivate", detail=describe(user))
    db.session.commit()


def reactivate_problem(actor: User, user: User) -> str | None:
    return None if not user.active else f"{user.name}’s account is already active"


def reactivate(user: User) -> None:
    user.active = True
    record("user.reactivate", detail=describe(user))
    db.session.commit()


def reset_second_factor_problem(actor: User, user: User) -> str | None:
    if user.id == actor.id:
        return "You cannot reset your own second factor; ask another admin"
    if user.totp_secret is None:
        return f"{user.name} has not set up an authenticator app yet"
    return None


def reset_second_factor(user: User) -> None:
    """A lost phone: forget the app and recovery codes; the user sets up a new app at next sign-in."""
    from ..auth.two_factor import clear_second_factor

    clear_second_factor(user)
    end_all_sessions(user, "second factor reset")
    record("user.second-factor-reset", detail=describe(user))
    db.session.commit()


def unlock_problem(actor: User, user: User) -> str | None:
    return None if user.locked_at is not None else f"{user.name}’s account is not locked"


def unlock(user: User) -> None:
    user.locked_at, user.locked_until, user.failed_sign_ins = None, None, 0
    record("user.unlock", detail=describe(user))
    db.session.commit()
