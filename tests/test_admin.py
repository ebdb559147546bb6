"""Admin: agencies, users and plans; every change audited; only admins get in."""

import pytest

from portal.admin.plans import open_plan_ids
from portal.auth.passwords import verify_password
from portal.extensions import db
from portal.models import Agency, AuditEvent, Family, PlanSetting, User, UserSession
from portal.models.types import utcnow
from portal.rules.plan import load_plans
from tests.factories import PASSWORD, make_family, make_user, sign_in

NEW_PASSWORD = "quartz meadow lantern fig"


@pytest.fixture
def admin(client, people):
    sign_in(client, people["admin"])
    return people["admin"]


def _pages(people):
    user, agency = people["partner"].id, people["school"].id
    return [
        "/admin/users",
        "/admin/users/new",
        f"/admin/users/{user}",
        f"/admin/users/{user}/edit",
        f"/admin/users/{user}/password",
        f"/admin/users/{user}/deactivate",
        f"/admin/users/{user}/reactivate",
        f"/admin/users/{user}/unlock",
        "/admin/agencies",
        "/admin/agencies/new",
        f"/admin/agencies/{agency}/edit",
        "/admin/plans",
    ]


def _count(app, model):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def _audit(app, action):
    with app.app_context():
        return db.session.scalars(db.select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)).all()


def _get(app, model, key):
    with app.app_context():
        return db.session.get(model, key)


# Access


def test_every_admin_page_opens_for_an_admin(client, people, admin):
    for path in _pages(people):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "<h1" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["partner", "lead_professional", "verifier", "programme_manager"])
def test_other_roles_are_refused_every_admin_page(client, people, role):
    sign_in(client, people[role])
    for path in _pages(people):
        assert client.get(path).status_code == 403, path


@pytest.mark.parametrize("role", ["partner", "lead_professional", "verifier", "programme_manager"])
def test_other_roles_cannot_change_anything(client, app, people, role):
    sign_in(client, people[role])
    target = people["police_partner"]
    assert client.post("/admin/agencies/new", data={"name": "Sneaky", "kind": "other"}).status_code == 403
    assert client.post(f"/admin/users/{target.id}/deactivate").status_code == 403
    assert client.post("/admin/plans/suffolk-2017/close").status_code == 403
    assert _get(app, User, target.id).active is True
    assert _count(app, Agency) == 2
    assert _count(app, PlanSetting) == 0


def test_signed_out_visitors_are_sent_to_sign_in(client, people):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_unknown_users_agencies_and_plans_are_not_found(client, admin):
    assert client.get("/admin/users/99999").status_code == 404
    assert client.get("/admin/agencies/99999/edit").status_code == 404
    assert client.post("/admin/plans/nowhere-2020/close").status_code == 404


# Agencies


def test_the_agency_list_shows_each_agency_and_its_kind(client, admin):
    page = client.get("/admin/agencies").get_data(as_text=True)
    assert "Hillside Primary School" in page
    assert "County Police" in page
    assert "Police</td>" in page


def test_an_admin_adds_an_agency(client, app, admin):
    response = client.post("/admin/agencies/new", data={"name": "  Northgate Housing ", "kind": "housing"})
    assert response.status_code == 302
    with app.app_context():
        agency = db.session.scalar(db.select(Agency).filter_by(name="Northgate Housing"))
        assert agency.kind == "housing"
    [event] = _audit(app, "agency.create")
    assert event.family_id is None
    assert event.user_id == admin.id
    assert event.detail == f"agency {agency.id}"  # ids only in audit details
    assert "Northgate Housing" in client.get("/admin/agencies").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "kind": "school"}, "name", "Enter the agency name"),
        ({"name": "   ", "kind": "school"}, "name", "Enter the agency name"),
        (
            {"name": "x" * 201, "kind": "school"},
            "name",
            "Agency name must be 200 characters or fewer",
        ),
        (
            {"name": "hillside primary school", "kind": "school"},
            "name",
            "enter a different agency name",
        ),
        ({"name": "Riverside Academy"}, "kind", "Choose what kind of agency it is"),
        (
            {"name": "Riverside Academy", "kind": "spaceport"},
            "kind",
            "Choose what kind of agency it is",
        ),
    ],
)
def test_a_bad_new_agency_is_refused_naming_the_field_and_nothing_is_saved(client, app, admin, data, field, message):
    response = client.post("/admin/agencies/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert message in page
    assert f'href="#{field}"' in page
    assert _count(app, Agency) == 2
    assert _audit(app, "agency.create") == []


def test_an_admin_renames_an_agency_and_changes_its_kind(client, app, people, admin):
    school = people["school"]
    response = client.post(f"/admin/agencies/{school.id}/edit", data={"name": "Hillside Academy", "kind": "other"})
    assert response.status_code == 302
    agency = _get(app, Agency, school.id)
    assert (agency.name, agency.kind) == ("Hillside Academy", "other")
    [event] = _audit(app, "agency.update")
    assert event.detail == f"agency {school.id}"


def test_an_agency_keeps_its_own_name_when_only_the_kind_changes(client, app, people, admin):
    school = people["school"]
    client.post(
        f"/admin/agencies/{school.id}/edit",
        data={"name": "Hillside Primary School", "kind": "early_help"},
    )
    assert _get(app, Agency, school.id).kind == "early_help"


def test_an_agency_cannot_take_another_agencys_name(client, app, people, admin):
    school = people["school"]
    page = client.post(f"/admin/agencies/{school.id}/edit", data={"name": "County Police", "kind": "school"})
    assert "There is already an agency called ‘County Police’" in page.get_data(as_text=True)
    assert _get(app, Agency, school.id).name == "Hillside Primary School"
    assert _audit(app, "agency.update") == []


# Users


def _new_user(**changes):
    data = {
        "name": "Jo Bloggs",
        "email": "Jo.Bloggs@Council.example ",
        "role": "lead_professional",
        "agency_id": "",
        "password": NEW_PASSWORD,
    }
    data.update(changes)
    return data


def test_the_user_list_shows_role_agency_and_status(client, app, people, admin):
    with app.app_context():
        make_user("verifier", name="Dee Activated", active=False)
        locked = make_user("partner", people["police"], name="Lou Locked")
        locked.locked_at = utcnow()
        db.session.add(locked)
        db.session.commit()
    page = client.get("/admin/users").get_data(as_text=True)
    assert people["partner"].email in page
    assert "Claim verifier" in page
    assert "Hillside Primary School" in page
    assert page.count(">Deactivated<") == 1
    assert page.count(">Locked<") == 1
    assert page.count(">Active<") == 6  # the six people of the fixture


def test_an_admin_adds_a_user_who_can_then_sign_in(client, app, people, admin):
    response = client.post("/admin/users/new", data=_new_user(role="partner", agency_id=str(people["police"].id)))
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email="jo.bloggs@council.example"))
        assert (user.name, user.role, user.agency_id, user.active) == (
            "Jo Bloggs",
            "partner",
            people["police"].id,
            True,
        )
        assert verify_password(user.password_hash, NEW_PASSWORD)
    [event] = _audit(app, "user.create")
    assert event.detail == f"user {user.id}; role partner"
    assert NEW_PASSWORD not in event.detail
    sign_in(app.test_client(), user, NEW_PASSWORD)


def test_the_new_user_page_says_the_admin_passes_the_password_on(client, admin):
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert "The portal does not send it" in page
    assert "tell the user yourself" in page


def test_roles_other_than_partner_need_no_agency(client, app, admin):
    assert client.post("/admin/users/new", data=_new_user(role="verifier")).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(User).filter_by(role="verifier", name="Jo Bloggs")).agency_id is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the user’s full name"),
        ({"email": ""}, "email", "Enter the user’s email address"),
        ({"email": "jo.bloggs"}, "email", "Enter an email address in the correct format"),
        (
            {"email": "jo bloggs@council.example"},
            "email",
            "Enter an email address in the correct format",
        ),
        ({"role": ""}, "role", "Choose the user’s role"),
        ({"role": "superuser"}, "role", "Choose the user’s role"),
        ({"role": "partner"}, "agency_id", "Choose the partner’s agency"),
        ({"agency_id": "99999"}, "agency_id", "Choose an agency from the list"),
        ({"agency_id": "police"}, "agency_id", "Choose an agency from the list"),
        ({"password": ""}, "password", "Enter an initial password"),
        ({"password": "short one"}, "password", "Password must be 12 characters or more"),
        ({"password": "password1234"}, "password", "Password is too common"),
        ({"password": "jo.bloggs-is-great"}, "password", "Password is too common"),
    ],
)
def test_a_bad_new_user_is_refused_naming_the_field_and_nothing_is_saved(client, app, admin, changes, field, message):
    before = _count(app, User)
    response = client.post("/admin/users/new", data=_new_user(**changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert message in page
    assert f'href="#{field}"' in page
    assert _count(app, User) == before
    assert _audit(app, "user.create") == []


def test_an_email_address_already_in_use_is_refused_whatever_its_case(client, app, people, admin):
    taken = people["partner"].email.upper()
    page = client.post("/admin/users/new", data=_new_user(email=taken)).get_data(as_text=True)
    assert "Another user already has this email address" in page
    assert 'href="#email"' in page


def test_an_admin_changes_a_users_name_role_and_agency(client, app, people, admin):
    user = people["partner"]
    data = {"name": "Pat Moved", "role": "lead_professional", "agency_id": str(people["police"].id)}
    assert client.post(f"/admin/users/{user.id}/edit", data=data).status_code == 302
    saved = _get(app, User, user.id)
    assert (saved.name, saved.role, saved.agency_id) == (
        "Pat Moved",
        "lead_professional",
        people["police"].id,
    )
    [event] = _audit(app, "user.update")
    assert event.detail == f"user {user.id}; changed name, role, agency; role lead_professional"


def test_a_partner_cannot_be_left_without_an_agency(client, app, people, admin):
    user = people["partner"]
    page = client.post(f"/admin/users/{user.id}/edit", data={"name": user.name, "role": "partner", "agency_id": ""})
    assert "Choose the partner’s agency" in page.get_data(as_text=True)
    assert _get(app, User, user.id).agency_id == people["school"].id


def test_an_admin_cannot_change_their_own_role(client, app, admin):
    page = client.post(
        f"/admin/users/{admin.id}/edit",
        data={"name": admin.name, "role": "verifier", "agency_id": ""},
    )
    assert "You cannot change your own role" in page.get_data(as_text=True)
    assert _get(app, User, admin.id).role == "admin"


def test_deactivating_a_user_ends_their_session_at_once(client, app, people, admin):
    user = people["lead_professional"]
    theirs = app.test_client()
    sign_in(theirs, user)
    assert theirs.get("/account/").status_code == 200

    assert "Deactivate account" in client.get(f"/admin/users/{user.id}/deactivate").get_data(as_text=True)
    assert client.post(f"/admin/users/{user.id}/deactivate").status_code == 302

    refused = theirs.get("/account/")
    assert refused.status_code == 302 and "/sign-in" in refused.headers["Location"]
    assert _get(app, User, user.id).active is False
    with app.app_context():
        reasons = db.session.scalars(db.select(UserSession.end_reason).filter_by(user_id=user.id)).all()
    assert reasons == ["deactivated"]
    [event] = _audit(app, "user.deactivate")
    assert event.detail == f"user {user.id}" and event.family_id is None


def test_an_admin_cannot_deactivate_themselves(client, app, admin):
    assert "Deactivate account" not in client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert "You cannot deactivate your own account" in client.get(f"/admin/users/{admin.id}/deactivate").get_data(
        as_text=True
    )
    response = client.post(f"/admin/users/{admin.id}/deactivate")
    assert response.status_code == 409
    assert "<title>Error: " in response.get_data(as_text=True)
    assert _get(app, User, admin.id).active is True
    assert _audit(app, "user.deactivate") == []
    assert client.get("/admin/users").status_code == 200


def test_a_reactivated_user_can_sign_in_again(client, app, admin):
    with app.app_context():
        user = make_user("verifier", active=False)
    assert client.post(f"/admin/users/{user.id}/reactivate").status_code == 302
    assert _get(app, User, user.id).active is True
    assert len(_audit(app, "user.reactivate")) == 1
    sign_in(app.test_client(), user)


def test_an_active_user_cannot_be_reactivated_again(client, app, people, admin):
    assert client.post(f"/admin/users/{people['verifier'].id}/reactivate").status_code == 409
    assert _audit(app, "user.reactivate") == []


def test_unlocking_lets_a_locked_user_sign_in(client, app, people, admin):
    user = people["partner"]
    theirs = app.test_client()
    for _ in range(10):
        theirs.post("/sign-in", data={"email": user.email, "password": "not the password"})
    assert theirs.post("/sign-in", data={"email": user.email, "password": PASSWORD}).status_code == 200
    assert ">Locked<" in client.get(f"/admin/users/{user.id}").get_data(as_text=True)

    assert client.post(f"/admin/users/{user.id}/unlock").status_code == 302

    saved = _get(app, User, user.id)
    assert (saved.locked_at, saved.failed_sign_ins) == (None, 0)
    assert len(_audit(app, "user.unlock")) == 1
    sign_in(theirs, user)


def test_an_account_that_is_not_locked_cannot_be_unlocked(client, app, people, admin):
    assert client.post(f"/admin/users/{people['partner'].id}/unlock").status_code == 409
    assert _audit(app, "user.unlock") == []


def test_resetting_a_password_signs_the_user_out_and_only_the_new_one_works(client, app, people, admin):
    user = people["verifier"]
    theirs = app.test_client()
    sign_in(theirs, user)

    assert client.post(f"/admin/users/{user.id}/password", data={"password": NEW_PASSWORD}).status_code == 302

    assert theirs.get("/account/").status_code == 302
    refused = app.test_client().post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 200
    sign_in(app.test_client(), user, NEW_PASSWORD)
    [event] = _audit(app, "user.password-reset")
    assert event.detail == f"user {user.id}"


def test_a_weak_reset_password_is_refused_with_the_reason(client, app, people, admin):
    user = people["verifier"]
    page = client.post(f"/admin/users/{user.id}/password", data={"password": "letmein"}).get_data(as_text=True)
    assert "Password must be 12 characters or more" in page
    assert 'href="#password"' in page
    sign_in(app.test_client(), user)
    assert _audit(app, "user.password-reset") == []


def test_an_admin_resets_their_own_password_on_their_account_page(client, admin):
    response = client.get(f"/admin/users/{admin.id}/password")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/")


# Plans


def test_the_plans_page_lists_every_plan_with_its_families(client, app, people, admin):
    with app.app_context():
        make_family(people["lead_professional"], plan_id="durham-2018")
        make_family(people["lead_professional"], plan_id="durham-2018")
    page = client.get("/admin/plans").get_data(as_text=True)
    for plan in load_plans().values():
        assert plan.council in page
        assert plan.title in page
        assert plan.version in page
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">2</td>' in page
    assert page.count(">Open<") == len(load_plans())


def test_every_plan_is_open_until_an_admin_closes_it(app):
    with app.app_context():
        assert open_plan_ids() == list(load_plans())


def test_closing_a_plan_stops_new_cases_but_keeps_its_families(client, app, people, admin):
    with app.app_context():
        family = make_family(people["lead_professional"], plan_id="suffolk-2017")

    assert client.post("/admin/plans/suffolk-2017/close").status_code == 302

    with app.app_context():
        assert "suffolk-2017" not in open_plan_ids()
        assert db.session.get(PlanSetting, "suffolk-2017").open_for_new_cases is False
        assert db.session.get(Family, family.id).plan_id == "suffolk-2017"
    page = client.get("/admin/plans").get_data(as_text=True)
    assert page.count(">Closed<") == 1
    [event] = _audit(app, "plan.close")
    assert "suffolk-2017" in event.detail and event.family_id is None


def test_a_closed_plan_can_be_opened_again(client, app, admin):
    client.post("/admin/plans/durham-2018/close")
    client.post("/admin/plans/durham-2018/open")
    with app.app_context():
        assert "durham-2018" in open_plan_ids()
    assert [e.action for e in _audit(app, "plan.open")] == ["plan.open"]


def test_an_admin_adds_a_programme_manager_like_any_other_role(client, app, admin):
    assert client.post("/admin/users/new", data=_new_user(role="programme_manager")).status_code == 302
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(name="Jo Bloggs"))
        assert (user.role, user.agency_id) == ("programme_manager", None)
    assert "Programme manager" in client.get("/admin/users").get_data(as_text=True)
