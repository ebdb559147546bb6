"""Partners submit evidence against the plan, with the live (HTMX) check.

Families are on the County Durham plan (frameworks/durham-2018.yaml) with the
values of tests/rules/cases/durham-2018.yaml: theme 2 (school attendance, 2.1)
and theme 3 (family relationships, 3.4 with its SDQ route) identified; theme 1
is not, so its outcomes are not open.
"""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEvent, CaseClosure, Evidence
from tests import factories as f


@pytest.fixture
def durham(app, people):
    """A Durham family with a parent and a school-age child; the school is attached."""
    with app.app_context():
        lp = people["lead_professional"]
        family = f.make_family(lp, plan_id="durham-2018", name="Reed family", engaged_on=dt.date(2017, 12, 4))
        parent = f.add_member(family, lp, role="parent", born=dt.date(1985, 4, 12), name="Alex Reed", activity="")
        child = f.add_member(family, lp, role="child", born=dt.date(2008, 3, 1), name="Sam Reed")
        f.add_problem(family, lp, "2", "4", member=child, identified_on=dt.date(2017, 11, 20))
        f.add_problem(family, lp, "3", "5", identified_on=dt.date(2017, 11, 20))
        f.attach(family, people["school"], lp)
        return SimpleNamespace(id=family.id, parent=parent.id, child=child.id, url=f"/families/{family.id}/evidence")


def attendance(child_id, terms=("91", "92", "90.6"), **changes):
    """Durham 2.1 as the form posts it: three terms averaging 91.2%."""
    data = {
        "outcome": "2.1",
        "members": str(child_id),
        "source": "School Census",
        "period-start-day": "8",
        "period-start-month": "1",
        "period-start-year": "2018",
        "period-end-day": "19",
        "period-end-month": "12",
        "period-end-year": "2018",
        "values-baseline_attendance": "84",
        "values-fixed_term_exclusions": "0",
        "values-permanent_exclusions": "0",
        "values-on_roll": "yes",
        "statement": "School census, spring to autumn 2018.",
    }
    data |= {f"values-attendance-{i}": t for i, t in enumerate(terms, 1)}
    data.update(changes)
    return data


def sdq(child_id, initial="20", final="15"):
    return {
        "outcome": "3.4",
        "option": "sdq",
        "members": str(child_id),
        "source": "Strengths and Difficulties Questionnaire",
        "period-start-day": "15",
        "period-start-month": "1",
        "period-start-year": "2018",
        "period-end-day": "1",
        "period-end-month": "12",
        "period-end-year": "2018",
        "values-tool": "sdq",
        "values-initial_score": initial,
        "values-final_score": final,
        "statement": "SDQ at start and at review.",
    }


def evidence_rows(app):
    with app.app_context():
        return db.session.scalars(db.select(Evidence).order_by(Evidence.id)).all()


def actions(app, action):
    with app.app_context():
        return db.session.scalars(db.select(AuditEvent).filter_by(action=action).order_by(AuditEvent.id)).all()


def htmx(client, url, data):
    return client.post(url, data=data, headers={"HX-Request": "true"})


# ---------------------------------------------------------------- step 1: the outcome


def test_the_partner_chooses_from_the_outcomes_open_to_the_family_grouped_by_theme(client, people, durham):
    f.sign_in(client, people["partner"])
    page = client.get(f"{durham.url}/new").get_data(as_text=True)
    assert "Which outcome is this evidence for?" in page
    assert "Theme 2: " in page and "Theme 3: " in page
    assert 'name="outcome" type="radio" value="2.1"' in page
    assert 'id="outcome"' in page  # the first radio, for the error summary
    # Theme 1 is not identified: its outcomes are listed with the engine's reason, not offered.
    assert 'value="1.1"' not in page
    assert "1.1 belongs to theme 1, which is not identified for this family" in page


def test_continuing_without_choosing_an_outcome_is_an_error(client, people, durham):
    f.sign_in(client, people["partner"])
    page = client.get(f"{durham.url}/new?outcome=").get_data(as_text=True)
    assert "<title>Error: " in page
    assert 'href="#outcome"' in page
    assert "Choose the outcome this evidence is for" in page


def test_posting_evidence_without_an_outcome_is_refused(client, app, people, durham):
    f.sign_in(client, people["partner"])
    page = client.post(f"{durham.url}/new", data={"statement": "x"}).get_data(as_text=True)
    assert "<title>Error: " in page and "Choose the outcome this evidence is for" in page
    partial = htmx(client, f"{durham.url}/check", {"statement": "x"}).get_data(as_text=True)
    assert '<a class="govuk-link" href="#outcome">Choose the outcome this evidence is for</a>' in partial
    assert evidence_rows(app) == []


def test_an_outcome_not_open_is_refused_with_the_engines_reason(client, app, people, durham):
    f.sign_in(client, people["partner"])
    page = client.get(f"{durham.url}/new?outcome=1.1").get_data(as_text=True)
    assert "<title>Error: " in page
    assert "1.1 belongs to theme 1, which is not identified for this family" in page
    posted = attendance(durham.child, outcome="1.1", option="crime-33", **{"values-before": "3", "values-after": "2"})
    page = client.post(f"{durham.url}/new", data=posted).get_data(as_text=True)
    assert "1.1 belongs to theme 1, which is not identified for this family" in page
    assert evidence_rows(app) == []


def test_the_outcome_step_refuses_exactly_as_the_check_of_a_whole_submission_does(app, people, durham):
    """The step asks the engine only about the outcome; its answer is the full check's, word for word."""
    from portal import casefile
    from portal.models import Family

    with app.test_request_context():
        family = db.session.get(Family, durham.id)
        asked = [*casefile.plan_for(family).outcome_by_id, "9.9", "", "2.1 ", "<script>"]
        for outcome_id in asked:
            whole = casefile.check(family, {"outcome": outcome_id})
            expected = next((message for key, message in whole.errors if key == "outcome"), None)
            assert casefile.refusal_of_outcome(family, outcome_id) == expected, outcome_id
        assert casefile.refusal_of_outcome(family, "2.1") is None
        assert casefile.refusal_of_outcome(family, "1.1").startswith("1.1 belongs to theme 1")


def test_a_submission_and_a_live_check_each_check_the_form_once(client, app, people, durham, monkeypatch):
    """Deciding once per request (issue 12): the outcome step no longer checks a whole (empty) submission."""
    from portal import casefile

    checked, check = [], casefile.check_submission
    monkeypatch.setattr(casefile, "check_submission", lambda *a: checked.append(a[2].get("outcome")) or check(*a))
    f.sign_in(client, people["partner"])
    htmx(client, f"{durham.url}/check", attendance(durham.child))
    assert checked == ["2.1"]
    checked.clear()
    assert client.post(f"{durham.url}/new", data=attendance(durham.child)).status_code == 302
    assert checked == ["2.1"]
    assert len(evidence_rows(app)) == 1


# ---------------------------------------------------------------- step 2: the form


def test_the_attendance_form_asks_for_each_term_and_the_plans_other_values(client, people, durham):
    f.sign_in(client, people["partner"])
    page = client.get(f"{durham.url}/new?outcome=2.1").get_data(as_text=True)
    for i in (1, 2, 3):
        assert f'<label class="govuk-label" for="values-attendance-{i}">' in page
        assert re.search(rf'<label[^>]*for="values-attendance-{i}">\s*Term {i}\s*</label>', page)
    assert "Attendance in each of the 3 terms (%), oldest first" in page
    assert 'id="values-fixed_term_exclusions"' in page and 'inputmode="numeric"' in page
    assert 'name="values-on_roll" type="radio" value="yes"' in page
    # Members with role and age; the plan's sources; GOV.UK date inputs for the period.
    assert "Sam Reed" in page and "Alex Reed" in page and "Child, aged" in page
    assert f'name="members" type="checkbox" value="{durham.child}"' in page
    assert 'value="School Census"' in page and 'value="Synergy"' in page
    assert 'name="period-start-day"' in page and 'id="period-end-year"' in page
    assert 'id="statement"' in page
    # The live check: posted on input, shown beside the form; not itself a live region
    # (it would be re-read whole on each update): a polite region beside it gets the changes.
    assert f'hx-post="{durham.url}/check"' in page
    assert 'hx-trigger="input changed delay:400ms, change"' in page
    assert 'hx-target="#evidence-check"' in page and 'hx-swap="innerHTML"' in page
    assert '<div id="evidence-check">' in page
    assert re.search(r'id="evidence-check-news"[^>]*role="status" aria-live="polite"', page)
    assert "novalidate" in page


def test_an_outcome_with_several_routes_asks_for_the_route_first(client, people, durham):
    f.sign_in(client, people["partner"])
    page = client.get(f"{durham.url}/new?outcome=3.4").get_data(as_text=True)
    assert "How does this evidence show outcome 3.4?" in page
    assert 'name="option" type="radio" value="sdq"' in page
    assert "Strengths and Difficulties Questionnaire score improved" in page
    assert 'name="values-initial_score"' not in page


def test_continuing_without_a_route_is_an_error(client, people, durham):
    f.sign_in(client, people["partner"])
    page = client.get(f"{durham.url}/new?outcome=3.4&option=").get_data(as_text=True)
    assert "<title>Error: " in page
    assert "Choose how this evidence shows the outcome" in page
    assert 'href="#option"' in page


def test_the_score_route_asks_for_the_scores_before_and_after(client, people, durham):
    f.sign_in(client, people["partner"])
    page = client.get(f"{durham.url}/new?outcome=3.4&option=sdq").get_data(as_text=True)
    assert 'for="values-initial_score"' in page and "Score at the start" in page
    assert 'for="values-final_score"' in page and "Score at the end" in page
    assert "0 to 40" in page  # the tool's range, as a hint
    assert 'name="values-tool" type="radio" value="sdq" checked' in page  # the one tool the route names
    assert 'name="option" value="sdq"' in page
    assert 'inputmode="decimal"' in page


def test_a_family_outcome_does_not_ask_who_the_evidence_is_about(client, app, people, durham):
    f.sign_in(client, people["partner"])
    page = client.get(f"{durham.url}/new?outcome=3.9").get_data(as_text=True)
    assert 'name="members"' not in page
    assert 'name="values-confirmed"' in page and 'name="values-practitioner"' in page
    posted = {
        "outcome": "3.9",
        "source": "LP",
        "period-start-day": "1",
        "period-start-month": "6",
        "period-start-year": "2018",
        "period-end-day": "1",
        "period-end-month": "12",
        "period-end-year": "2018",
        "values-confirmed": "yes",
        "values-practitioner": "Sam Reed, Lead Professional",
        "statement": "Conflict reduced.",
    }
    assert client.post(f"{durham.url}/new", data=posted).status_code == 302
    (row,) = evidence_rows(app)
    assert row.member_ids == [] and row.values == {"confirmed": True, "practitioner": "Sam Reed, Lead Professional"}


# ---------------------------------------------------------------- the live check


def test_the_live_check_previews_attendance_that_meets_the_outcome(client, app, people, durham):
    f.sign_in(client, people["partner"])
    response = htmx(client, f"{durham.url}/check", attendance(durham.child))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in page and "<form" not in page  # the partial alone
    assert "3 terms averaging 91.2% (above 90% needed)" in page
    assert ": meets 2.1." in page
    assert "Still to fix" not in page
    assert evidence_rows(app) == []


def test_the_live_check_says_an_average_of_exactly_90_does_not_meet_above_90(client, app, people, durham):
    f.sign_in(client, people["partner"])
    page = htmx(client, f"{durham.url}/check", attendance(durham.child, ("90", "90", "90"))).get_data(as_text=True)
    assert "3 terms averaging 90%" in page
    assert ": does not meet 2.1." in page
    assert "You can still submit it" in page


def test_the_live_check_names_each_missing_or_bad_value(client, app, people, durham):
    f.sign_in(client, people["partner"])
    posted = attendance(durham.child, ("91", "ninety", ""), statement="", source="")
    posted.pop("values-on_roll")
    posted["values-fixed_term_exclusions"] = "1.5"
    page = htmx(client, f"{durham.url}/check", posted).get_data(as_text=True)
    assert '<a class="govuk-link" href="#values-attendance-2">Term 2 attendance must be a number</a>' in page
    assert '<a class="govuk-link" href="#values-attendance-3">Enter term 3 attendance</a>' in page
    assert "Fixed-term exclusions in these terms must be a whole number" in page
    assert 'href="#values-on_roll"' in page and "answer yes or no" in page
    assert 'href="#source"' in page and "Choose the source of this evidence" in page
    assert 'href="#statement"' in page and "Enter a statement describing the evidence" in page
    assert "meets 2.1" not in page  # no preview from values that cannot be read
    assert evidence_rows(app) == []


def test_the_live_check_refuses_a_member_who_does_not_fit_the_outcome(client, people, durham):
    f.sign_in(client, people["partner"])
    page = htmx(client, f"{durham.url}/check", attendance(durham.parent)).get_data(as_text=True)
    assert 'href="#members"' in page
    assert "Alex Reed" in page and "cannot be the subject of 2.1" in page


def test_the_live_check_previews_a_score_route(client, people, durham):
    f.sign_in(client, people["partner"])
    met = htmx(client, f"{durham.url}/check", sdq(durham.child)).get_data(as_text=True)
    assert "fell 5 point(s) from 20 to 15" in met and ": meets 3.4." in met
    worse = htmx(client, f"{durham.url}/check", sdq(durham.child, "20", "22")).get_data(as_text=True)
    assert ": does not meet 3.4." in worse


def test_without_javascript_the_check_button_shows_the_whole_form_with_the_result(client, app, people, durham):
    f.sign_in(client, people["partner"])
    page = client.post(f"{durham.url}/check", data=attendance(durham.child)).get_data(as_text=True)
    assert "<html" in page and 'value="90.6"' in page
    assert ": meets 2.1." in page
    assert evidence_rows(app) == []


# ---------------------------------------------------------------- submitting


def test_a_form_with_errors_is_shown_again_with_every_value_kept_and_nothing_saved(client, app, people, durham):
    f.sign_in(client, people["partner"])
    posted = attendance(durham.child, ("91", "ninety", "90.6"), statement="Census extract")
    posted["period-end-month"] = "13"
    page = client.post(f"{durham.url}/new", data=posted).get_data(as_text=True)
    assert "<title>Error: Submit evidence for outcome 2.1" in page
    assert "There is a problem" in page
    assert 'href="#values-attendance-2"' in page and "Term 2 attendance must be a number" in page
    assert 'href="#period-end-day"' in page and "The end of the period must be a real date" in page
    assert 'class="govuk-error-message"' in page
    # Only the term that is wrong is marked.
    assert re.search(r'govuk-input--error" id="values-attendance-2"', page)
    assert not re.search(r'govuk-input--error" id="values-attendance-1"', page)
    for kept in ('value="91"', 'value="ninety"', 'value="90.6"', 'value="13"', 'value="84"', "Census extract"):
        assert kept in page
    assert re.search(rf'value="{durham.child}"\s+checked', page)
    assert re.search(r'value="School Census"\s+checked', page)
    assert re.search(r'name="values-on_roll" type="radio" value="yes"\s+checked', page)
    assert evidence_rows(app) == []
    assert actions(app, "evidence.submit") == []


def test_valid_evidence_is_saved_with_its_values_and_audited(client, app, people, durham):
    f.sign_in(client, people["partner"])
    response = client.post(f"{durham.url}/new", data=attendance(durham.child))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/families/{durham.id}")
    (row,) = evidence_rows(app)
    assert row.outcome_id == "2.1" and row.option is None
    assert row.member_ids == [durham.child]
    assert row.source == "School Census"
    assert (row.period_start, row.period_end) == (dt.date(2018, 1, 8), dt.date(2018, 12, 19))
    assert row.values == {
        "attendance": [91, 92, 90.6],
        "baseline_attendance": 84,
        "fixed_term_exclusions": 0,
        "permanent_exclusions": 0,
        "on_roll": True,
    }
    assert row.statement == "School census, spring to autumn 2018."
    assert row.agency_id == people["school"].id and row.submitted_by_id == people["partner"].id
    assert row.version == 1 and row.replaces_id is None
    (event,) = actions(app, "evidence.submit")
    assert event.family_id == durham.id and event.user_id == people["partner"].id
    with client.session_transaction() as session:
        assert ("success", "Evidence for outcome 2.1 submitted") in session["_flashes"]


def test_evidence_that_does_not_meet_the_outcome_yet_can_still_be_submitted(client, app, people, durham):
    f.sign_in(client, people["partner"])
    assert client.post(f"{durham.url}/new", data=attendance(durham.child, ("90", "90", "90"))).status_code == 302
    (row,) = evidence_rows(app)
    assert row.values["attendance"] == [90, 90, 90]


def test_score_evidence_is_saved_with_its_route(client, app, people, durham):
    f.sign_in(client, people["partner"])
    assert client.post(f"{durham.url}/new", data=sdq(durham.child)).status_code == 302
    (row,) = evidence_rows(app)
    assert row.option == "sdq"
    assert row.values == {"tool": "sdq", "initial_score": 20, "final_score": 15}


def test_the_lead_professional_can_submit_evidence_for_their_family(client, app, people, durham):
    f.sign_in(client, people["lead_professional"])
    assert client.post(f"{durham.url}/new", data=attendance(durham.child)).status_code == 302
    (row,) = evidence_rows(app)
    assert row.agency_id is None and row.submitted_by_id == people["lead_professional"].id


def test_evidence_may_be_submitted_after_the_case_is_closed(client, app, people, durham):
    with app.app_context():
        db.session.add(
            CaseClosure(
                family_id=durham.id, closed_on=dt.date(2018, 12, 31), recorded_by_id=people["lead_professional"].id
            )
        )
        db.session.commit()
    f.sign_in(client, people["partner"])
    page = client.get(f"{durham.url}/new?outcome=2.1").get_data(as_text=True)
    assert "This case was closed on 31 December 2018. You can still submit evidence" in page
    assert client.post(f"{durham.url}/new", data=attendance(durham.child)).status_code == 302
    assert len(evidence_rows(app)) == 1


# ---------------------------------------------------------------- a form sent twice


def test_a_form_sent_twice_saves_its_evidence_once_and_says_so(client, app, people, durham):
    """Two clicks, or the back button and Submit again: the form carries a once-only key."""
    f.sign_in(client, people["partner"])
    page = client.get(f"{durham.url}/new?outcome=2.1").get_data(as_text=True)
    key = re.search(r'name="form_key" value="([^"]+)"', page).group(1)
    posted = attendance(durham.child, form_key=key)
    assert client.post(f"{durham.url}/new", data=posted).status_code == 302
    again = client.post(f"{durham.url}/new", data=posted, follow_redirects=True).get_data(as_text=True)
    assert "This form was sent more than once" in again and "has not been saved again" in again
    (row,) = evidence_rows(app)
    assert row.form_key == key
    with app.app_context():
        refusals = db.session.query(AuditEvent).filter_by(action="evidence.submit-refused").all()
        assert len(refusals) == 1 and f"evidence {row.id} was saved from it" in refusals[0].detail
    # A new form has a new key; a form with errors keeps its key when it comes back.
    fresh = client.get(f"{durham.url}/new?outcome=2.1").get_data(as_text=True)
    assert re.search(r'name="form_key" value="([^"]+)"', fresh).group(1) != key
    wrong = client.post(f"{durham.url}/new", data=attendance(durham.child, form_key=key + "x", statement=""))
    assert f'value="{key}x"' in wrong.get_data(as_text=True)
    # A hostile key is not kept: the evidence is saved, with a key of the portal's own making or none.
    for n, hostile in enumerate(("<script>", "a" * 5000, "' OR 1=1 --")):
        posted = attendance(durham.child, form_key=hostile, statement=f"Census, take {n}.")
        assert client.post(f"{durham.url}/new", data=posted).status_code == 302
    assert len(evidence_rows(app)) == 4 and all(r.form_key in (None, key) for r in evidence_rows(app))


def test_the_same_evidence_sent_again_from_a_fresh_form_is_not_saved_twice(client, app, people, durham):
    """The back button gives a fresh form (and key), with what was typed restored by the browser."""
    f.sign_in(client, people["partner"])
    for _ in range(2):
        page = client.get(f"{durham.url}/new?outcome=2.1").get_data(as_text=True)
        key = re.search(r'name="form_key" value="([^"]+)"', page).group(1)
        response = client.post(f"{durham.url}/new", data=attendance(durham.child, form_key=key), follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "The same evidence for outcome 2.1 (the same period, values and statement) was submitted already" in body
    assert len(evidence_rows(app)) == 1
    # Anything different is new evidence: another term's figures, or another statement.
    changed = attendance(durham.child, terms=("93", "92", "90.6"))
    assert client.post(f"{durham.url}/new", data=changed).status_code == 302
    assert len(evidence_rows(app)) == 2


def test_statements_that_start_alike_are_told_apart_by_their_whole_words(client, app, people, durham):
    """The duplicate check finds the family's items by the start of their statements (an index);
    the whole statement still decides. Characters beyond ASCII straddle the start's end, where
    Python and the database must cut alike."""
    f.sign_in(client, people["partner"])
    opening = "Sam's attendance, term by term: " + "é" * 60 + "✓ " * 8  # 100 characters and more
    long = opening + "Spring 91%, summer 92%, autumn 90.6%."
    other = opening + "Figures from the school's own register."
    for statement, saved in ((long, 1), (long, 1), (other, 2), (other, 2)):
        response = client.post(f"{durham.url}/new", data=attendance(durham.child, statement=statement))
        assert response.status_code == 302
        assert len(evidence_rows(app)) == saved, statement[-40:]
    with app.app_context():
        assert [e.statement for e in evidence_rows(app)] == [long, other]


def test_the_duplicate_check_reads_the_items_whose_statements_start_the_same_only(app, people, durham):
    """Not every item the family has: a family with 300 items paid for reading them all on every
    submission (docs/performance.md, "Run 21")."""
    from portal.evidence import records
    from tests.query_plans import rows_read
    from tests.test_families import add_evidence

    with app.app_context():
        family, child = SimpleNamespace(id=durham.id), SimpleNamespace(id=durham.child)
        for n in range(12):
            add_evidence(
                family, child, people["partner"], outcome="2.1", statement=f"Item {n}.", source="School Census"
            )
        statement = "Item 7."
        params = {
            "form_key": None,
            "family_id": durham.id,
            "outcome_id": "2.1",
            "period_start": dt.date(2024, 2, 1),
            "period_end": dt.date(2024, 8, 1),
            "source": "School Census",
            "statement_start": statement,
            "who": people["partner"].agency_id,
        }
        query = records._sent_before_query(False, True)
        assert [e.statement for e in db.session.scalars(query, params)] == [statement]
        read = rows_read(query, params, "evidence")
        if db.engine.dialect.name == "sqlite":
            assert "USING INDEX ix_evidence_family_id_statement_start (family_id=? AND <expr>=?)" in read, read
        else:
            assert read == 1, f"{read} of the family's items read to find one"
        db.session.rollback()


def test_a_form_sent_four_times_at_once_saves_its_evidence_once(app, people, durham):
    import threading

    clients = [app.test_client() for _ in range(4)]
    for c in clients:
        f.sign_in(c, people["partner"])
    page = clients[0].get(f"{durham.url}/new?outcome=2.1").get_data(as_text=True)
    posted = attendance(durham.child, form_key=re.search(r'name="form_key" value="([^"]+)"', page).group(1))
    barrier, responses = threading.Barrier(4), [None] * 4

    def post(i):
        barrier.wait()
        responses[i] = clients[i].post(f"{durham.url}/new", data=posted, follow_redirects=True)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    bodies = [r.get_data(as_text=True) for r in responses]
    assert sum("This form was sent more than once" in b for b in bodies) == 3, [r.status_code for r in responses]
    assert len(evidence_rows(app)) == 1


def test_a_copy_of_a_form_sent_while_this_one_is_checked_waits_and_is_said_to_be_sent_more_than_once(
    app, people, durham
):
    """The race the test above met on PostgreSQL, made to happen every time: another copy of this
    form arrives after this one has looked for its key and before it saves. It was saved in
    between, and this copy was told "the same evidence ... was submitted already", as if typed
    again on a new form. Now the copy waits for this one's commit (the family's lock,
    records.submit), finds its key, and is told the form was sent more than once."""
    import threading

    first, second = app.test_client(), app.test_client()
    for c in (first, second):
        f.sign_in(c, people["partner"])
    page = first.get(f"{durham.url}/new?outcome=2.1").get_data(as_text=True)
    posted = attendance(durham.child, form_key=re.search(r'name="form_key" value="([^"]+)"', page).group(1))
    checking, other = threading.current_thread(), {}

    def other_copy_sent_meanwhile(conn, cursor, statement, *args):
        if threading.current_thread() is checking and "substr(evidence.statement" in statement and not other:
            other["thread"] = threading.Thread(
                target=lambda: other.setdefault(
                    "response", second.post(f"{durham.url}/new", data=posted, follow_redirects=True)
                )
            )
            other["thread"].start()
            other["thread"].join(3)
            other["waited"] = other["thread"].is_alive()

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", other_copy_sent_meanwhile)
    try:
        response = first.post(f"{durham.url}/new", data=posted)
    finally:
        sa.event.remove(engine, "before_cursor_execute", other_copy_sent_meanwhile)
    other["thread"].join(60)
    assert other["waited"], "the copy was saved while this one was between its check and its save"
    assert response.status_code == 302
    assert "This form was sent more than once" in other["response"].get_data(as_text=True)
    assert len(evidence_rows(app)) == 1


def test_the_same_evidence_sent_from_two_forms_at_once_is_saved_once(app, people, durham):
    """Two forms (two keys: two tabs, or Back and a second Submit) send the same evidence at the
    same moment. The second is made to arrive after the first has looked for the same evidence
    and found none, and before it saves: each found nothing, and both were saved. Now a submission
    holds the family's lock while it looks and saves (records.submit), so the second waits for the
    first's commit, then finds its evidence and is refused."""
    import threading

    first, second = app.test_client(), app.test_client()
    for c in (first, second):
        f.sign_in(c, people["partner"])
    keys = [
        re.search(
            r'name="form_key" value="([^"]+)"', c.get(f"{durham.url}/new?outcome=2.1").get_data(as_text=True)
        ).group(1)
        for c in (first, second)
    ]
    assert keys[0] != keys[1]
    checking, other = threading.current_thread(), {}

    def other_form_sent_meanwhile(conn, cursor, statement, *args):
        if threading.current_thread() is checking and "substr(evidence.statement" in statement and not other:
            other["thread"] = threading.Thread(
                target=lambda: other.setdefault(
                    "response", second.post(f"{durham.url}/new", data=attendance(durham.child, form_key=keys[1]))
                )
            )
            other["thread"].start()
            other["thread"].join(3)  # long enough to save, unless it must wait for this one
            other["waited"] = other["thread"].is_alive()

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "after_cursor_execute", other_form_sent_meanwhile)
    try:
        response = first.post(f"{durham.url}/new", data=attendance(durham.child, form_key=keys[0]))
    finally:
        sa.event.remove(engine, "after_cursor_execute", other_form_sent_meanwhile)
    other["thread"].join(60)
    assert other["waited"], "the other form was saved while this one was between its check and its save"
    assert response.status_code == 302 and other["response"].status_code == 302
    assert len(evidence_rows(app)) == 1
    page = second.get(other["response"].location).get_data(as_text=True)
    assert "was submitted already" in page, page
    assert len(actions(app, "evidence.submit-refused")) == 1


# ---------------------------------------------------------------- how much a box may hold


def test_a_statement_or_a_box_over_its_length_is_refused_naming_it_and_nothing_is_saved(client, app, people, durham):
    f.sign_in(client, people["partner"])
    at_most = attendance(durham.child, statement="s" * 10_000)
    assert client.post(f"{durham.url}/new", data=at_most).status_code == 302
    for field, text, message in (
        ("statement", "s" * 10_001, "Statement must be 10,000 characters or fewer"),
        ("source", "S" * 301, "Source must be 300 characters or fewer"),
        ("values-baseline_attendance", "8" * 301, "must be 300 characters or fewer"),
    ):
        page = client.post(f"{durham.url}/new", data=attendance(durham.child, **{field: text})).get_data(as_text=True)
        assert "There is a problem" in page and message in page, field
    assert len(evidence_rows(app)) == 1


@pytest.mark.parametrize("typed", ["1_000", "1e3", "9" * 25, "nan", "Infinity", "92,5", "9,25"])
def test_a_number_is_read_only_as_people_write_numbers(client, app, people, durham, typed):
    """Python reads "1_000" as 1000 and "1e3" as 1000.0; a person means neither. "92,5" is a decimal
    comma, once read as 925 (and "9,25" as 925, within no range check): refused as typed."""
    f.sign_in(client, people["partner"])
    page = client.post(f"{durham.url}/new", data=attendance(durham.child, terms=("91", typed, "90.6")))
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "There is a problem" in body and "Term 2 attendance must be a number" in body
    assert "9" * 25 not in body.replace(typed, "") and evidence_rows(app) == []


def test_text_too_long_to_read_is_said_to_be_the_text_not_the_files(client, app, people, durham):
    f.sign_in(client, people["partner"])
    posted = attendance(durham.child, statement="s" * 600_000)
    page = client.post(f"{durham.url}/new", data=posted, content_type="multipart/form-data")  # as the form sends it
    body = page.get_data(as_text=True)
    assert page.status_code == 413 and "The text you typed is too long" in body and "files" not in body.split("<h1")[1]
    assert evidence_rows(app) == []


def test_the_forms_messages_name_people_and_dates_in_words_not_ids(client, app, people, durham):
    f.sign_in(client, people["partner"])
    with app.app_context():
        other = f.make_family(people["lead_professional"], plan_id="durham-2018", name="Other family")
        stranger = f.add_member(other, people["lead_professional"], role="child", name="Robin Other").id
    for members, said in (
        (str(durham.parent), "Alex Reed is not a child"),
        (str(stranger), "The person chosen is not a member of this family"),
        ("abc", "Choose who this evidence is about from the list"),
    ):
        body = client.post(f"{durham.url}/new", data=attendance(durham.child, members=members)).get_data(as_text=True)
        assert said in body, (members, re.findall(r'govuk-error-message">(.*?)</', body, re.S))
        assert not re.search(r"\(m\d+\)|\bm\d+ is\b|\bmabc\b", body), members
    future = dt.date.today() + dt.timedelta(days=400)
    posted = attendance(
        durham.child, **{"period-end-day": "1", "period-end-month": "1", "period-end-year": str(future.year)}
    )
    body = client.post(f"{durham.url}/new", data=posted).get_data(as_text=True)
    errors = " ".join(re.findall(r'govuk-error-message">(.*?)</', body, re.S))
    assert errors and not re.search(r"\d{4}-\d\d-\d\d", errors), errors
