"""The CI smoke journey over HTTP against a running `scripts/serve` (see scripts/smoke).

    python -m tests.smoke.journey seed            # makes a partner, a family; prints JSON
    python -m tests.smoke.journey run BASE_URL    # reads that JSON on stdin, walks the journey

`seed` writes straight to the database named by DATABASE_URL (as a council's admin
would have set things up); `run` uses only HTTP, like a browser: sign in with the
password and a real code from the authenticator app, open the family, submit
evidence, sign out. It also checks the first admin made by `flask create-admin`
sets up their authenticator app. Exits non-zero, saying which step failed.
"""

import datetime as dt
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

import pyotp

PASSWORD = "smoke test kettle harbour"


def seed():
    from portal import create_app
    from portal.auth.passwords import hash_password
    from portal.extensions import db
    from portal.models import Agency, Family, IdentifiedProblem, Member, TeamMembership, User

    app = create_app()
    with app.app_context():
        school = Agency(name="Smoke Primary School", kind="school")
        db.session.add(school)
        db.session.flush()
        secret = pyotp.random_base32()
        lead = User(
            email="lead@smoke.example",
            name="Lee Lead",
            role="lead_professional",
            password_hash=hash_password(PASSWORD),
            totp_secret=pyotp.random_base32(),
            totp_confirmed_at=dt.datetime.now(dt.UTC),
        )
        partner = User(
            email="school@smoke.example",
            name="Sam School",
            role="partner",
            agency_id=school.id,
            password_hash=hash_password(PASSWORD),
            totp_secret=secret,
            totp_confirmed_at=dt.datetime.now(dt.UTC),
        )
        db.session.add_all([lead, partner])
        db.session.flush()
        family = Family(
            ref="SMOKE-1",
            name="Reed family",
            plan_id="durham-2018",
            lead_professional_id=lead.id,
            engaged_on=dt.date(2017, 12, 4),
        )
        db.session.add(family)
        db.session.flush()
        child = Member(
            family_id=family.id,
            name="Sam Reed",
            role="child",
            date_of_birth=dt.date(2008, 3, 1),
            activity="education",
            recorded_by_id=lead.id,
        )
        db.session.add(child)
        db.session.flush()
        for problem, indicator, member in (("2", "4", child.id), ("3", "5", None)):
            db.session.add(
                IdentifiedProblem(
                    family_id=family.id,
                    problem_id=problem,
                    indicator_id=indicator,
                    stage="identification",
                    identified_on=dt.date(2017, 11, 20),
                    member_id=member,
                    recorded_by_id=lead.id,
                )
            )
        db.session.add(TeamMembership(family_id=family.id, agency_id=school.id, attached_by_id=lead.id))
        db.session.commit()
        print(json.dumps({"email": partner.email, "secret": secret, "family_id": family.id, "child_id": child.id}))


class Browser:
    """Just enough of a browser: cookies (also Secure ones, over plain HTTP to localhost), no redirects."""

    def __init__(self, base):
        self.base, self.cookies = base.rstrip("/"), {}
        self.opener = urllib.request.build_opener(_NoRedirects)

    def request(self, method, path, data=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, method=method)
        if self.cookies:
            req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(req, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";")[0]
        return response.status, response.headers, response.read().decode()

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, data):
        return self.request("POST", path, data)

    def form_post(self, page_path, data, action=None):
        """GET the page for its CSRF token, then POST the form to action (default: the page)."""
        status, _, page = self.get(page_path)
        expect(status == 200, f"GET {page_path} answered {status}")
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
        expect(token is not None, f"no CSRF token on {page_path}")
        return self.post(action or page_path, {**data, "csrf_token": token.group(1)})


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def expect(condition, message):
    if not condition:
        print(f"SMOKE FAILED: {message}", file=sys.stderr)
        sys.exit(1)


def step(name):
    print(f"smoke: {name}", flush=True)


def sign_in(browser, email, password):
    status, headers, _ = browser.form_post("/sign-in", {"email": email, "password": password})
    expect(status == 302, f"password step answered {status}")
    return headers["Location"]


def run(base, seeded):
    browser = Browser(base)
    step("health check")
    status, headers, body = browser.get("/healthz")
    expect(status == 200 and body == "ok", f"/healthz answered {status} {body!r}")
    expect(len(headers.get("X-Request-Id", "")) == 32, "no request id on the response")

    step("a partner signs in with a password and a code from the authenticator app")
    where = sign_in(browser, seeded["email"], PASSWORD)
    expect(where.endswith("/sign-in/code"), f"the password step went to {where}, not the code step")
    status, _, _ = browser.get("/families/")
    expect(status == 302, "signed in before the second factor")
    status, headers, _ = browser.form_post("/sign-in/code", {"code": pyotp.TOTP(seeded["secret"]).now()})
    expect(status == 302 and headers["Location"].endswith("/home"), f"the code step answered {status}")

    step("the partner opens the family")
    family = f"/families/{seeded['family_id']}"
    status, _, page = browser.get(family)
    expect(status == 200 and "Reed family" in page, f"the family page answered {status}")

    step("the partner submits attendance evidence")
    evidence = {
        "outcome": "2.1",
        "members": str(seeded["child_id"]),
        "source": "School Census",
        "period-start-day": "8",
        "period-start-month": "1",
        "period-start-year": "2018",
        "period-end-day": "19",
        "period-end-month": "12",
        "period-end-year": "2018",
        "values-attendance-1": "91",
        "values-attendance-2": "92",
        "values-attendance-3": "90.6",
        "values-baseline_attendance": "84",
        "values-fixed_term_exclusions": "0",
        "values-permanent_exclusions": "0",
        "values-on_roll": "yes",
        "statement": "Smoke test evidence.",
    }
    status, headers, page = browser.form_post(
        f"{family}/evidence/new?outcome=2.1", evidence, action=f"{family}/evidence/new"
    )
    expect(status == 302 and headers["Location"].endswith(family), f"submitting evidence answered {status}")
    status, _, page = browser.get(family)
    expect("Evidence for outcome 2.1 submitted" in page, "no confirmation that the evidence was submitted")

    step("the partner signs out, and the old cookie no longer works")
    status, headers, _ = browser.form_post("/account/", {}, action="/sign-out")
    expect(status == 302 and headers["Location"].endswith("/sign-in"), f"signing out answered {status}")
    status, _, _ = browser.get(family)
    expect(status == 302, "the family page still opened after signing out")

    step("an error page is a styled GOV.UK page")
    status, headers, page = browser.get("/no-such-page")
    expect(status == 404 and "govuk-frontend.min.css" in page, "the 404 page is not styled")
    expect(headers.get("X-Frame-Options") == "DENY", "the 404 page has no security headers")

    if seeded.get("admin_email"):
        step("the first admin (flask create-admin) sets up an authenticator app")
        admin = Browser(base)
        where = sign_in(admin, seeded["admin_email"], seeded["admin_password"])
        expect(where.endswith("/sign-in/set-up"), f"the new admin went to {where}, not to set up an app")
        status, _, page = admin.get("/sign-in/set-up")
        secret = re.search(r'id="secret-key"><code>([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
        status, _, qr = admin.get("/sign-in/set-up/qr-code.svg")
        expect(status == 200 and "<svg" in qr, "no QR code image")
        status, _, page = admin.form_post("/sign-in/set-up", {"code": pyotp.TOTP(secret).now()})
        expect(status == 200 and page.count("<li><code>") == 10, "no recovery codes after setting up")
        status, headers, _ = _finish(admin, page)
        expect(status == 302, f"finishing the set-up answered {status}")
        status, _, page = admin.get("/admin/users")
        expect(status == 200 and "Users" in page, "the admin cannot open the users page")
    print("smoke: passed", flush=True)


def _finish(browser, page):
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return browser.post("/sign-in/set-up/done", {"csrf_token": token})


if __name__ == "__main__":
    if sys.argv[1:2] == ["seed"]:
        seed()
    elif sys.argv[1:2] == ["run"] and len(sys.argv) == 3:
        run(sys.argv[2], json.loads(sys.stdin.read()))
    else:
        sys.exit(__doc__)
