"""Builders for test data, on the real test database (no mocks)."""

import datetime as dt
import itertools

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


def make_user(role, agency=None, email=None, name=None, active=True):
    n = next(_counter)
    user = User(email=email or f"{role.replace('_', '-')}{n}@example.org", name=name or f"{role.title()} {n}",
                role=role, agency_id=agency.id if agency else None, password_hash=_HASH, active=active)
    db.session.add(user)
    db.session.commit()
    return user


def make_family(lead, plan_id="suffolk-2017", name="Test family", engaged_on=dt.date(2024, 1, 8)):
    family = Family(ref=f"T-{next(_counter):05d}", name=name, plan_id=plan_id,
                    lead_professional_id=lead.id, engaged_on=engaged_on)
    db.session.add(family)
    db.session.commit()
    return family


def add_member(family, by, role="child", born=dt.date(2012, 5, 1), name="Sam", activity="education"):
    member = Member(family_id=family.id, name=name, role=role, date_of_birth=born, activity=activity,
                    recorded_by_id=by.id)
    db.session.add(member)
    db.session.commit()
    return member


def add_problem(family, by, problem_id, indicator_id, member=None, stage="identification",
                identified_on=dt.date(2024, 1, 8)):
    row = IdentifiedProblem(family_id=family.id, problem_id=problem_id, indicator_id=indicator_id, stage=stage,
                            identified_on=identified_on, member_id=member.id if member else None,
                            recorded_by_id=by.id)
    db.session.add(row)
    db.session.commit()
    return row


def add_essentials(family, by, *essential_ids, on=dt.date(2024, 1, 8)):
    for essential_id in essential_ids:
        db.session.add(EssentialRecord(family_id=family.id, essential_id=essential_id, in_place_on=on,
                                       recorded_by_id=by.id))
    db.session.commit()


def attach(family, agency, by):
    db.session.add(TeamMembership(family_id=family.id, agency_id=agency.id, attached_by_id=by.id))
    db.session.commit()


def sign_in(client, user, password=PASSWORD):
    response = client.post("/sign-in", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response
