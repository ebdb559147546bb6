"""Builders for test data, on the real test database (no mocks)."""

import datetime as dt
import itertools
import re
import time

import pyotp
import sqlalchemy as sa

from portal.auth.passwords import hash_password
from portal.extensions import db
from portal.models import (
    Agency,
    EssentialRecord,
    Family,
    IdentifiedProblem,
    Member,
    TeamMembership,
    User,
)

PASSWORD = "correct horse battery staple"
_HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose
_counter = itertools.count(1)


def make_agency(name=None, kind="school"):
    agency = Agency(name=name or f"Agency {next(_counter)}", kind=kind)
    db.session.add(agency)
    db.session.commit()
    return agency


def make_user(role, agency=None, email=None, name=None, active=True, second_factor=True):
    """A user; with an authenticator app already set up unless second_factor=False."""
    n = next(_counter)
    user = User(
        email=email or f"{role.replace('_', '-')}{n}@example.org",
        name=name or f"{role.title()} {n}",
        role=role,
        agency_id=agency.id if agency else None,
        password_hash=_HASH,
        active=active,
    )
    if second_factor:
        user.totp_secret = pyotp.random_base32()
        user.totp_confirmed_at = dt.datetime.now(dt.UTC)
    db.session.add(user)
    db.session.commit()
    return user


def totp_code(user):
    """A real code from the user's authenticator app that the portal has not accepted yet.

    The portal accepts the step before, at and after now, each only once. A test that
    signs the same user in more than twice within 30 seconds would have to
    wait for the clock; instead the step the portal last accepted is cleared first
    (the only shortcut: the code itself is checked as in production).
    """
    secret, last = db.session.execute(sa.select(User.totp_secret, User.totp_last_step).where(User.id == user.id)).one()
    current = int(time.time() // 30)
    # Now first, then the next step: both still valid if the clock ticks over before the check.
    unused = [step for step in (current, current + 1) if last is None or step > last]
    if not unused:
        db.session.execute(sa.update(User).where(User.id == user.id).values(totp_last_step=None))
        db.session.commit()
        unused = [current]
    return pyotp.TOTP(secret).generate_otp(unused[0])


def make_family(lead, plan_id="suffolk-2017", name="Test family", engaged_on=dt.date(2024, 1, 8)):
    family = Family(
        ref=f"T-{next(_counter):05d}", name=name, plan_id=plan_id, lead_professional_id=lead.id, engaged_on=engaged_on
    )
    db.session.add(family)
    db.session.commit()
    return family


def add_member(family, by, role="child", born=dt.date(2012, 5, 1), name="Sam", activity="education"):
    member = Member(
        family_id=family.id, name=name, role=role, date_of_birth=born, activity=activity, recorded_by_id=by.id
    )
    db.session.add(member)
    db.session.commit()
    return member


def add_problem(
    family, by, problem_id, indicator_id, member=None, stage="identification", identified_on=dt.date(2024, 1, 8)
):
    row = IdentifiedProblem(
        family_id=family.id,
        problem_id=problem_id,
        indicator_id=indicator_id,
        stage=stage,
        identified_on=identified_on,
        member_id=member.id if member else None,
        recorded_by_id=by.id,
    )
    db.session.add(row)
    db.session.commit()
    return row


def add_essentials(family, by, *essential_ids, on=dt.date(2024, 1, 8)):
    for essential_id in essential_ids:
        db.session.add(
            EssentialRecord(family_id=family.id, essential_id=essential_id, in_place_on=on, recorded_by_id=by.id)
        )
    db.session.commit()


def attach(family, agency, by):
    db.session.add(TeamMembership(family_id=family.id, agency_id=agency.id, attached_by_id=by.id))
    db.session.commit()


def _set_up_app(client, user, csrf):
    """A user with no app yet (e.g. a demo user) sets one up, as a person would."""
    token = csrf_token(client, "/sign-in/set-up") if csrf else None  # the page also makes the secret
    if not csrf:
        client.get("/sign-in/set-up")
    with client.application.app_context():
        secret = db.session.scalar(sa.select(User.totp_secret).where(User.id == user.id))
    data = {"code": pyotp.TOTP(secret).now()} | ({"csrf_token": token} if csrf else {})
    page = client.post("/sign-in/set-up", data=data)
    assert page.status_code == 200 and "recovery-codes" in page.get_data(as_text=True), page.get_data(as_text=True)
    return client.post("/sign-in/set-up/done", data={"csrf_token": token} if csrf else {})


def csrf_token(client, path):
    """The CSRF token of the form on a page (for apps with WTF_CSRF_ENABLED)."""
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    return found.group(1) if found else ""


def sign_in(client, user, password=PASSWORD, next_page=None, csrf=False):
    """Sign in for real: the password, then a current code from the user's authenticator app."""
    query = f"?next={next_page}" if next_page else ""
    data = {"email": user.email, "password": password}
    if csrf:
        data["csrf_token"] = csrf_token(client, "/sign-in")
    response = client.post(f"/sign-in{query}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    if response.headers["Location"].endswith("/sign-in/set-up"):
        response = _set_up_app(client, user, csrf)
    elif response.headers["Location"].endswith("/sign-in/code"):
        with client.application.app_context():
            data = {"code": totp_code(user)}
        if csrf:
            data["csrf_token"] = csrf_token(client, "/sign-in/code")
        response = client.post("/sign-in/code", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)
    return response


# A Flask-WTF CSRF token is a signed, timestamped value ("Ij…"."…"."…"): it changes from one
# second to the next wherever it appears (hidden fields, the hx-headers JSON, the timeout
# warning's keep-alive form), and so do the session seconds the timeout warning counts down.
# Its first part is the base64 of a JSON string of hex digits: '"' and a digit read "Ij",
# '"' and a letter (a-f) read "Im". Matching "Ij" only made page comparisons fail whenever
# the second ticked over between two requests and the token began with a letter.
_SIGNED_TOKEN = re.compile(r"I[jm][A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def comparable_page(body: str) -> str:
    """A page with its time-dependent values set aside, to compare two answers a second apart."""
    body = re.sub(r'data-seconds-left="\d+"', "data-seconds-left", body)
    return _SIGNED_TOKEN.sub("TOKEN", body)
