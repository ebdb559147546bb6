"""The family record (issue 13, section 7): the council case-system reference, and the warning
before creating a family (or adding a member) that matches another, naming only what the user may see."""

import datetime as dt
import re

import pytest

from portal.extensions import db
from portal.models import AuditEvent, Family, Member
from tests import factories as f


def new_family(client, **changes):
    data = {"name": "Reed family", "plan": "durham-2018", "case_system_ref": "", **changes}
    return client.post("/families/new", data=data)


def text_of(response):
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def families(app):
    with app.app_context():
        return db.session.scalars(db.select(Family).order_by(Family.id)).all()


def test_the_case_system_reference_is_kept_in_upper_case_and_shown_on_the_family_page(app, client, people):
    f.sign_in(client, people["lead_professional"])
    response = new_family(client, case_system_ref="  ehm-004512 ")
    assert response.status_code == 302
    (family,) = families(app)
    assert family.case_system_ref == "EHM-004512"
    page = text_of(client.get(f"/families/{family.id}"))
    assert "Council case-system reference EHM-004512" in page
    assert family.ref in text_of(client.get("/families/?q=ehm-0045"))  # found by it too


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("E" * 31, "Council case-system reference must be 30 characters or fewer"),
        (
            "EHM 12",
            "Council case-system reference must start with a letter or number and only include letters, numbers",
        ),
        ("-12", "must start with a letter or number"),
        ("<script>", "must start with a letter or number"),
        ("EHM’12", "only include letters, numbers"),
        ("12;DROP TABLE family", "only include letters, numbers"),
    ],
)
def test_a_bad_reference_is_refused_with_an_error_naming_the_field(app, client, people, typed, message):
    f.sign_in(client, people["lead_professional"])
    response = new_family(client, case_system_ref=typed)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'href="#case_system_ref"' in page and message in page
    assert 'id="case_system_ref-error"' in page
    assert page.count("govuk-error-summary__list") == 1
    assert families(app) == []


def test_the_same_reference_as_a_family_you_work_with_warns_naming_it_and_goes_ahead_when_confirmed(
    app, client, people
):
    f.sign_in(client, people["lead_professional"])
    new_family(client, case_system_ref="MOS/12/3456", name="Clarke family")
    (first,) = families(app)
    response = new_family(client, case_system_ref="mos/12/3456")
    assert response.status_code == 200 and len(families(app)) == 1  # nothing created yet
    page = text_of(response)
    assert f"Family {first.ref} (Clarke family) has the same council case-system reference." in page
    assert "Create the family anyway" in page
    confirmed = re.search(
        r'name="confirmed" type="hidden" value="([0-9a-f]+)"', response.get_data(as_text=True)
    ) or re.search(r'name="confirmed" value="([0-9a-f]+)"', response.get_data(as_text=True))
    assert confirmed, response.get_data(as_text=True)
    assert new_family(client, case_system_ref="mos/12/3456", confirmed=confirmed.group(1)).status_code == 302
    assert [f.case_system_ref for f in families(app)] == ["MOS/12/3456", "MOS/12/3456"]
    with app.app_context():
        warned = db.session.scalars(db.select(AuditEvent.detail).filter_by(action="family.match-warning")).all()
        created = db.session.scalars(db.select(AuditEvent.detail).filter_by(action="family.create")).all()
    assert warned == [f"matches families {first.id}"]
    assert created[-1] == f"plan durham-2018; matches families {first.id}"


def test_a_match_with_a_family_you_do_not_work_with_does_not_name_it(app, client, people):
    with app.app_context():
        other_lead = f.make_user("lead_professional")
        other = f.make_family(other_lead, name="Secret family")
        other.case_system_ref = "EHM-777"
        db.session.commit()
        other_ref = other.ref
    f.sign_in(client, people["lead_professional"])
    response = new_family(client, case_system_ref="EHM-777")
    page = text_of(response)
    assert "A family you do not work with has the same council case-system reference." in page
    assert other_ref not in page and "Secret" not in page
    assert "Supporting Families team rather than record it twice" in page


def test_a_forged_or_stale_confirmation_is_warned_about_again(app, client, people):
    with app.app_context():
        family = f.make_family(people["lead_professional"])
        family.case_system_ref = "EHM-1"
        db.session.commit()
    f.sign_in(client, people["lead_professional"])
    for forged in ("yes", "0" * 32, "x" * 5000, "é" * 32):
        response = new_family(client, case_system_ref="EHM-1", confirmed=forged)
        assert response.status_code == 200 and "has the same council case-system reference" in text_of(response)
    # A right-to-left override is refused as a control character before the match is looked at.
    response = new_family(client, case_system_ref="EHM-1", confirmed="\u202e")
    assert response.status_code == 200 and "There is a problem" in text_of(response)
    assert len(families(app)) == 1


def test_adding_a_member_who_is_in_another_family_warns_before_it_goes_ahead(app, client, people):
    with app.app_context():
        lp = people["lead_professional"]
        mine = f.make_family(lp, name="Reed family")
        known = f.make_family(lp, name="Clarke family")
        f.add_member(known, lp, name="Sam  Reed", born=dt.date(2012, 5, 1))
        stranger_family = f.make_family(f.make_user("lead_professional"), name="Hidden family")
        # Case, spaces and invisible characters (a soft hyphen, a zero-width space) aside: the same name.
        f.add_member(stranger_family, lp, name="sa\u00adm r\u200beed", born=dt.date(2012, 5, 1))
        ids = (mine.id, known.ref, stranger_family.ref)
    f.sign_in(client, people["lead_professional"])
    data = {"name": "Sam Reed", "role": "child", "date_of_birth": ["1", "5", "2012"], "activity": "education"}
    response = client.post(f"/families/{ids[0]}/members/new", data=data)
    page = text_of(response)
    assert response.status_code == 200
    assert f"Family {ids[1]} (Clarke family) has a current member with the same name and date of birth." in page
    assert "A family you do not work with has a current member with the same name and date of birth." in page
    assert ids[2] not in page and "Hidden family" not in page
    digest = re.search(r'name="confirmed"[^>]*value="([0-9a-f]+)"', response.get_data(as_text=True)).group(1)
    assert client.post(f"/families/{ids[0]}/members/new", data={**data, "confirmed": digest}).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Member).filter_by(family_id=ids[0])) == 1


def test_a_different_date_of_birth_is_no_match(app, client, people):
    with app.app_context():
        lp = people["lead_professional"]
        mine = f.make_family(lp)
        other = f.make_family(lp)
        f.add_member(other, lp, name="Sam Reed", born=dt.date(2012, 5, 2))
        fid = mine.id
    f.sign_in(client, people["lead_professional"])
    data = {"name": "Sam Reed", "role": "child", "date_of_birth": ["1", "5", "2012"], "activity": "education"}
    assert client.post(f"/families/{fid}/members/new", data=data).status_code == 302


def test_the_same_person_twice_in_one_family_is_refused_naming_them(app, client, people):
    with app.app_context():
        lp = people["lead_professional"]
        family = f.make_family(lp, name="Reed family")
        f.add_member(family, lp, name="Jade Reed", born=dt.date(1989, 10, 4))
        fid = family.id
    f.sign_in(client, people["lead_professional"])
    # Spelt with a capital, extra spaces and a zero-width space: still the same person.
    data = {"name": "jade  re\u200bed", "role": "parent", "date_of_birth": ["4", "10", "1989"], "activity": ""}
    response = client.post(f"/families/{fid}/members/new", data=data)
    page = text_of(response)
    assert response.status_code == 200
    assert "Jade Reed, born 4 October 1989, is a member of this family already" in page
    assert (
        client.post(f"/families/{fid}/members/new", data={**data, "date_of_birth": ["5", "10", "1989"]}).status_code
        == 302
    )
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Member).filter_by(family_id=fid)) == 2


@pytest.mark.parametrize(
    ("role", "years", "message"),
    [
        ("parent", 3, "A parent must be 12 or older: this date of birth makes them 3"),
        ("parent", 11, "A parent must be 12 or older: this date of birth makes them 11"),
        ("other_adult", 17, "An adult must be 18 or older: this date of birth makes them 17"),
    ],
)
def test_a_member_too_young_for_their_role_is_refused_saying_why(app, client, people, role, years, message):
    with app.app_context():
        fid = f.make_family(people["lead_professional"]).id
    f.sign_in(client, people["lead_professional"])
    born = dt.date.today().replace(day=1) - dt.timedelta(days=365 * years + years // 4 + 40)
    data = {"name": "Tiny Reed", "role": role, "date_of_birth": [str(born.day), str(born.month), str(born.year)]}
    page = text_of(client.post(f"/families/{fid}/members/new", data=data))
    assert message in page


def test_a_young_carer_and_a_parent_of_12_are_added(app, client, people):
    with app.app_context():
        fid = f.make_family(people["lead_professional"]).id
    f.sign_in(client, people["lead_professional"])
    twelve = dt.date.today() - dt.timedelta(days=365 * 12 + 10)
    young = dt.date.today() - dt.timedelta(days=365 * 9)
    for name, role, born in (("Ava Reed", "parent", twelve), ("Leo Reed", "carer", young)):
        data = {"name": name, "role": role, "date_of_birth": [str(born.day), str(born.month), str(born.year)]}
        assert client.post(f"/families/{fid}/members/new", data=data).status_code == 302, name
