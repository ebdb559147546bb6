"""The family list a page at a time, and the same few queries however many families a page shows."""

import re

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.families import listing
from tests import factories as f
from tests.test_families import HTMX, add_evidence, listed_refs, suffolk_case


@pytest.fixture
def five(app, people):
    """Five families led by the lead professional, listed by reference; pages of two."""
    with app.app_context():
        return sorted(f.make_family(people["lead_professional"], name=f"Family {n}").ref for n in range(5))


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)


def test_the_list_shows_a_page_at_a_time_with_links_to_the_others(client, people, five, small_pages):
    f.sign_in(client, people["lead_professional"])
    first = client.get("/families/").get_data(as_text=True)
    assert listed_refs(first) == five[:2]
    assert "5 families, showing 1 to 2" in first
    assert 'href="/families/?page=2"' in first and 'href="/families/?page=3"' in first
    last = client.get("/families/?page=3").get_data(as_text=True)
    assert listed_refs(last) == five[4:]
    assert "5 families, showing 5 to 5" in last and "govuk-pagination__next" not in last


@pytest.mark.parametrize(("asked", "shown"), [("99", 3), ("0", 1), ("-4", 1), ("two", 1)])
def test_a_page_out_of_range_or_not_a_number_shows_the_nearest(client, people, five, small_pages, asked, shown):
    f.sign_in(client, people["lead_professional"])
    page = client.get(f"/families/?page={asked}").get_data(as_text=True)
    assert listed_refs(page) == five[(shown - 1) * 2 : shown * 2]


def test_pages_keep_the_search(client, people, five, small_pages):
    f.sign_in(client, people["lead_professional"])
    page = client.get("/families/?q=family", headers=HTMX).get_data(as_text=True)
    assert 'href="/families/?q=family&amp;page=2"' in page
    assert "5 families matching “family”, showing 1 to 2" in page


def test_one_page_needs_no_pagination(client, people, five):
    f.sign_in(client, people["lead_professional"])
    page = client.get("/families/").get_data(as_text=True)
    assert "5 families" in page and "showing" not in page and "govuk-pagination" not in page


def test_pagination_marks_gaps_and_the_current_page():
    page = listing.FamilyPage(rows=[], total=1000, number=7, pages=20)
    params = listing.pagination(page, lambda n: f"?page={n}")
    shown = [item.get("number", "…") for item in params["items"]]
    assert shown == [1, "…", 6, 7, 8, "…", 20]
    assert [i["number"] for i in params["items"] if i.get("current")] == [7]
    assert (params["previous"]["href"], params["next"]["href"]) == ("?page=6", "?page=8")


def queries_to_list(app, client, url="/families/"):
    """How many SQL statements one GET of the family list (or another page) runs."""
    statements = []
    with app.app_context():
        engine = db.engine

    def record(*args):
        statements.append(args[2])

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def add_cases(app, people, how_many):
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


def test_listing_more_families_runs_no_more_queries(app, client, people):
    f.sign_in(client, people["lead_professional"])
    add_cases(app, people, 2)
    with_two = queries_to_list(app, client)
    add_cases(app, people, 6)
    assert queries_to_list(app, client) == with_two


def test_the_list_counts_what_awaits_review_and_what_is_turned_around(app, client, people):
    add_cases(app, people, 2)
    f.sign_in(client, people["lead_professional"])
    page = client.get("/families/").get_data(as_text=True)
    assert len(re.findall(r">1 to review<", page)) == 2
    assert page.count('govuk-tag--grey">Not yet') == 2


def add_corrected(family, parent, people, how_many):
    """Submissions returned once and corrected: two versions each, the newer awaiting review."""
    for _ in range(how_many):
        old = add_evidence(
            family, parent, people["partner"], status="returned", reviewer=people["lead_professional"], reason="Dates"
        )
        add_evidence(family, parent, people["partner"], replaces=old)


def test_a_family_page_runs_no_more_queries_for_more_evidence(app, client, people):
    with app.app_context():
        family, parent, _ = suffolk_case(people)
        add_evidence(family, parent, people["partner"], status="accepted", reviewer=people["lead_professional"])
        add_corrected(family, parent, people, 1)
    f.sign_in(client, people["lead_professional"])
    urls = [f"/families/{family.id}", f"/families/{family.id}/closure-summary.pdf", f"/families/{family.id}/reviews"]
    before = [queries_to_list(app, client, url) for url in urls]
    with app.app_context():
        add_corrected(family, parent, people, 4)
    assert [queries_to_list(app, client, url) for url in urls] == before


# -- filtering and sorting by status (the stored verdict, portal/families/standing.py) ------------


@pytest.fixture
def two_turned_around(app, people, five):
    """Of the five, the second and fourth are stored as turned around."""
    from portal.models import Family, FamilyVerdict

    with app.app_context():
        ids = {fam.ref: fam.id for fam in db.session.scalars(sa.select(Family))}
        turned = [five[1], five[3]]
        db.session.execute(
            sa.update(FamilyVerdict)
            .where(FamilyVerdict.family_id.in_([ids[ref] for ref in turned]))
            .values(status="turned_around", turned_around=True)
        )
        db.session.commit()
    return turned


def test_the_list_filters_by_status_and_its_pages_keep_the_filter(client, people, five, two_turned_around, small_pages):
    f.sign_in(client, people["lead_professional"])
    page = client.get("/families/").get_data(as_text=True)
    assert '<select class="govuk-select" id="status" name="status"' in page
    assert '<option value="turned_around">Turned around</option>' in page
    turned = client.get("/families/?status=turned_around").get_data(as_text=True)
    assert listed_refs(turned) == two_turned_around
    assert "2 families turned around" in turned
    assert '<option value="turned_around" selected>Turned around</option>' in turned
    eligible = client.get("/families/?status=not_eligible&sort=status").get_data(as_text=True)
    assert listed_refs(eligible) == [r for r in five if r not in two_turned_around][:2]
    assert 'href="/families/?status=not_eligible&amp;sort=status&amp;page=2"' in eligible


def test_sorting_by_status_puts_turned_around_families_first(client, people, five, two_turned_around):
    f.sign_in(client, people["lead_professional"])
    page = client.get("/families/?sort=status").get_data(as_text=True)
    assert listed_refs(page) == two_turned_around + [r for r in five if r not in two_turned_around]
    assert '<option value="status" selected>' in page


def test_the_filter_works_with_the_search_and_htmx_alike(client, people, five, two_turned_around):
    f.sign_in(client, people["lead_professional"])
    partial = client.get(f"/families/?q={five[1]}&status=turned_around", headers=HTMX).get_data(as_text=True)
    assert listed_refs(partial) == [five[1]] and "<h1" not in partial
    none = client.get(f"/families/?q={five[0]}&status=turned_around", headers=HTMX).get_data(as_text=True)
    assert listed_refs(none) == [] and "No families match" in none


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("status=paid", "status", "Status must be one of the statuses listed"),
        ("sort=%3Cscript%3E", "sort", "Sort by must be reference or status"),
    ],
)
def test_an_unknown_status_or_sort_is_named_with_the_reason_and_filters_nothing(
    client, people, five, two_turned_around, query, field, message
):
    f.sign_in(client, people["lead_professional"])
    response = client.get(f"/families/?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page and f'href="#{field}"' in page and "<script>" not in page
    assert listed_refs(page) == five  # every family, in the usual order


@pytest.fixture
def school_on_two(app, people, five, two_turned_around):
    """The partner's school is on the team of one turned-around family and one that is not."""
    from portal.models import Agency, Family

    with app.app_context():
        school = db.session.get(Agency, people["partner"].agency_id)
        for ref in (five[0], five[1]):
            f.attach(db.session.scalar(sa.select(Family).filter_by(ref=ref)), school, people["lead_professional"])
        db.session.commit()
    return [five[0], five[1]]


def test_a_partner_sees_no_verdict_in_the_list_nor_a_way_to_filter_or_sort_by_it(client, people, school_on_two):
    """Partners see no verdict (docs/security.md): the family page never showed one, the list did."""
    f.sign_in(client, people["partner"])
    page = client.get("/families/").get_data(as_text=True)
    assert listed_refs(page) == school_on_two
    assert "Turned around" not in page and "Not yet" not in page
    assert 'name="status"' not in page and 'name="sort"' not in page
    assert "2 families" in page


@pytest.mark.parametrize(
    ("query", "field"),
    [("status=turned_around", "status"), ("status=not_eligible", "status"), ("sort=status", "sort")],
)
def test_a_partner_asking_for_the_list_by_verdict_is_told_why_and_sees_every_family(
    client, people, school_on_two, query, field
):
    # Filtered, the list would tell which of their families are turned around; sorted, in which order.
    f.sign_in(client, people["partner"])
    for headers in ({}, HTMX):
        response = client.get(f"/families/?{query}", headers=headers)
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert listed_refs(page) == school_on_two  # both, in the usual order
        assert "Turned around" not in page and "turned around" not in page
    page = client.get(f"/families/?{query}").get_data(as_text=True)
    assert f"{field.capitalize()} " in page and "partner agencies" in page
