"""Property-based fuzzing: no request, however hostile, gets a 500.

Every route of app.url_map is driven (one test per route, on each test database)
by Hypothesis with hostile values: huge and negative numbers, ids past 2^31 and
2^63, huge dates, NUL, CR, LF and other control characters, very long strings,
unicode, empty values. Each example is one request:

- as a role the route's access rule lets in (parsed from `_access_rule`), signed in
  once per test on a real world built by the factories (families, members,
  problems, the team, evidence), so real ids exist alongside hostile ones;
- ids in the path are drawn from the world's real ids of that kind or hostile text;
- POST bodies use the field names of the real form, read from the page the route
  renders on GET (so a new field is fuzzed without touching this file), each set to
  an offered value, a hostile one, or left out;
- every request carries hostile query parameters, drawn from the names the page's
  own GET forms use, the names the portal reads (`page`, `q`, `next`, ...) and
  random ones; some carry `HX-Request`.

A 500, or an exception (the testing app propagates them), fails the test.
Fixed seed (derandomize) and FUZZ_EXAMPLES examples per route (default 25), so CI
runs the same requests every time; the number run is reported at the end.
"""

import datetime as dt
import os
import re
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal import create_app
from portal.access import PUBLIC, SIGNED_IN
from portal.extensions import db
from tests import factories as f
from tests.test_families import add_evidence, suffolk_case

EXAMPLES_PER_ROUTE = int(os.environ.get("FUZZ_EXAMPLES", "25"))
ALL_ROLES = ("admin", "lead_professional", "verifier", "programme_manager", "partner")
ANONYMOUS = "anonymous"

# Query parameters the portal reads somewhere; each request gets some of them.
READ_PARAMETERS = ("page", "q", "next", "outcome", "option", "correcting", "email", "action")


# POST routes whose form has no field but the button (and the CSRF token).
def _form_field_names(form_classes):
    from wtforms.fields.core import UnboundField

    return sorted(
        {name for cls in form_classes for name in dir(cls) if isinstance(getattr(cls, name, None), UnboundField)}
        | {"reason", "note"}
    )


def _forms(*paths):
    import importlib

    found = []
    for path in paths:
        module, name = path.rsplit(".", 1)
        found.append(getattr(importlib.import_module(module), name))
    return found


# Routes whose form the world of this test cannot show (a claim, a job or a sign-in half
# way through two factors would be needed): their field names are read from the form
# classes instead, so the hostile values still go to the real fields.
_CLAIM_FORMS = _forms(
    "portal.claims.forms.WindowForm",
    "portal.claims.forms.ReasonForm",
    "portal.claims.forms.DecisionForm",
    "portal.claims.forms.AnswerForm",
)
_CODE_FORMS = _forms("portal.auth.forms.CodeForm", "portal.auth.forms.SetUpForm")
FORMS_NOT_IN_THIS_WORLD = {
    **dict.fromkeys(
        (
            "claims.approve",
            "claims.draw_sample",
            "claims.widen_sample",
            "claims.sample_changed",
            "claims.submit",
            "claims.new_claim",
            "claims.add",
            "claims.check",
            "claims.decide",
            "claims.remove_line",
            "claims.withdraw",
            "claims.redraw_sample",
            "claims.answer_query",
            "claims.new_window",
        ),
        _CLAIM_FORMS,
    ),
    **dict.fromkeys(
        (
            "auth.second_factor",
            "auth.set_up",
            "auth.finish_set_up",
            "auth.new_recovery_codes",
            "auth.keep_alive",
            "auth.keep_form",
        ),
        _CODE_FORMS,
    ),
    "closure.summaries_zip": _CODE_FORMS,
    "jobs.again": _CODE_FORMS,
    "closure.verify_form": _CODE_FORMS,
}

BUTTON_ONLY = {
    "auth.sign_out",
    "admin.open_plan",
    "admin.close_plan",
    "admin.deactivate_user",
    "admin.reactivate_user",
    "admin.unlock_user",
    "families.detach",
    "closure.closure_pack",
}

# Where to read a POST-only route's form, and routes whose form needs a particular page.
FORM_PAGES = {
    "evidence.check": ("evidence.new", {"outcome": "2.1"}),
    "evidence.new": ("evidence.new", {"outcome": "2.1"}),
}

HOSTILE_TEXT = [
    "",
    " ",
    "0",
    "00",
    "-1",
    "1",
    "+1",
    "1.5",
    "1e309",
    "nan",
    "inf",
    "-0",
    str(2**31 - 1),
    str(2**31),
    str(2**32),
    str(2**63 - 1),
    str(2**63),
    str(2**64),
    "9" * 30,
    "9" * 5000,
    "²",
    "١٢",
    "Ⅻ",
    "𝟗",
    "\x00",
    "a\x00b",
    "\r",
    "\n",
    "\r\n",
    "a\r\nSet-Cookie: x=1",
    "\t",
    "\x0b",
    "\x1b[0m",
    "\x7f",
    "\x85",
    "\u2028",
    "\ufeff",
    "\u202e",
    "😀",
    "ß",
    "Ω",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "%0d%0a",
    "../../etc/passwd",
    "//evil.example",
    "/\t/evil.example",
    "\\",
    "a" * 10_000,
    "31",
    "32",
    "12",
    "13",
    "2024",
    "0000",
    "99999",
    "29",
    "2",
]

# The kinds of value that broke the portal before: drawn far more often than the rest.
SHARP = [str(2**31), str(2**63), "9" * 30, "\x00", "a\x00b", "\r\n", "\x0b", "-1", "0", "²"]

hostile_text = st.one_of(
    st.sampled_from(SHARP),
    st.sampled_from(SHARP),
    st.sampled_from(HOSTILE_TEXT),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(max_size=40),  # any unicode but surrogates (which no UTF-8 request can carry)
    st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=12),  # ASCII, C0 and C1 controls
    st.builds(
        lambda c, n: c * n,
        st.sampled_from(["x", "\x00", "9", "é", "\n"]),
        st.integers(min_value=100, max_value=120_000),
    ),
)


# --------------------------------------------------------------------------- routes


def _routes():
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(
        (
            SimpleNamespace(
                rule=r.rule,
                endpoint=r.endpoint,
                methods=sorted(r.methods - {"HEAD", "OPTIONS"}),
                arguments=sorted(r.arguments),
                access=app.view_functions[r.endpoint]._access_rule,
            )
            for r in app.url_map.iter_rules()
            if r.endpoint != "static"
        ),
        key=lambda r: r.rule,
    )


ROUTES = _routes()


def roles_for(route) -> list[str]:
    if route.access == PUBLIC:
        return [ANONYMOUS, "lead_professional"]
    if route.access == SIGNED_IN or route.access.startswith("job:"):
        return list(ALL_ROLES)
    return [role.strip() for role in route.access.split(":", 1)[1].split(",")]


def url_for_rule(route, values) -> str:
    def fill(match):
        return quote(str(values[match.group(2)]), safe="")

    return re.sub(r"<(?:(\w+):)?(\w+)>", fill, route.rule)


# --------------------------------------------------------------------------- forms


class FormFields(HTMLParser):
    """The inputs of a page's forms: {method: {name: [offered values]}} (names repeat for dates)."""

    def __init__(self):
        super().__init__()
        self.forms = {"get": {}, "post": {}}
        self.method = None
        self.select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.method = (a.get("method") or "get").lower()
        elif self.method and tag in ("input", "textarea", "select", "button") and a.get("name"):
            if a.get("type") in ("submit",) and tag == "input" or tag == "button":
                return
            values = self.forms[self.method].setdefault(a["name"], [])
            if a.get("value") not in (None, ""):
                values.append(a["value"])
            if tag == "select":
                self.select = values
        elif tag == "option" and self.select is not None and a.get("value") not in (None, ""):
            self.select.append(a["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.method = None
        elif tag == "select":
            self.select = None


def form_fields(page: str) -> dict:
    parser = FormFields()
    parser.feed(page)
    parser.forms["post"].pop("csrf_token", None)
    return parser.forms


# --------------------------------------------------------------------------- the world


def build_world(app, client_for):
    """Real families, people and evidence, and the real ids of each kind for the path."""
    from portal.models import CaseClosure, TeamMembership

    people = {}
    with app.app_context():
        school = f.make_agency("Hillside Primary School", "school")
        police = f.make_agency("County Police", "police")
        for role in ALL_ROLES:
            people[role] = f.make_user(role, school if role == "partner" else None)
        lp = people["lead_professional"]
        other_lp = f.make_user("lead_professional")
        f.make_user("partner", police)

        durham = f.make_family(lp, plan_id="durham-2018", name="Reed family", engaged_on=dt.date(2017, 12, 4))
        f.add_member(durham, lp, role="parent", born=dt.date(1985, 4, 12), name="Alex Reed", activity="")
        child = f.add_member(durham, lp, role="child", born=dt.date(2008, 3, 1), name="Sam Reed")
        problem = f.add_problem(durham, lp, "2", "4", member=child, identified_on=dt.date(2017, 11, 20))
        f.add_problem(durham, lp, "3", "5", identified_on=dt.date(2017, 11, 20))
        f.attach(durham, school, lp)

        suffolk, parent, _ = suffolk_case({"lead_professional": lp, "school": school})
        evidence = add_evidence(suffolk, parent, people["partner"])
        closed = f.make_family(lp, name="Closed family", engaged_on=dt.date(2024, 1, 8))
        db.session.add(CaseClosure(family_id=closed.id, closed_on=dt.date(2024, 6, 1), recorded_by_id=lp.id))
        stranger = f.make_family(other_lp, name="Someone else's family")
        fresh = f.make_family(lp, plan_id="durham-2018", name="New family", engaged_on=None)
        from portal.models import MemberDeparture

        db.session.add(
            MemberDeparture(family_id=durham.id, member_id=child.id, left_on=dt.date(2018, 5, 1), recorded_by_id=lp.id)
        )  # so its withdrawal form is offered
        db.session.commit()

        ids = {
            "family_id": [durham.id, suffolk.id, closed.id, stranger.id, fresh.id],
            "member_id": [child.id, parent.id],
            "problem_id": [problem.id],
            "evidence_id": [evidence.id],
            "membership_id": db.session.scalars(db.select(TeamMembership.id)).all(),
            "user_id": [other_lp.id, people["partner"].id, people["admin"].id, lp.id],
            "agency_id": [school.id, police.id],
            "plan_id": ["durham-2018", "suffolk-2017"],
            # Claims, jobs and closure summaries: none exist in this world, so these ids are
            # refused like any other id of something the user cannot see.
            "claim_id": [1],
            "window_id": [1],
            "line_id": [1],
            "decision_id": [1],
            "job_id": [1],
            "document_id": [1],
            "kind": ["csv", "zip"],
            "section": ["eligibility"],
            "code": ["ABCD-EFGH-JKMN"],
        }
        # The page each form is read from: a family where the form is offered.
        first = {
            **{name: values[0] for name, values in ids.items()},
            "family_id": suffolk.id,
            "member_id": parent.id,
            "evidence_id": evidence.id,
        }
        by_endpoint = {
            "families.reopen": {"family_id": closed.id},
            "evidence.new": {"family_id": durham.id},
            "evidence.check": {"family_id": durham.id},
            "families.engaged": {"family_id": fresh.id},
            "families.record_essentials": {"family_id": durham.id},
            "families.withdraw_problem": {"family_id": durham.id},
            "admin.families_led": {"user_id": lp.id},
            "families.withdraw_member_left": {"family_id": durham.id, "member_id": child.id},
        }
    return SimpleNamespace(people=people, ids=ids, first=first, by_endpoint=by_endpoint)


class Clients:
    """One test client per role, signed in on first use; one for the anonymous visitor."""

    def __init__(self, app, world):
        self.app, self.world, self.clients = app, world, {}

    def __call__(self, role):
        if role not in self.clients:
            client = self.app.test_client()
            if role != ANONYMOUS:
                f.sign_in(client, self.world.people[role])
            self.clients[role] = client
        return self.clients[role]


def discover(route, world, clients) -> dict:
    """The real form of the route: its POST fields and the names its page's GET forms use."""
    from flask import url_for

    endpoint, query = FORM_PAGES.get(route.endpoint, (route.endpoint, {}))
    values = {name: world.first[name] for name in route.arguments}
    values |= {k: v for k, v in world.by_endpoint.get(route.endpoint, {}).items() if k in values}
    if "GET" not in route.methods and endpoint == route.endpoint:
        return {"get": {}, "post": {}}
    role = next((r for r in roles_for(route) if r != ANONYMOUS), ANONYMOUS)
    with clients.app.test_request_context():
        url = url_for(endpoint, **values, **query)
    response = clients(role).get(url)
    assert response.status_code < 500, f"GET {url}: {response.status_code}"
    if response.mimetype != "text/html":  # the closure summary is a PDF
        return {"get": {}, "post": {}}
    return form_fields(response.get_data(as_text=True))


# --------------------------------------------------------------------------- the test


class FuzzReport:
    """Adds "fuzz (database): N requests over R routes" to pytest's closing summary."""

    def __init__(self):
        self.counts = {}  # (database, endpoint) -> examples run

    def pytest_terminal_summary(self, terminalreporter):
        for database in sorted({d for d, _ in self.counts}):
            runs = [n for (d, _), n in self.counts.items() if d == database]
            terminalreporter.write_line(
                f"fuzz ({database}): {sum(runs)} requests over {len(runs)} routes, "
                f"{EXAMPLES_PER_ROUTE} examples a route, all answered without a 500"
            )


@pytest.fixture(scope="session")
def fuzz_counts(request):
    report = FuzzReport()
    request.config.pluginmanager.register(report, "fuzz-report")
    return report.counts


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.endpoint)
def test_no_request_gets_a_500(app, database_url, route, fuzz_counts):
    from portal.ratelimit import limiter

    clients = Clients(app, build_world(app, None))
    world = clients.world
    fields = discover(route, world, clients)
    if "POST" in route.methods and not fields["post"] and route.endpoint in FORMS_NOT_IN_THIS_WORLD:
        fields["post"] = dict.fromkeys(_form_field_names(FORMS_NOT_IN_THIS_WORLD[route.endpoint]), "")
    if "POST" in route.methods and route.endpoint not in BUTTON_ONLY:
        assert fields["post"], f"no form fields found for POST {route.endpoint}"
    parameter_names = sorted({*READ_PARAMETERS, *fields["get"]})
    offered = {**fields["get"], **fields["post"]}

    def value(name):
        return st.one_of(st.sampled_from(offered[name]), hostile_text) if offered.get(name) else hostile_text

    def field_values(name):
        # A name used by several inputs (a date's three boxes, checkboxes) posts several values.
        return st.lists(value(name), min_size=1, max_size=4)

    path_value = {
        name: st.one_of(
            st.sampled_from(world.ids[name]),
            st.sampled_from(world.ids[name]),
            hostile_text.filter(lambda t: t not in ("", ".", "..")),
        )
        for name in route.arguments
    }
    ran = []

    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def one_request(data):
        role = data.draw(st.sampled_from(roles_for(route)), label="role")
        method = data.draw(st.sampled_from(route.methods), label="method")
        path = url_for_rule(route, {name: data.draw(path_value[name], label=name) for name in route.arguments})
        names = data.draw(
            st.lists(st.one_of(st.sampled_from(parameter_names), hostile_text), max_size=4), label="query names"
        )
        query = [(name, data.draw(value(name), label=f"?{name}")) for name in names]
        body = None
        if method == "POST":
            chosen = (
                data.draw(st.lists(st.sampled_from(sorted(fields["post"]) or ["x"]), unique=True), label="fields")
                if fields["post"]
                else []
            )
            body = {name: data.draw(field_values(name), label=name) for name in chosen}
            if data.draw(st.booleans(), label="extra field"):
                body[data.draw(hostile_text, label="extra name")] = data.draw(hostile_text, label="extra value")
        headers = {"HX-Request": "true"} if data.draw(st.booleans(), label="htmx") else {}
        url = path + ("?" + urlencode(query) if query else "")
        if route.endpoint == "auth.sign_in":
            limiter.reset()  # the rate limit is tested elsewhere; here every attempt reaches the form
        response = clients(role).open(url, method=method, data=body, headers=headers)
        ran.append(1)
        assert response.status_code < 500, f"{method} {url} as {role} with {body!r}: {response.status_code}"

    one_request()
    fuzz_counts[(database_url.split(":", 1)[0], route.endpoint)] = len(ran)
    assert len(ran) >= EXAMPLES_PER_ROUTE
