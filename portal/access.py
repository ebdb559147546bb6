"""Access rules for views.

Every route must declare who may reach it; tests/test_access_rules.py fails on
any view without an `_access_rule`, so a forgotten check shows up in CI rather
than in production.

Family routes take `family_id` in the URL and use `family_access`, which loads
the family, refuses anyone who does not work with it (404, so a stranger cannot
even learn that a reference exists), audits the read and hands the view the
Family. Full pages and HTMX partials use the same decorator, so they cannot
drift apart.

Refusals are audited as refusals, never as reads: a role check's 403 as
`access.refused`, a family or a record in it the user may not have as
`family.access-refused` (or the view's own refusal action, see `refuse`). The
read of a family is recorded only once the view has answered without refusing.
"""

import functools
from functools import wraps

from flask import Response, abort, request, url_for
from flask_login import current_user
from werkzeug.exceptions import Forbidden, HTTPException, NotFound

from .extensions import db
from .roles import Role

PUBLIC = "public"
SIGNED_IN = "signed in"

READERS = (Role.PARTNER, Role.LEAD_PROFESSIONAL, Role.VERIFIER, Role.PROGRAMME_MANAGER)


def public(view):
    """Mark a view as deliberately open to anyone, signed in or not."""
    view._access_rule = PUBLIC
    return view


def signed_in(view):
    """Any signed-in user, whatever their role."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        _require_sign_in()
        return _audited_refusals(view, args, kwargs)

    wrapper._access_rule = SIGNED_IN
    return wrapper


def roles(*allowed):
    """Only signed-in users holding one of the given roles."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            _require_sign_in()
            if current_user.role not in allowed:
                refuse("access.refused", code=403)
            return _audited_refusals(view, args, kwargs)

        wrapper._access_rule = f"roles: {', '.join(allowed)}"
        return wrapper

    return decorate


def family_access(*allowed, action="family.read"):
    """Users of the given roles who work with the family in the URL.

    The view receives `family` in place of `family_id`. The read is audited
    as `action` (views that change data audit the change as well).
    """

    def decorate(view):
        @wraps(view)
        def wrapper(*args, family_id, **kwargs):
            _require_sign_in()
            family = visible_family(family_id, allowed)
            from .audit import drop_read, expect_read, finish_read
            from .audit.details import request_detail

            # The read joins the view's own commit, if it makes one: one commit per request.
            expect_read(action, family, request_detail())
            try:
                response = view(*args, family=family, **kwargs)
            except HTTPException as error:
                drop_read()
                if error.code in REFUSALS and not getattr(error, "audited", False):
                    refuse("family.access-refused", family, code=error.code)  # a record not in this family
                raise
            except BaseException:
                drop_read()
                raise
            finish_read()
            return response

        wrapper._access_rule = f"family: {', '.join(allowed)}"
        return wrapper

    return decorate


def job_access(view):
    """The user who asked for the job in the URL (`job_id`), or a role its kind names.

    The rule itself is written in each job kind's definition (portal/jobs/kinds.py,
    `may_view`). Anyone else gets 404, audited as `job.access-refused`. The view
    receives `job` in place of `job_id`.
    """

    @wraps(view)
    def wrapper(*args, job_id, **kwargs):
        _require_sign_in()
        from .jobs.kinds import may_view
        from .models import Job

        job = db.session.get(Job, job_id)
        if job is None or not may_view(current_user, job):
            refuse("job.access-refused")
        return _audited_refusals(view, args, {**kwargs, "job": job}, "job.access-refused")

    wrapper._access_rule = "job: its requester, or the roles its kind names"
    return wrapper


@functools.cache
def _family_options(partner: bool) -> tuple:
    """What comes with the family, built once per process (docs/developing.md, "Queries on hot paths").

    The lead professional: a partner's submission tells them, and the page names them (a lazy
    load, a round trip of its own, otherwise), without their password hash, authenticator secret
    or lockout (`models.ACCOUNT_SECRETS`, deferred). The team too when a partner asks: can_see
    reads it for them."""
    from sqlalchemy.orm import defer, joinedload

    from .models import ACCOUNT_SECRETS, Family

    options = (joinedload(Family.lead_professional).options(*map(defer, ACCOUNT_SECRETS)),)
    return options + (joinedload(Family.team),) if partner else options


def visible_family(family_id, allowed=READERS):
    from .models import Family

    options = _family_options(current_user.role == Role.PARTNER)
    family = db.session.get(Family, family_id, options=options)
    if family is None:
        abort(404)
    if current_user.role not in allowed or not can_see(current_user, family):
        # Someone trying families that are not theirs is worth knowing about.
        refuse("family.access-refused", family)
    return family


REFUSALS = (403, 404)


def _audited_refusals(view, args, kwargs, action="access.refused"):
    """Call the view; a 403 or 404 it raises (a record that is not there, a page not yet
    ready) is audited as `action` unless the view audited it already."""
    try:
        return view(*args, **kwargs)
    except HTTPException as error:
        if error.code in REFUSALS and not getattr(error, "audited", False):
            refuse(action, code=error.code)
        raise


def refuse(action, family=None, code=404, detail=None):
    """Audit a refused request as `action` (nothing else of it is saved), then answer `code`."""
    from .audit import drop_read, record
    from .audit.details import request_detail

    drop_read()  # a refusal is audited as a refusal, never as a read
    db.session.rollback()
    record(action, family, detail=detail or request_detail())
    db.session.commit()
    error = NotFound() if code == 404 else Forbidden()
    error.audited = True
    raise error


def can_see(user, family) -> bool:
    """Whether the user works with this family (the one rule for every family route)."""
    if user.role in (Role.VERIFIER, Role.PROGRAMME_MANAGER):
        return True  # claims and claim checking need every family, read-only
    if user.role == Role.LEAD_PROFESSIONAL:
        return family.lead_professional_id == user.id
    if user.role == Role.PARTNER:
        return user.agency_id is not None and any(t.agency_id == user.agency_id for t in family.current_team)
    return False  # admins run the service, not cases


def visible_query(user):
    """The families the user works with, as a query: can_see for a whole list (the list never
    offers a family whose page would then refuse the user)."""
    import sqlalchemy as sa

    from .models import Family

    query = sa.select(Family)
    if user.role == Role.LEAD_PROFESSIONAL:
        query = query.where(Family.lead_professional_id == user.id)
    elif user.role == Role.PARTNER:
        query = query.where(Family.id.in_(attached_family_ids(user.agency_id)))
    elif user.role not in (Role.VERIFIER, Role.PROGRAMME_MANAGER):
        query = query.where(sa.false())
    return query


def attached_family_ids(agency_id):
    """The families an agency works with: those whose team it is on now (a select of their ids;
    `agency_id` may be a bound parameter, for a statement built once)."""
    import sqlalchemy as sa

    from .models import TeamMembership

    return sa.select(TeamMembership.family_id).where(
        TeamMembership.agency_id == agency_id, TeamMembership.ended_at.is_(None)
    )


def _require_sign_in():
    from .extensions import login_manager

    if current_user.is_authenticated:
        return
    if request.headers.get("HX-Request"):
        # An HTMX request would swap the sign-in page into part of the form;
        # ask htmx to load the sign-in page as a whole page instead.
        abort(Response(status=401, headers={"HX-Redirect": url_for(login_manager.login_view)}))
    abort(login_manager.unauthorized())
