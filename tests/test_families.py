"""The family list, adding a family, the family page and who may reach them."""

import datetime as dt
import re

import pytest
from markupsafe import escape

from portal.extensions import db
from portal.models import AuditEvent, Evidence, Family, PlanSetting, Review, TeamMembership
from portal.models.types import utcnow
from tests import factories as f

HTMX = {"HX-Request": "true"}


def audit_actions(app, family_id=None):
    with app.app_context():
        query = db.select(AuditEvent.action).order_by(AuditEvent.id)
        if family_id is not None:
            query = query.filter_by(family_id=family_id)
        return db.session.scalars(query).all()


def count(app, model, **filters):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model).filter_by(**filters))


# Date fields (GovukDateField): the error summary links to the day box, which can take focus.
DATE_FIELDS = {"engaged_on", "date_of_birth", "left_on", "identified_on", "in_place_on", "closed_on", "claim_date"}


def has_error(page, field, message):
    """The error summary links the message to its field (messages are HTML-escaped in the page)."""
    target = f"{field}-day" if field in DATE_FIELDS else field
    return f'href="#{target}">{escape(message)}' in page


def date_parts(day):
    return [str(day.day), str(day.month), str(day.year)]


def add_evidence(
    family,
    member,
    by,
    outcome="6.2",
    status=None,
    reviewer=None,
    reason="",
    replaces=None,
    statement="Kerry manages her depression well now.",
    source="Social Care and Early Help practitioners (via CareFirst & Profile)",
):
    """An Evidence row built directly (the partner's form is another feature), optionally reviewed."""
    row = Evidence(
        family_id=family.id,
        outcome_id=outcome,
        member_ids=[member.id],
        source=source,
        period_start=dt.date(2024, 2, 1),
        period_end=dt.date(2024, 8, 1),
        values={"confirmed": True, "practitioner": "Jenny Clarke, Early Help key worker"},
        statement=statement,
        submitted_by_id=by.id,
        agency_id=by.agency_id,
        replaces_id=replaces.id if replaces else None,
        version=replaces.version + 1 if replaces else 1,
    )
    db.session.add(row)
    db.session.flush()
    if status:
        db.session.add(Review(evidence_id=row.id, decision=status, reason=reason, reviewed_by_id=reviewer.id))
    db.session.commit()
    return row


def suffolk_case(people, plan_outcomes=("6.2",)):
    """A Suffolk family: a parent and a child, criteria 1 and 6, the school in the team."""
    from portal.models import FamilyPlanOutcome

    lp = people["lead_professional"]
    family = f.make_family(lp, plan_id="suffolk-2017", name="Clarke family")
    parent = f.add_member(family, lp, role="parent", born=dt.date(1986, 4, 12), name="Kerry", activity="none")
    child = f.add_member(family, lp, role="child", born=dt.date(2012, 6, 25), name="Mia")
    f.add_problem(family, lp, "1", "a", member=parent)
    f.add_problem(family, lp, "6", "a", member=parent)
    for outcome in plan_outcomes:
        db.session.add(FamilyPlanOutcome(family_id=family.id, outcome_id=outcome, recorded_by_id=lp.id))
    db.session.commit()
    f.attach(family, people["school"], lp)
    return family, parent, child


@pytest.fixture
def families(app, people):
    """Three families: two led by the lead professional (one with the school), one by another."""
    with app.app_context():
        lp = people["lead_professional"]
        other_lp = f.make_user("lead_professional")
        own = f.make_family(lp, name="Ashworth family")
        second = f.make_family(lp, plan_id="durham-2018", name="Brook family")
        theirs = f.make_family(other_lp, name="Carter family")
        f.attach(own, people["school"], lp)
        return {"own": own, "second": second, "theirs": theirs, "other_lp": other_lp}


def listed_refs(page):
    return re.findall(r'href="/families/\d+">([^<]+)<', page)


# -- the list ---------------------------------------------------------------------------------


def test_a_lead_professional_lists_only_the_families_they_lead(client, people, families):
    f.sign_in(client, people["lead_professional"])
    page = client.get("/families/").get_data(as_text=True)
    assert listed_refs(page) == sorted([families["own"].ref, families["second"].ref])
    assert "Carter family" not in page


def test_a_partner_lists_only_families_their_agency_is_attached_to_now(app, client, people, families):
    with app.app_context():
        ended = TeamMembership(
            family_id=families["second"].id,
            agency_id=people["school"].id,
            attached_by_id=people["lead_professional"].id,
            ended_at=utcnow(),
        )
        db.session.add(ended)
        db.session.commit()
    f.sign_in(client, people["partner"])
    page = client.get("/families/").get_data(as_text=True)
    assert listed_refs(page) == [families["own"].ref]


def test_a_partner_of_an_agency_in_no_team_sees_no_families(client, people, families):
    f.sign_in(client, people["police_partner"])
    page = client.get("/families/").get_data(as_text=True)
    assert listed_refs(page) == []
    assert "There are no families to show" in page


def test_a_verifier_lists_every_family(client, people, families):
    f.sign_in(client, people["verifier"])
    page = client.get("/families/").get_data(as_text=True)
    assert len(listed_refs(page)) == 3


def test_an_admin_cannot_open_the_family_list(client, people):
    f.sign_in(client, people["admin"])
    assert client.get("/families/").status_code == 403


def test_the_list_shows_plan_status_and_submissions_awaiting_review(app, client, people):
    with app.app_context():
        family, parent, _ = suffolk_case(people)
        add_evidence(family, parent, people["partner"])
        f.add_essentials(family, people["lead_professional"])
    f.sign_in(client, people["lead_professional"])
    page = client.get("/families/").get_data(as_text=True)
    assert "Suffolk County Council (suffolk-2017)" in page
    assert "Open" in page
    assert "1 to review" in page
    assert "Not yet" in page


def test_the_search_matches_reference_or_name_and_keeps_to_the_users_families(client, people, families):
    f.sign_in(client, people["lead_professional"])
    by_name = client.get("/families/?q=brook").get_data(as_text=True)
    assert listed_refs(by_name) == [families["second"].ref]
    by_ref = client.get(f"/families/?q={families['own'].ref.lower()}").get_data(as_text=True)
    assert listed_refs(by_ref) == [families["own"].ref]
    assert listed_refs(client.get("/families/?q=carter").get_data(as_text=True)) == []


def test_a_search_with_like_wildcards_matches_them_literally(client, people, families):
    f.sign_in(client, people["lead_professional"])
    page = client.get("/families/?q=%25").get_data(as_text=True)
    assert listed_refs(page) == []
    assert "No families match your search" in page


def test_an_htmx_search_returns_only_the_rows_partial(client, people, families):
    f.sign_in(client, people["lead_professional"])
    response = client.get("/families/?q=ash", headers=HTMX)
    page = response.get_data(as_text=True)
    assert "<html" not in page and "<h1" not in page
    assert listed_refs(page) == [families["own"].ref]
    assert 'hx-swap-oob="innerHTML"' in page and "1 family matching" in page


def test_the_full_list_page_searches_as_you_type_and_without_javascript(client, people, families):
    f.sign_in(client, people["lead_professional"])
    page = client.get("/families/").get_data(as_text=True)
    assert 'method="get"' in page and 'name="q"' in page
    assert 'hx-trigger="input changed delay:300ms, search"' in page
    assert 'hx-target="#family-results"' in page


def test_an_htmx_search_by_a_partner_still_keeps_to_their_families(client, people, families):
    f.sign_in(client, people["partner"])
    page = client.get("/families/?q=family", headers=HTMX).get_data(as_text=True)
    assert listed_refs(page) == [families["own"].ref]


def test_reading_the_list_is_audited(app, client, people, families):
    f.sign_in(client, people["verifier"])
    client.get("/families/?q=brook")
    with app.app_context():
        event = db.session.scalars(db.select(AuditEvent).filter_by(action="family.list")).one()
    assert event.detail == "search" and event.user_role == "verifier"  # never the term: it is case data


# -- adding a family --------------------------------------------------------------------------


def test_a_lead_professional_adds_a_family_and_leads_it(app, client, people):
    f.sign_in(client, people["lead_professional"])
    response = client.post(
        "/families/new", data={"name": "Dawson family", "plan": "suffolk-2017", "engaged_on": ["3", "2", "2025"]}
    )
    assert response.status_code == 302
    with app.app_context():
        family = db.session.scalars(db.select(Family)).one()
        assert (family.ref, family.name, family.plan_id) == ("SUF-0001", "Dawson family", "suffolk-2017")
        assert family.lead_professional_id == people["lead_professional"].id
        assert family.engaged_on == dt.date(2025, 2, 3)
        assert response.headers["Location"].endswith(f"/families/{family.id}")
        assert "family.create" in audit_actions(app, family.id)
    client.post("/families/new", data={"name": "Evans family", "plan": "suffolk-2017"})
    with app.app_context():
        refs = db.session.scalars(db.select(Family.ref).order_by(Family.id)).all()
    assert refs == ["SUF-0001", "SUF-0002"]


def test_the_engaged_date_is_optional_when_adding_a_family(app, client, people):
    f.sign_in(client, people["lead_professional"])
    client.post("/families/new", data={"name": "Dawson family", "plan": "durham-2018", "engaged_on": ["", "", ""]})
    with app.app_context():
        family = db.session.scalars(db.select(Family)).one()
    assert family.ref == "DUR-0001" and family.engaged_on is None


def test_adding_a_family_with_nothing_filled_in_names_each_field_and_saves_nothing(app, client, people):
    f.sign_in(client, people["lead_professional"])
    page = client.post("/families/new", data={}).get_data(as_text=True)
    assert "<title>Error: Add a family" in page
    assert has_error(page, "name", "Enter the family name")
    assert has_error(page, "plan", "Choose the outcomes plan the case will follow")
    assert count(app, Family) == 0


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (["31", "2", "2024"], "Date the family engaged must be a real date"),
        (["1", "", "2024"], "Date the family engaged must include a month"),
        (["", "", "2024"], "Date the family engaged must include a day and a month"),
        (["a", "1", "2024"], "Date the family engaged must be a real date"),
        (["1", "1", "2999"], "Date the family engaged must be today or in the past"),
    ],
)
def test_a_bad_engaged_date_is_refused_with_a_message_naming_it(app, client, people, parts, message):
    f.sign_in(client, people["lead_professional"])
    page = client.post(
        "/families/new", data={"name": "Dawson family", "plan": "suffolk-2017", "engaged_on": parts}
    ).get_data(as_text=True)
    assert message in page
    assert count(app, Family) == 0


def test_a_date_error_links_to_the_day_box_which_can_take_focus(app, client, people):
    """GOV.UK Frontend's error summary focuses the element a link names: the date's fieldset id is on a
    <div>, which cannot take focus, so the link names the day box."""
    f.sign_in(client, people["lead_professional"])
    data = {"name": "Dawson family", "plan": "suffolk-2017", "engaged_on": ["31", "2", "2024"]}
    page = client.post("/families/new", data=data).get_data(as_text=True)
    assert 'href="#engaged_on-day">Date the family engaged must be a real date' in page
    assert (
        '<input class="govuk-input govuk-date-input__input govuk-input--width-2 govuk-input--error" id="engaged_on-day"'
        in " ".join(page.split())
    )


def test_a_family_cannot_engage_before_its_plan_takes_cases(app, client, people):
    """Hertfordshire 2022 takes cases from 3 October 2022 (its open_from); the day itself is allowed."""
    f.sign_in(client, people["lead_professional"])
    data = {"name": "Dawson family", "plan": "hertfordshire-2022", "engaged_on": ["2", "10", "2022"]}
    page = client.post("/families/new", data=data).get_data(as_text=True)
    assert has_error(
        page,
        "engaged_on",
        "Date the family engaged must be on or after 3 October 2022, the first day a case may start on this plan",
    )
    assert count(app, Family) == 0
    # A plan with no first day (Suffolk 2017) takes the same date.
    assert client.post("/families/new", data={**data, "plan": "suffolk-2017"}).status_code == 302
    assert client.post("/families/new", data={**data, "engaged_on": ["3", "10", "2022"]}).status_code == 302
    assert count(app, Family) == 2


def test_only_plans_open_for_new_cases_are_offered_or_accepted(app, client, people):
    with app.app_context():
        db.session.add(PlanSetting(plan_id="suffolk-2017", open_for_new_cases=False))
        db.session.commit()
    f.sign_in(client, people["lead_professional"])
    form = client.get("/families/new").get_data(as_text=True)
    assert 'value="durham-2018"' in form and 'value="suffolk-2017"' not in form
    page = client.post("/families/new", data={"name": "Dawson family", "plan": "suffolk-2017"}).get_data(as_text=True)
    assert "Choose the outcomes plan the case will follow" in page
    assert count(app, Family) == 0


@pytest.mark.parametrize("role", ["partner", "verifier", "admin"])
def test_only_lead_professionals_add_families(app, client, people, role):
    f.sign_in(client, people[role])
    assert client.get("/families/new").status_code == 403
    assert client.post("/families/new", data={"name": "X", "plan": "suffolk-2017"}).status_code == 403
    assert count(app, Family) == 0


# -- the family page --------------------------------------------------------------------------


def test_the_family_page_is_never_cached_and_its_read_is_audited(app, client, people, families):
    f.sign_in(client, people["lead_professional"])
    response = client.get(f"/families/{families['own'].id}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "family.read" in audit_actions(app, families["own"].id)


def test_the_family_page_shows_the_case_in_the_plans_own_words(app, client, people):
    with app.app_context():
        family, _, _ = suffolk_case(people)
    f.sign_in(client, people["lead_professional"])
    page = client.get(f"/families/{family.id}").get_data(as_text=True)
    assert "Criteria and indicators identified" in page
    assert "6: Parents and children with a range of health problems" in page
    assert "Kerry" in page and "12 April 1986" in page and "Hillside Primary School" in page
    assert "Payment by results check" in page


def test_a_hertfordshire_family_page_speaks_of_headlines_and_family_needs(app, client, people):
    with app.app_context():
        family = f.make_family(people["lead_professional"], plan_id="hertfordshire-2022")
        f.add_problem(family, people["lead_professional"], "EDU", "EDU1")
    f.sign_in(client, people["lead_professional"])
    page = client.get(f"/families/{family.id}").get_data(as_text=True)
    assert "Headlines and family needs identified" in page
    assert "Family need EDU1" in page


def test_a_partner_sees_what_they_need_and_not_other_agencies_statements(app, client, people):
    with app.app_context():
        family, parent, _ = suffolk_case(people)
        f.attach(family, people["police"], people["lead_professional"])
        add_evidence(family, parent, people["police_partner"], statement="Police statement, not for schools")
        add_evidence(
            family,
            parent,
            people["partner"],
            statement="School statement",
            status="returned",
            reviewer=people["lead_professional"],
            reason="Say which term",
        )
    f.sign_in(client, people["partner"])
    page = client.get(f"/families/{family.id}").get_data(as_text=True)
    assert "School statement" in page and "Say which term" in page and "Returned" in page
    assert "Police statement" not in page
    assert "Payment by results check" not in page  # the verdict is for the lead professional and verifier
    assert "12 April 1986" not in page  # ages, not dates of birth
    assert "Outcomes you can submit evidence for" in page and "Outcome 6.2" in page
    assert "Team around the family" not in page
    assert f'href="/families/{family.id}/evidence/new"' in page  # the "Submit evidence" button
    assert f'href="/families/{family.id}/evidence/new?outcome=6.2"' in page


def test_a_verifier_reads_everything_and_is_offered_no_changes(app, client, people):
    with app.app_context():
        family, parent, _ = suffolk_case(people)
        add_evidence(family, parent, people["partner"], statement="School statement")
    f.sign_in(client, people["verifier"])
    page = client.get(f"/families/{family.id}").get_data(as_text=True)
    assert "School statement" in page and "Payment by results check" in page
    assert "Add a family member" not in page and "/withdraw" not in page and "/reviews/" not in page
    assert page.count('method="post"') == 2  # signing out, and "Stay signed in" in the timeout warning


def test_the_verdict_partial_is_served_alone_for_htmx_and_redirects_without_it(app, client, people):
    with app.app_context():
        family, _, _ = suffolk_case(people)
    f.sign_in(client, people["lead_professional"])
    partial = client.get(f"/families/{family.id}/verdict", headers=HTMX).get_data(as_text=True)
    assert partial.lstrip().startswith("<section") and "Payment by results check" in partial
    plain = client.get(f"/families/{family.id}/verdict")
    assert plain.status_code == 302 and plain.headers["Location"].endswith(f"/families/{family.id}#verdict")


def test_a_partner_cannot_get_the_verdict_partial(app, client, people):
    with app.app_context():
        family, _, _ = suffolk_case(people)
    f.sign_in(client, people["partner"])
    assert client.get(f"/families/{family.id}/verdict", headers=HTMX).status_code == 404


# -- who may reach each family route ------------------------------------------------------------


def family_urls(app, family, member, problem, membership, evidence):
    """Every families.* route that takes a family, with real ids for its other parts."""
    ids = {
        "family_id": family.id,
        "member_id": member.id,
        "problem_id": problem.id,
        "membership_id": membership.id,
        "evidence_id": evidence.id,
    }
    with app.test_request_context():
        from flask import url_for

        return [
            (url_for(rule.endpoint, **{arg: ids[arg] for arg in rule.arguments}), "POST" in rule.methods)
            for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("families.") and "family_id" in rule.arguments
        ]


@pytest.fixture
def every_route(app, people):
    with app.app_context():
        family, parent, _ = suffolk_case(people)
        problem = family.problems[0]
        membership = family.team[0]
        evidence = add_evidence(family, parent, people["partner"])
        urls = family_urls(app, family, parent, problem, membership, evidence)
    assert len(urls) >= 15
    return family, urls


@pytest.mark.parametrize("who", ["other_lead_professional", "police_partner", "admin"])
def test_users_who_do_not_work_with_the_family_get_404_on_every_family_route(app, client, people, every_route, who):
    _, urls = every_route
    with app.app_context():
        user = f.make_user("lead_professional") if who == "other_lead_professional" else people[who]
    f.sign_in(client, user)
    for url, posts in urls:
        assert client.get(url).status_code == 404, url
        if posts:
            assert client.post(url, data={"reason": "x", "decision": "accepted"}).status_code == 404, url
    assert count(app, Review) == 0


@pytest.mark.parametrize("role", ["partner", "verifier"])
def test_partners_and_verifiers_cannot_use_the_lead_professionals_actions(app, client, people, every_route, role):
    family, urls = every_route
    f.sign_in(client, people[role])
    readable = {f"/families/{family.id}", f"/families/{family.id}/verdict", f"/families/{family.id}/submissions"}
    for url, posts in urls:
        if url not in readable:
            assert client.get(url).status_code == 404, url
        if not posts:
            continue
        assert client.post(url, data={"reason": "x", "decision": "accepted"}).status_code == 404, url
    assert count(app, Review) == 0
    with app.app_context():
        assert db.session.get(Family, family.id).closed_on is None
        assert len(db.session.get(Family, family.id).current_members) == 2


def test_signed_out_visitors_are_sent_to_sign_in(app, client, people, every_route):
    _, urls = every_route
    for url, _ in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], url
