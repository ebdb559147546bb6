"""What needs me (issue 13, section 1): each role's to-do list, the counts in the navigation,
isolation between agencies and lead professionals, and a fixed number of queries."""

import datetime as dt
import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest

from portal.extensions import db
from portal.models import AuditEvent, CaseClosure
from tests import factories as f
from tests.test_evidence import attendance
from tests.test_families import add_evidence, suffolk_case
from tests.test_families_list import queries_to_list


class TodoPage(HTMLParser):
    """The to-do items (kind, text, links) and the navigation's items, as a browser would read them."""

    def __init__(self, html):
        super().__init__()
        self.items, self.nav, self._item, self._nav = [], [], None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "li" and "data-kind" in attrs:
            self._item = SimpleNamespace(kind=attrs["data-kind"], text="", links=[])
            self.items.append(self._item)
        if tag == "a" and self._item is not None:
            self._item.links.append(attrs["href"])
        if tag == "a" and "govuk-service-navigation__link" in (attrs.get("class") or ""):
            self._nav = SimpleNamespace(href=attrs["href"], text="")
            self.nav.append(self._nav)

    def handle_endtag(self, tag):
        if tag == "li":
            self._item = None
        if tag == "a":
            self._nav = None

    def handle_data(self, data):
        if self._item is not None:
            self._item.text += data
        if self._nav is not None:
            self._nav.text += data

    def of(self, kind):
        return [
            SimpleNamespace(kind=i.kind, text=" ".join(i.text.split()), links=i.links)
            for i in self.items
            if i.kind == kind
        ]

    def nav_text(self, href):
        return " ".join(next(n.text for n in self.nav if n.href == href).split())


def todo(client):
    response = client.get("/to-do")
    assert response.status_code == 200
    return TodoPage(response.get_data(as_text=True))


def durham_family(people, lead=None, agency=None):
    """A Durham family (a parent, a school-age child; problems 2 and 3) with the school attached."""
    lp = lead or people["lead_professional"]
    family = f.make_family(lp, plan_id="durham-2018", name="Reed family", engaged_on=dt.date(2017, 12, 4))
    f.add_member(family, lp, role="parent", born=dt.date(1985, 4, 12), name="Alex Reed", activity="")
    child = f.add_member(family, lp, role="child", born=dt.date(2008, 3, 1), name="Sam Reed")
    f.add_problem(family, lp, "2", "4", member=child, identified_on=dt.date(2017, 11, 20))
    f.add_problem(family, lp, "3", "5", identified_on=dt.date(2017, 11, 20))
    f.attach(family, agency or people["school"], lp)
    return family, child


# -- partners ---------------------------------------------------------------------------------


def test_a_partner_sees_returned_evidence_with_a_link_to_correct_it_and_a_count_in_the_navigation(app, client, people):
    with app.app_context():
        family, parent, _ = suffolk_case(people)
        returned = add_evidence(
            family,
            parent,
            people["partner"],
            status="returned",
            reviewer=people["lead_professional"],
            reason="the dates are wrong",
        )
        ids = SimpleNamespace(family=family.id, ref=family.ref, evidence=returned.id)
    f.sign_in(client, people["partner"])
    page = todo(client)
    (item,) = page.of("returned")
    assert item.links == [f"/families/{ids.family}/evidence/{ids.evidence}/correct"]
    assert f"Family {ids.ref}" in item.text and "Outcome 6.2, version 1: returned on" in item.text
    assert "The dates are wrong." in item.text
    assert page.nav_text("/to-do") == "To do (1)"
    assert client.get(item.links[0]).status_code == 200  # the link leads to the correction form


def test_a_partners_correction_waiting_for_review_is_listed_but_not_counted(app, client, people):
    with app.app_context():
        family, parent, _ = suffolk_case(people)
        old = add_evidence(family, parent, people["partner"], status="returned", reviewer=people["lead_professional"])
        new = add_evidence(family, parent, people["partner"], replaces=old)
        ids = SimpleNamespace(family=family.id, new=new.id)
    f.sign_in(client, people["partner"])
    page = todo(client)
    assert page.of("returned") == []
    (item,) = page.of("corrections")
    assert item.links == [f"/families/{ids.family}/evidence/{ids.new}"] and "version 2" in item.text
    assert page.nav_text("/to-do") == "To do"
    # Nor in the heading's "N things need you": it waits on the lead professional, not on them.
    heading = client.get("/to-do").get_data(as_text=True)
    said = re.search(r"(\d+) things? needs? you", heading)
    assert said is None or int(said.group(1)) == len(page.items) - 1


def test_a_partner_sees_the_outcomes_still_needed_that_have_no_evidence_from_their_agency(app, client, people):
    with app.app_context():
        family, child = durham_family(people)
        fid = family.id
    f.sign_in(client, people["partner"])
    before = {i.links[0] for i in todo(client).of("missing")}
    assert f"/families/{fid}/evidence/new?outcome=2.1" in before
    assert client.post(f"/families/{fid}/evidence/new", data=attendance(child.id)).status_code == 302
    after = {i.links[0] for i in todo(client).of("missing")}
    assert f"/families/{fid}/evidence/new?outcome=2.1" not in after  # their agency has evidence for it now
    assert after == before - {f"/families/{fid}/evidence/new?outcome=2.1"}


def test_a_partner_never_sees_another_agencys_items(app, client, people):
    with app.app_context():
        police_partner = f.make_user("partner", people["police"])
        family, parent, _ = suffolk_case(people)
        f.attach(family, people["police"], people["lead_professional"])
        add_evidence(
            family,
            parent,
            police_partner,
            status="returned",
            reviewer=people["lead_professional"],
            reason="police reason",
        )
        old = add_evidence(family, parent, police_partner, status="returned", reviewer=people["lead_professional"])
        add_evidence(family, parent, police_partner, replaces=old)
        # and a family the school is not attached to at all
        other, other_parent, _ = suffolk_case(people)
        from portal.models import TeamMembership

        db.session.query(TeamMembership).filter_by(family_id=other.id).delete()
        db.session.commit()
        add_evidence(other, other_parent, people["partner"], status="returned", reviewer=people["lead_professional"])
        other_ref = other.ref
    f.sign_in(client, people["partner"])
    response = client.get("/to-do")
    page = TodoPage(response.get_data(as_text=True))
    assert page.of("returned") == [] and page.of("corrections") == []
    assert "police reason" not in response.get_data(as_text=True).lower()
    assert other_ref not in response.get_data(as_text=True)
    assert page.nav_text("/to-do") == "To do"


# -- lead professionals -------------------------------------------------------------------------


def test_a_lead_professional_sees_evidence_to_review_with_what_the_engine_says(app, client, people):
    with app.app_context():
        family, child = durham_family(people)
        fid, cid = family.id, child.id
    f.sign_in(client, people["partner"])
    client.post(f"/families/{fid}/evidence/new", data=attendance(cid))
    client.post(f"/families/{fid}/evidence/new", data=attendance(cid, ("87", "88", "87.5")))
    f.sign_in(client, people["lead_professional"])
    page = todo(client)
    first, second = page.of("review")
    assert "Meets The rules engine" not in first.text
    assert "Meets" in first.text and "Meets 2.1." in first.text
    assert "Does not meet yet Does not meet 2.1: 3 terms averaging 87.5%; the plan needs above 90%" in second.text
    assert all(re.fullmatch(rf"/families/{fid}/reviews/\d+", i.links[0]) for i in (first, second))
    assert page.nav_text("/to-do") == "To do (2)"


def test_a_lead_professional_sees_their_own_evidence_a_programme_manager_returned_and_it_is_counted(
    app, client, people
):
    """A lead's own evidence is reviewed by a programme manager (segregation of duties); returned,
    it is the lead's to correct, so it is on their list and in the navigation's count."""
    with app.app_context():
        family, parent, _ = suffolk_case(people)
        mine = add_evidence(
            family,
            parent,
            people["lead_professional"],
            status="returned",
            reviewer=people["programme_manager"],
            reason="the period is a month short",
        )
        # A partner's returned item on the same family is the partner's to correct, not the lead's.
        add_evidence(family, parent, people["partner"], status="returned", reviewer=people["lead_professional"])
        ids = SimpleNamespace(family=family.id, ref=family.ref, evidence=mine.id)
    f.sign_in(client, people["lead_professional"])
    page = todo(client)
    (item,) = page.of("returned")
    assert item.links == [f"/families/{ids.family}/evidence/{ids.evidence}/correct"]
    assert f"Family {ids.ref}" in item.text and "The period is a month short." in item.text
    assert page.nav_text("/to-do") == "To do (1)"
    assert client.get(item.links[0]).status_code == 200
    # Corrected, it leaves the list and the count.
    with app.app_context():
        add_evidence(db.session.get(type(family), ids.family), parent, people["lead_professional"], replaces=mine)
    page = todo(client)
    assert page.of("returned") == [] and page.nav_text("/to-do") == "To do"


def test_a_lead_professional_never_sees_another_leads_families(app, client, people):
    with app.app_context():
        other_lead = f.make_user("lead_professional")
        family, child = durham_family(people, lead=other_lead)
        add_evidence(family, child, people["partner"], outcome="2.1")
        ref = family.ref
    f.sign_in(client, people["lead_professional"])
    response = client.get("/to-do")
    assert ref not in response.get_data(as_text=True)
    page = TodoPage(response.get_data(as_text=True))
    assert page.items == [] and page.nav_text("/to-do") == "To do"


def page_text(client) -> str:
    """The to-do page's words, as read: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", client.get("/to-do").get_data(as_text=True)).split())


def test_a_family_with_every_problem_achieved_but_open_is_listed_until_it_is_closed(app, client, people):
    with app.app_context():
        lp = people["lead_professional"]
        family = f.make_family(lp, plan_id="durham-2018", name="Reed family", engaged_on=dt.date(2017, 12, 4))
        child = f.add_member(family, lp, role="child", born=dt.date(2008, 3, 1), name="Sam Reed")
        f.add_problem(family, lp, "2", "4", member=child, identified_on=dt.date(2017, 11, 20))
        f.attach(family, people["school"], lp)
        fid, cid = family.id, child.id
    f.sign_in(client, people["partner"])
    client.post(f"/families/{fid}/evidence/new", data=attendance(cid))
    f.sign_in(client, people["lead_professional"])
    assert todo(client).of("close") == []  # submitted, not accepted: not achieved yet
    (waiting,) = todo(client).of("review")
    client.post(waiting.links[0], data={f"{waiting.links[0].rsplit('/', 1)[1].join(['e', '-decision'])}": "accepted"})
    (item,) = todo(client).of("close")
    assert item.links == [f"/families/{fid}/close"]
    assert "Every theme is achieved; the case is still open" in item.text  # Durham's word for a problem
    # Not counted beside "To do": nobody waits on the lead professional for it, and the page says so.
    assert todo(client).nav_text("/to-do") == "To do"
    assert (
        "1 thing needs you, oldest first within each family. Nobody is waiting for it yet, so To do in the menu "
        "shows no number." in page_text(client)
    )
    with app.app_context():
        other, parent, _ = suffolk_case(people)
        add_evidence(other, parent, people["partner"])  # waits for the lead professional's review
    assert todo(client).nav_text("/to-do") == "To do (1)"
    assert (
        "2 things need you, oldest first within each family. Someone is waiting for 1 of them: that is the "
        "number beside To do in the menu." in page_text(client)
    )
    assert client.post(f"/families/{fid}/close", data={"closed_on": ["1", "2", "2019"]}).status_code == 302
    assert todo(client).of("close") == []


def test_a_sustainment_window_ending_within_four_weeks_is_listed(app, client):
    """Hertfordshire judges six months after closure: a case closed six months less ten days ago
    can be claimed for in ten days."""
    from portal.demo import load_demo
    from portal.models import Family, User
    from portal.rules.calendar import add_months

    today = dt.date.today()
    with app.app_context():
        load_demo(today)
        family = db.session.scalar(db.select(Family).filter_by(ref="HERTS-EX-001"))
        lead = db.session.get(User, family.lead_professional_id)
        closed = add_months(today, -6) + dt.timedelta(days=10)
        db.session.add(CaseClosure(family_id=family.id, closed_on=closed, recorded_by_id=lead.id))
        db.session.commit()
        fid = family.id
    from portal.demo.people import DEMO_PASSWORD

    f.sign_in(client, lead, DEMO_PASSWORD)
    items = [i for i in todo(client).of("ending") if f"/families/{fid}" in i.links]
    assert len(items) == 1, todo(client).items
    ends = add_months(closed, 6)
    assert f"The window ends on {ends.day} {ends:%B %Y}" in items[0].text


def test_the_to_do_list_is_refused_to_admins_and_audited_for_others(app, client, people):
    f.sign_in(client, people["admin"])
    assert client.get("/to-do").status_code == 403
    f.sign_in(client, people["partner"])
    todo(client)
    with app.app_context():
        assert db.session.scalars(db.select(AuditEvent.detail).filter_by(action="todo.read")).all() == ["GET /to-do"]


# -- a fixed number of queries ---------------------------------------------------------------------


def add_work(app, people, how_many):
    """Families with something in every list: returned evidence, a correction, evidence to review."""
    with app.app_context():
        for _ in range(how_many):
            family, parent, _ = suffolk_case(people)
            old = add_evidence(
                family,
                parent,
                people["partner"],
                status="returned",
                reviewer=people["lead_professional"],
                reason="Dates",
            )
            add_evidence(family, parent, people["partner"], replaces=old)
            add_evidence(family, parent, people["partner"], status="returned", reviewer=people["lead_professional"])
            durham_family(people)


@pytest.mark.parametrize("role", ["partner", "lead_professional", "programme_manager"])
def test_the_to_do_list_runs_no_more_queries_for_more_families(app, client, people, role):
    f.sign_in(client, people[role])
    add_work(app, people, 2)
    with_two = queries_to_list(app, client, "/to-do")
    family_page_two = queries_to_list(app, client, "/families/")  # the navigation's count too
    add_work(app, people, 5)
    assert queries_to_list(app, client, "/to-do") == with_two
    assert queries_to_list(app, client, "/families/") == family_page_two
    assert len(todo(client).items) > 5 or role == "programme_manager"


def test_a_partner_is_asked_only_for_outcomes_whose_sources_an_agency_of_its_kind_can_give(app, client, people):
    # Suffolk's crime outcomes (1.x) name police and court records only (frameworks/sources.yaml):
    # the school is not asked for them; the police, on the same family, are.
    with app.app_context():
        police_partner = f.make_user("partner", people["police"])
        family, _parent, _child = suffolk_case(people, plan_outcomes=("6.2", "1.1"))
        f.attach(family, people["police"], people["lead_professional"])
        fid = family.id
    f.sign_in(client, people["partner"])
    school_asked = {
        i.links[0].rsplit("=", 1)[1] for i in todo(client).of("missing") if f"/families/{fid}/" in i.links[0]
    }
    client.post("/sign-out")
    f.sign_in(client, police_partner)
    police_asked = {
        i.links[0].rsplit("=", 1)[1] for i in todo(client).of("missing") if f"/families/{fid}/" in i.links[0]
    }
    crime = {"1.1", "1.2", "1.3"}
    assert crime & police_asked, police_asked
    assert not crime & school_asked, school_asked
    assert "6.2" in school_asked and "6.2" in police_asked  # practitioners' records: any agency


def test_every_page_works_out_its_navigation_and_header_once(app, client, people, monkeypatch):
    """GOV.UK Frontend's template writes its header blocks twice (once to see whether they are empty);
    base.html writes the header itself, so the navigation and its to-do count are worked out once."""
    calls = []
    real = app.jinja_env.globals["navigation_items"]
    monkeypatch.setitem(app.jinja_env.globals, "navigation_items", lambda: calls.append(1) or real())
    f.sign_in(client, people["lead_professional"])
    for path in ("/cookies", "/to-do", "/families/"):
        calls.clear()
        page = client.get(path).get_data(as_text=True)
        assert len(calls) == 1, path
        assert page.count('<header class="govuk-template__header"') == 1, path
        assert page.count('class="govuk-service-navigation"') == 1, path


def test_two_items_for_one_outcome_in_one_family_are_told_apart_by_whom_they_are_about(app, client, people):
    """A browser walk found two identical rows, and two identical links, for evidence about two children."""
    with app.app_context():
        family, parent, child = suffolk_case(people)
        add_evidence(family, parent, people["partner"])
        add_evidence(family, child, people["partner"])
    f.sign_in(client, people["lead_professional"])
    first, second = todo(client).of("review")
    assert first.text != second.text
    assert {", about Kerry" in first.text, ", about Mia" in second.text} == {True}
    page = client.get("/to-do").get_data(as_text=True)
    assert "Review the evidence for outcome 6.2 about Kerry" in page
    assert "Review the evidence for outcome 6.2 about Mia" in page
    # The tag beside each is for the eye only: its note says the same in words, read once.
    tags = re.findall(r'<strong class="govuk-tag[^"]*"([^>]*)>(?:Meets|Does not meet yet)<', page)
    assert len(tags) == 2 and all('aria-hidden="true"' in attrs for attrs in tags)
