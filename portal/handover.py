"""Handing a family to another lead professional.

A family has one lead professional, and only they (of the lead professionals) see
it. The lead professional hands a family over themselves; an admin hands over the
families of someone who has left or changed role. Either way the family keeps
everything recorded, the new lead professional sees it at once and the old one no
longer does, and the change is audited against the family.
"""

import sqlalchemy as sa

from .audit import record
from .extensions import db
from .forms.fields import options
from .models import Family, User
from .roles import Role

LP = Role.LEAD_PROFESSIONAL


def successors(current: User | None = None) -> list[User]:
    """Who a family can be handed to: active lead professionals, other than `current`."""
    query = sa.select(User).where(User.role == LP, User.active.is_(True)).order_by(User.name, User.email)
    if current is not None:
        query = query.where(User.id != current.id)
    return db.session.scalars(query).all()


def successor(user_id) -> User | None:
    """The user with this id if a family may be handed to them now."""
    user = db.session.get(User, user_id) if user_id else None
    return user if user is not None and user.role == LP and user.active else None


def lead_options(current) -> list:
    """The successors as the choices of a form's "hand over to" question."""
    return options((str(u.id), f"{u.name} ({u.email})") for u in successors(current))


def led_by(user: User) -> list[Family]:
    return db.session.scalars(_led(user, Family).order_by(Family.ref)).all()


def how_many_led_by(user: User) -> int:
    return db.session.scalar(_led(user, sa.func.count(Family.id)))


def _led(user: User, what):
    return sa.select(what).where(Family.lead_professional_id == user.id)


def hand_over(families, new_lead: User, by: User) -> None:
    """`by` makes `new_lead` the lead professional of each family, auditing each; one commit for all.

    The new lead professional is e-mailed about each family (unless they handed it to themselves).
    """
    from .notify import events

    for family in families:
        before = family.lead_professional
        family.lead_professional_id = new_lead.id
        record("family.handover", family, detail=f"lead professional user {before.id} to user {new_lead.id}", user=by)
        events.family_handed_over(family, new_lead, by)
    db.session.commit()
