"""Handing a family to another lead professional: by its lead professional, or by an admin."""

import pytest

from portal.extensions import db
from portal.models import AuditEvent, Family
from tests import factories as f
from tests.test_families import has_error, listed_refs


@pytest.fixture
def leads(app, people):
    """The people's lead professional with two families; two other lead professionals, one deactivated."""
    with app.app_context():
        lp = people["lead_professional"]
        return {
            "first": f.make_family(lp, name="Ashworth family"),
            "second": f.make_family(lp, plan_id="durham-2018", name="Brook family"),
            "next": f.make_user("lead_professional", name="Nadia Next"),
            "gone": f.make_user("lead_professional", name="Gerry Gone", active=False),
        }


def lead_of(app, family):
    with app.app_context():
        return db.session.get(Family, family.id).lead_professional_id


def handovers(app):
    with app.app_context():
        return db.session.execute(
            db.select(AuditEvent.family_id, AuditEvent.detail, AuditEvent.user_role)
            .filter_by(action="family.handover")
            .order_by(AuditEvent.id)
        ).all()


# -- by the lead professional ------------------------------------------------------------------


def test_the_lead_professional_is_offered_only_other_active_lead_professionals(client, people, leads):
    f.sign_in(client, people["lead_professional"])
    page = client.get(f"/families/{leads['first'].id}/hand-over").get_data(as_text=True)
    assert f'value="{leads["next"].id}"' in page and "Nadia Next" in page
    assert "Gerry Gone" not in page and f'value="{people["lead_professional"].id}"' not in page
    assert f'value="{people["verifier"].id}"' not in page


def test_handing_over_moves_the_family_and_the_old_lead_no_longer_sees_it(app, client, people, leads):
    f.sign_in(client, people["lead_professional"])
    family = leads["first"]
    response = client.post(f"/families/{family.id}/hand-over", data={"lead": str(leads["next"].id)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/families/")
    assert lead_of(app, family) == leads["next"].id
    assert client.get(f"/families/{family.id}").status_code == 404
    assert listed_refs(client.get("/families/").get_data(as_text=True)) == [leads["second"].ref]
    [(family_id, detail, role)] = handovers(app)
    assert (family_id, role) == (family.id, "lead_professional")
    assert detail.endswith(f"to user {leads['next'].id}")
    f.sign_in(client, leads["next"])
    assert listed_refs(client.get("/families/").get_data(as_text=True)) == [family.ref]


@pytest.mark.parametrize("chosen", ["", "gone", "verifier", "lead_professional", "999999"])
def test_handing_over_to_no_one_or_someone_who_cannot_lead_is_refused(app, client, people, leads, chosen):
    f.sign_in(client, people["lead_professional"])
    who = {**people, **leads}.get(chosen)
    page = client.post(
        f"/families/{leads['first'].id}/hand-over", data={"lead": str(who.id) if who else chosen}
    ).get_data(as_text=True)
    assert has_error(page, "lead", "Choose the lead professional to hand the family to")
    assert lead_of(app, leads["first"]) == people["lead_professional"].id and handovers(app) == []


def test_with_no_other_lead_professional_the_family_page_says_so(app, client, people):
    with app.app_context():
        family = f.make_family(people["lead_professional"])
    f.sign_in(client, people["lead_professional"])
    page = client.get(f"/families/{family.id}/hand-over", follow_redirects=True).get_data(as_text=True)
    assert "There is no other active lead professional to hand the family to. An admin can add one." in page
    assert f"Family {family.ref}" in page


def test_another_lead_professional_cannot_hand_over_a_family_they_do_not_lead(app, client, people, leads):
    f.sign_in(client, leads["next"])
    response = client.post(f"/families/{leads['first'].id}/hand-over", data={"lead": str(leads["next"].id)})
    assert response.status_code == 404
    assert lead_of(app, leads["first"]) == people["lead_professional"].id


# -- by an admin -------------------------------------------------------------------------------


def test_the_admin_user_page_says_how_many_families_someone_leads(client, people, leads):
    f.sign_in(client, people["admin"])
    page = client.get(f"/admin/users/{people['lead_professional'].id}").get_data(as_text=True)
    assert "is the lead professional for 2 families" in page
    assert f'href="/admin/users/{people["lead_professional"].id}/families"' in page


def test_an_admin_sees_the_references_all_ticked_and_the_read_is_audited(app, client, people, leads):
    f.sign_in(client, people["admin"])
    page = client.get(f"/admin/users/{people['lead_professional'].id}/families").get_data(as_text=True)
    for family in (leads["first"], leads["second"]):
        assert f'value="{family.id}" checked' in page and family.ref in page
    assert "Ashworth family" not in page  # references only: an admin sees no case
    with app.app_context():
        event = db.session.scalars(db.select(AuditEvent).filter_by(action="family.list")).one()
    assert event.detail == f"families led by user {people['lead_professional'].id}" and event.user_role == "admin"


def test_an_admin_hands_over_the_families_chosen(app, client, people, leads):
    f.sign_in(client, people["admin"])
    url = f"/admin/users/{people['lead_professional'].id}/families"
    response = client.post(url, data={"families": [str(leads["second"].id)], "lead": str(leads["next"].id)})
    assert response.status_code == 302
    assert lead_of(app, leads["second"]) == leads["next"].id
    assert lead_of(app, leads["first"]) == people["lead_professional"].id
    assert [(family_id, role) for family_id, _, role in handovers(app)] == [(leads["second"].id, "admin")]


def test_an_admin_must_choose_families_and_a_lead(app, client, people, leads):
    f.sign_in(client, people["admin"])
    # A browser always sends the CSRF token; with CSRF off in tests, an empty lead stands in for it.
    page = client.post(f"/admin/users/{people['lead_professional'].id}/families", data={"lead": ""}).get_data(
        as_text=True
    )
    assert has_error(page, "families", "Choose at least one family to hand over")
    assert has_error(page, "lead", "Choose the lead professional to hand the families to")
    assert handovers(app) == []


def test_a_lead_professional_with_families_keeps_the_role_until_they_are_handed_over(app, client, people, leads):
    f.sign_in(client, people["admin"])
    lp = people["lead_professional"]
    url = f"/admin/users/{lp.id}/edit"
    data = {"name": lp.name, "role": "verifier", "agency_id": ""}
    page = client.post(url, data=data).get_data(as_text=True)
    assert has_error(
        page,
        "role",
        f"{lp.name} is the lead professional for 2 families. "
        "Hand them over to another lead professional before changing the role",
    )
    client.post(
        f"/admin/users/{lp.id}/families",
        data={"families": [str(leads["first"].id), str(leads["second"].id)], "lead": str(leads["next"].id)},
    )
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        assert db.session.get(type(lp), lp.id).role == "verifier"


@pytest.mark.parametrize("role", ["lead_professional", "verifier", "partner"])
def test_only_admins_reach_the_admin_handover(client, people, leads, role):
    f.sign_in(client, people[role])
    assert client.get(f"/admin/users/{people['lead_professional'].id}/families").status_code in (403, 404)
