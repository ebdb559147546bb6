"""Nobody sees or changes a family they do not work with, on any route.

Walks app.url_map, so a route added later is covered without editing this
file: every family route (full pages, HTMX partials, downloads) is tried by
every role that is not attached to the family, with GET and with POST.
"""

import datetime as dt

import pytest

from portal.boundaries.ids import IdConverter as IntegerConverter  # the portal's bounded ids
from portal.extensions import db
from portal.models import AuditEvent, Evidence, Review, TeamMembership
from tests import factories as f

SECRETS = ("Isolation family", "Zebedee", "A statement no outsider may read")


@pytest.fixture
def family_world(app, people):
    with app.app_context():
        other_lead = f.make_user("lead_professional")
        family = f.make_family(other_lead, "suffolk-2017", name=SECRETS[0])
        child = f.add_member(family, other_lead, name=SECRETS[1])
        problem = f.add_problem(family, other_lead, "2", "a", member=child)
        f.attach(family, people["police"], other_lead)
        evidence = Evidence(
            family_id=family.id,
            outcome_id="2.1",
            member_ids=[child.id],
            source="x",
            period_start=dt.date(2024, 1, 8),
            period_end=dt.date(2024, 7, 8),
            values={},
            statement=SECRETS[2],
            submitted_by_id=other_lead.id,
        )
        db.session.add(evidence)
        db.session.commit()
        membership = db.session.scalar(db.select(TeamMembership).filter_by(family_id=family.id))
        ids = {
            "member_id": child.id,
            "problem_id": problem.id,
            "evidence_id": evidence.id,
            "membership_id": membership.id,
        }
        return {"family": family, "evidence": evidence, "lead": other_lead, "ids": ids}


def family_routes(app, world):
    for rule in app.url_map.iter_rules():
        if "family_id" not in rule.arguments:
            continue
        values = {"family_id": world["family"].id}
        for name in rule.arguments - values.keys():
            numeric = isinstance(rule._converters[name], IntegerConverter)
            values[name] = world["ids"].get(name, 1 if numeric else "x")
        url = rule.build(values)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def outsiders(people):
    # The police are attached, and the verifier reads every family by design.
    return {name: people[name] for name in ("partner", "lead_professional", "admin")}


def test_there_are_family_routes_to_check(app, family_world):
    endpoints = {endpoint for endpoint, _, _ in family_routes(app, family_world)}
    assert {"families.show", "evidence.new", "closure.summary"} <= endpoints


@pytest.mark.parametrize("role", ["partner", "lead_professional", "admin"])
def test_an_outsider_gets_nothing_from_any_family_route(app, client, people, family_world, role):
    user = outsiders(people)[role]
    f.sign_in(client, user)
    leaks = []
    for endpoint, method, url in family_routes(app, family_world):
        if role == "admin" and endpoint.startswith("audit."):
            continue  # admins read audit logs by design (and see no case data there)
        response = client.open(url, method=method, data={})
        body = response.get_data(as_text=True)
        if response.status_code not in (403, 404) or any(s in body for s in SECRETS):
            leaks.append(f"{method} {url} ({endpoint}) -> {response.status_code}")
    assert leaks == []


# A programme manager reviews evidence the family's lead professional submitted (docs/security.md,
# "Segregation of duties"): the review form answers them, and the post below is not a valid review.
BY_DESIGN = {"verifier": set(), "programme_manager": {"families.review"}}


@pytest.mark.parametrize("role", ["verifier", "programme_manager"])
def test_a_verifier_or_programme_manager_reads_but_cannot_change_any_family(app, client, people, family_world, role):
    f.sign_in(client, people[role])
    with app.app_context():
        before = _counts()
    changed = []
    for endpoint, method, url in family_routes(app, family_world):
        if method == "POST" and endpoint not in BY_DESIGN[role]:
            response = client.post(url, data={"decision": "accepted", "reason": "x"})
            if response.status_code not in (403, 404):
                changed.append(f"POST {url} ({endpoint}) -> {response.status_code}")
    with app.app_context():
        after = _counts()
    assert changed == []
    assert after == before


def _counts():
    return {model.__name__: db.session.query(model).count() for model in (Evidence, Review)}


def test_signed_out_visitors_are_sent_to_sign_in_from_every_non_public_route(app, client, family_world):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint == "static" or getattr(view, "_access_rule", "") == "public":
            continue
        values = dict.fromkeys(rule.arguments, family_world["family"].id)
        url = rule.build(values)[1]
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        assert response.status_code == 302, url
        assert "/sign-in" in response.headers["Location"], url


def test_an_outsiders_attempt_is_audited_as_refused_not_as_a_read(app, client, people, family_world):
    f.sign_in(client, people["partner"])
    client.get(f"/families/{family_world['family'].id}")
    with app.app_context():
        actions = db.session.scalars(db.select(AuditEvent.action).filter_by(family_id=family_world["family"].id)).all()
    assert actions == ["family.access-refused"]


def job_routes(app, job_id):
    for rule in app.url_map.iter_rules():
        if "job_id" in rule.arguments:
            url = rule.build({"job_id": job_id})[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, method, url


@pytest.fixture
def family_job(app, family_world):
    from portal.closure import summaries_zip

    with app.test_request_context():
        lead = db.session.merge(family_world["lead"])
        job = summaries_zip.start(lead, [family_world["family"].id])
        assert job.state == "done"
        return job


def test_there_are_job_routes_to_check(app, family_job):
    assert {"jobs.show", "jobs.download", "jobs.again"} <= {e for e, _, _ in job_routes(app, family_job.id)}


@pytest.mark.parametrize("role", ["partner", "lead_professional", "verifier", "programme_manager", "admin"])
def test_nobody_but_its_requester_gets_anything_from_a_job_route(app, client, people, family_world, family_job, role):
    # Even roles that read every family: a job and its file are the requester's
    # (and the roles its kind names, none for closure summaries).
    f.sign_in(client, people[role])
    secrets = [s.encode() for s in (*SECRETS, family_world["family"].ref)]
    leaks = []
    for endpoint, method, url in job_routes(app, family_job.id):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.open(url, method=method, headers=headers)
            if response.status_code != 404 or any(s in response.data for s in secrets):
                leaks.append(f"{method} {url} ({endpoint}) -> {response.status_code}")
    assert leaks == []


def test_an_id_too_big_for_the_database_is_not_found(app, client, people):
    f.sign_in(client, people["verifier"])
    for rule in app.url_map.iter_rules():
        if rule.arguments and all(isinstance(rule._converters[a], IntegerConverter) for a in rule.arguments):
            url = rule.build(dict.fromkeys(rule.arguments, 99999999999999999999))[1]
            method = "GET" if "GET" in rule.methods else "POST"
            assert client.open(url, method=method).status_code in (403, 404), url


def code_routes(app):
    """Routes that find family data by a closure summary's verification code (no family_id)."""
    for rule in app.url_map.iter_rules():
        if "code" in rule.arguments:
            yield rule


@pytest.mark.parametrize("role", ["partner", "police_partner", "lead_professional", "admin"])
def test_an_outsider_gets_the_same_not_found_from_a_real_verification_code_as_from_an_unknown_one(
    app, client, people, family_world, role
):
    from portal.closure import service
    from portal.closure.summary import build
    from portal.models import ClosureSummary, Family
    from tests.factories import comparable_page

    with app.test_request_context():
        family = db.session.get(Family, family_world["family"].id)
        row = service.record(build(family), family_world["lead"])
        db.session.commit()
        code = row.code
    rules = list(code_routes(app))
    assert {rule.endpoint for rule in rules} >= {"closure.verify"}
    f.sign_in(client, people[role])
    leaks = []
    for rule in rules:
        real = client.get(rule.build({"code": code})[1])
        unknown = client.get(rule.build({"code": "ZZZZZZZZZZZZ"})[1])
        body = comparable_page(real.get_data(as_text=True).replace(code, "CODE"))
        other = comparable_page(unknown.get_data(as_text=True).replace("ZZZZZZZZZZZZ", "CODE"))
        if (
            (real.status_code, body) != (unknown.status_code, other)
            or real.status_code != 404
            or any(s in body for s in SECRETS)
        ):
            leaks.append(f"{rule.rule} -> {real.status_code}")
    assert leaks == []
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ClosureSummary)) == 1
        refused = db.session.scalars(db.select(AuditEvent.action).filter_by(family_id=family_world["family"].id)).all()
        assert "closure.verify-refused" in refused


def claim_routes(app):
    """Every claim route, with ids that exist or not (refused before the id is looked at)."""
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("claims.") or "family_id" in rule.arguments:
            continue
        values = {
            name: (1 if isinstance(rule._converters[name], IntegerConverter) else "csv") for name in rule.arguments
        }
        url = rule.build(values)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_there_are_claim_routes_to_check(app):
    endpoints = {endpoint for endpoint, _, _ in claim_routes(app)}
    assert {
        "claims.index",
        "claims.show",
        "claims.line",
        "claims.decide",
        "claims.approve",
        "claims.download",
    } <= endpoints


@pytest.mark.parametrize("role", ["partner", "lead_professional", "admin"])
def test_only_programme_managers_and_verifiers_reach_claim_routes(app, client, people, role):
    f.sign_in(client, people[role])
    reached = []
    for endpoint, method, url in claim_routes(app):
        response = client.open(url, method=method, data={})
        if response.status_code != 403:
            reached.append(f"{method} {url} ({endpoint}) -> {response.status_code}")
    assert reached == []


def test_verifiers_cannot_build_approve_or_withdraw_and_programme_managers_cannot_decide(app, client, people):
    pm_only = {
        "claims.new_window",
        "claims.new_claim",
        "claims.add",
        "claims.remove_line",
        "claims.draw_sample",
        "claims.redraw_sample",
        "claims.widen_sample",
        "claims.sample_changed",
        "claims.check",
        "claims.approve",
        "claims.submit",
        "claims.withdraw",
    }
    for role, forbidden in (("verifier", pm_only), ("programme_manager", {"claims.decide"})):
        f.sign_in(client, people[role])
        for endpoint, method, url in claim_routes(app):
            if endpoint in forbidden:
                assert client.open(url, method=method, data={}).status_code == 403, (role, endpoint)
        client.post("/sign-out")
