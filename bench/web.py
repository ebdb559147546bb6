"""Web paths benchmark: `python bench/web.py` (issue 12, "Fast in every path").

For SQLite and for PostgreSQL in turn, it makes a database, migrates it, and seeds
County Durham families (bench: a lead professional, a school partner attached, a
school-age child, themes 2 and 3 identified), each with either 5 or 300 evidence
items (a third accepted, a third returned, a third awaiting review), counted from the newest, so
that the five the family page lists are the same in both: accepted, returned, awaiting,
accepted, returned. Counted from the oldest, as they were until session 29, the 5-item family's
page listed two accepted, two returned and one awaiting, and the 300-item family's one, two and
two: two different pages, whose ratio was not the cost of a longer history alone.

The families whose pages are measured and those the submissions are sent to have different
lead professionals. Each submission waits for its family's lead professional to review it, and
a lead professional's to-do count, on every page they open, counts what waits in all their
families. When one lead professional led them all, the benchmark's own submissions (about
4,500 a run) grew the measured lead professional's to-do count from 600 items to 5,000 as the
run went on: a backlog no lead professional has, and a family page that cost more the later in
a round it was measured, which bent the 300-against-5 figures (docs/performance.md, "Run 20").
The measured lead professional's to-do count is now the same (about 100) all run long.

It then starts,
on loopback with the same gunicorn settings (2 sync workers):

- the portal (PORTAL_CONFIG=production, as served);
- bench/bare_app.py on the same database server: a one-row insert endpoint and a
  50-row template page, the baselines.

A bounded load (a pool of CLIENTS threads for SECONDS a measurement, the same for every
path, a new connection per request) measures each path in requests per second, signed in
as a person would (password and authenticator code):

- bare insert, bare page;
- evidence submission (the partner's POST, validated, stored, audited, redirected),
  to a family with 5 and one with 300 items (fresh families each round, so they
  do not grow across rounds);
- live check (the htmx endpoint as the partner types), 5 and 300;
- family page (the lead professional's: the stored verdict, the latest 5 evidence items), 5 and 300;
- the cookies page, signed in as the lead professional: the layout every signed-in page
  shares (session and user, the navigation and its to-do count, the GOV.UK header and
  footer) around a few paragraphs of static text. Not a figure of the issue: printed as
  `signed_in_static_page_vs_bare_page_<database>`, the most any page could reach.

The measurements are interleaved and repeated (ROUNDS); the fastest of each is kept,
since other work on a shared machine only ever adds time. Each path's two families share the
path's window, taking turns in slices of a third of it (5, 300, 5, 300, 5, 300; the other way
round in alternate rounds), so that its 300-against-5 figure compares the same moments of the
machine; each family's rate is over its three slices, the whole window's length, as every other
path's is over its one. Until session 30 the two were measured one after the other, three seconds
apart, and on a machine whose speed moved within a round (a live check's rounds 342-734 requests a
second) the pair's fastest rounds fell on different moments. Every submission the
portal acknowledged (302 to the family page) is then looked for in the database.
Each submission's statement is numbered, so each is new evidence: the portal refuses
the same evidence sent twice (with a 302 and a message, saving nothing), and a bench
that sent one statement throughout measured that refusal, and counted it as lost.

Each path's requests a second are printed with the CPU a request of its fastest round: the
web workers', the database server's and the load generator's (`CpuClock`). On this machine the
load keeps both CPUs busy, so a ratio is the ratio of these sums; docs/performance.md ("Run 23")
reads the bars from them.

Ends with one `name: value` line per figure (docs/performance.md). evidence_300_vs_5
is, of the three paths' ratios on both databases (each printed above it), the one farthest from
1: "flat within 10%" fails as surely when the 300-item family is served faster as when slower,
and a lowest-only figure hid the first (1.23 in one run: noise, the two are equal in process).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent

PASSWORD = "bench granite harbour kettle"  # noqa: S105 - the benchmark's own throwaway accounts
MARKER = "Bench submission statement"
SENT = itertools.count(1)  # numbers each submission's statement (next() on a count is atomic in CPython)
SIZES = (5, 300)
SLICES = 3  # a path's 5-item and 300-item families take turns this many times within its window


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- databases -------------------------------------------------------------------------


@contextmanager
def sqlite_database(folder: Path):
    yield f"sqlite:///{folder / 'portal.sqlite3'}", f"sqlite:///{folder / 'bare.sqlite3'}"


@contextmanager
def postgresql_database(base: str, name: str):
    import sqlalchemy as sa

    admin = sa.create_engine(f"{base.rstrip('/')}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for db in (name, f"{name}_bare"):
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{db}"'))
    try:
        yield f"{base.rstrip('/')}/{name}", f"{base.rstrip('/')}/{name}_bare"
    finally:
        with admin.connect() as conn:
            for db in (name, f"{name}_bare"):
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        admin.dispose()


def environment(url: str, bare_url: str, folder: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "BARE_DATABASE_URL": bare_url,
        "PORTAL_CONFIG": "production",
        "SECRET_KEY": "bench-" + secrets.token_hex(16),
        "JOBS_QUEUE_FILE": str(folder / "jobs.sqlite3"),
        "JOBS_RESULT_DIR": str(folder / "job-files"),
    }


def migrate(env: dict) -> None:
    subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "portal", "db", "upgrade"],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    code = "import bench.bare_app as b; app = b.create_app()\nwith app.app_context(): b.db.create_all()"
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)


# -- seeding ----------------------------------------------------------------------------

SEED = r"""
import datetime as dt, json, sys
import pyotp
from portal import create_app
from portal.auth.passwords import hash_password
from portal.extensions import db
from portal.models import (Agency, Evidence, Family, IdentifiedProblem, Member, Review, TeamMembership, User)

wanted = json.loads(sys.argv[1])
app = create_app()
out = {"families": {}}
with app.app_context():
    school = Agency(name="Bench school", kind="school")
    db.session.add(school)
    db.session.flush()
    password = hash_password(wanted["password"])
    users = {}
    # The lead professional whose pages are measured, the partner, and a second lead professional
    # who leads the families the submissions are sent to (see the module's docstring).
    for key, role, agency in (("lead_professional", "lead_professional", None), ("partner", "partner", school),
                              ("submissions_lead_professional", "lead_professional", None)):
        secret = pyotp.random_base32()
        user = User(email=f"{key.replace('_', '-')}@bench.example", name=key.replace('_', ' ').title(), role=role,
                    agency_id=agency.id if agency else None, password_hash=password, totp_secret=secret,
                    totp_confirmed_at=dt.datetime.now(dt.UTC))
        db.session.add(user)
        users[key] = user
        out[key] = {"email": user.email, "secret": secret}
    db.session.commit()
    partner = users["partner"]
    values = {"baseline_attendance": 84, "attendance": [91, 92, 90.6], "fixed_term_exclusions": 0,
              "permanent_exclusions": 0, "on_roll": True}
    for name, size in wanted["families"]:
        lp = users["submissions_lead_professional" if name.startswith("submit-") else "lead_professional"]
        family = Family(ref=f"BENCH-{name}", name="Bench family", plan_id="durham-2018",
                        lead_professional_id=lp.id, engaged_on=dt.date(2017, 12, 4))
        db.session.add(family)
        db.session.flush()
        parent = Member(family_id=family.id, name="Alex Bench", role="parent", date_of_birth=dt.date(1985, 4, 12),
                        activity="", recorded_by_id=lp.id)
        child = Member(family_id=family.id, name="Sam Bench", role="child", date_of_birth=dt.date(2008, 3, 1),
                       activity="education", recorded_by_id=lp.id)
        db.session.add_all([parent, child])
        db.session.flush()
        db.session.add_all([
            IdentifiedProblem(family_id=family.id, problem_id="2", indicator_id="4", stage="identification",
                              identified_on=dt.date(2017, 11, 20), member_id=child.id, recorded_by_id=lp.id),
            IdentifiedProblem(family_id=family.id, problem_id="3", indicator_id="5", stage="identification",
                              identified_on=dt.date(2017, 11, 20), recorded_by_id=lp.id),
            TeamMembership(family_id=family.id, agency_id=school.id, attached_by_id=lp.id)])
        rows = [Evidence(family_id=family.id, outcome_id="2.1", member_ids=[child.id], source="School Census",
                         period_start=dt.date(2018, 1, 8), period_end=dt.date(2018, 12, 19), values=values,
                         statement=f"Seeded evidence {i}.", submitted_by_id=partner.id, agency_id=school.id)
                for i in range(size)]
        db.session.add_all(rows)
        db.session.flush()
        # Counted from the newest, so that every family's latest items, the ones its page shows, are
        # the same: accepted, returned, awaiting, accepted, returned (see the module's docstring).
        for i, row in enumerate(rows):
            k = (size - 1 - i) % 3
            if k != 2:
                db.session.add(Review(evidence_id=row.id, decision="accepted" if k == 0 else "returned",
                                      reason="" if k == 0 else "Seeded return.", reviewed_by_id=lp.id))
        db.session.commit()
        out["families"][name] = {"id": family.id, "child": child.id}
print(json.dumps(out))
"""

COUNT = r"""
import json, sys
from portal import create_app
from portal.extensions import db
from portal.models import Evidence
app = create_app()
with app.app_context():
    print(db.session.scalar(db.select(db.func.count()).select_from(Evidence).where(Evidence.statement.startswith(sys.argv[1]))))
"""


def seed(env: dict, families: list[tuple[str, int]]) -> dict:
    import json

    done = subprocess.run(
        [sys.executable, "-c", SEED, json.dumps({"password": PASSWORD, "families": families})],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def gather_statistics(url: str) -> None:
    """ANALYZE the seeded PostgreSQL database, as its autovacuum daemon would.

    In service, autovacuum analyses a table once a tenth of it has changed, checking each
    minute: a database always has its tables' statistics. This one was filled a moment ago,
    so it has none yet, and without them the planner guessed that reading a family's 300
    evidence versions and sorting them was cheaper than walking the index to the newest few
    (docs/performance.md, "Run 7"). SQLite has no such daemon, so its database is measured
    as seeded.
    """
    import sqlalchemy as sa

    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("ANALYZE"))
    finally:
        engine.dispose()


def stored_submissions(env: dict) -> int:
    done = subprocess.run(
        [sys.executable, "-c", COUNT, MARKER], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return int(done.stdout.strip().splitlines()[-1])


# -- servers ----------------------------------------------------------------------------


@contextmanager
def gunicorn(app: str, env: dict, workers: int):
    port = free_port()
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            app,
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn for {app} did not start") from None
                time.sleep(0.2)
        yield port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


# -- HTTP -------------------------------------------------------------------------------


class CpuClock:
    """CPU time (user and system) of the processes that serve one measurement, read from /proc.

    Requests a second say how fast a path is on this machine; they do not say where the time
    goes, and on a machine with 2 CPUs kept busy by the load (the web workers, the database
    server and the load generator share them) that is what a ratio is made of. Each group's CPU
    seconds over a measurement, divided by the requests sent in it:

    - `web`: the gunicorn workers serving the path (the portal's or the baseline's);
    - `database`: every PostgreSQL server process on the machine (the backends and the writers
      that flush their commits); none for SQLite, which runs inside the web workers;
    - `load`: this process, the load generator.

    Linux only (/proc); elsewhere it reports nothing.
    """

    TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def __init__(self, servers: dict[str, int]):
        self.servers = servers  # gunicorn master pid -> "portal" or "baseline"

    @staticmethod
    def _processes() -> dict[int, tuple[int, str, int]]:
        """pid -> (parent pid, name, CPU ticks) of every process we may read."""
        found = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    text = stat.read()
            except OSError:
                continue
            name = text[text.index("(") + 1 : text.rindex(")")]
            fields = text[text.rindex(")") + 2 :].split()
            found[int(entry)] = (int(fields[1]), name, int(fields[11]) + int(fields[12]))
        return found

    def read(self) -> dict[str, float] | None:
        """CPU seconds so far by group: {"portal": ..., "baseline": ..., "database": ..., "load": ...}."""
        if not os.path.isdir("/proc"):
            return None
        totals = dict.fromkeys(("portal", "baseline", "database"), 0.0)
        for pid, (parent, name, ticks) in self._processes().items():
            group = self.servers.get(parent) or self.servers.get(pid)
            if group is None and name.startswith("postgres"):
                group = "database"
            if group is not None:
                totals[group] += ticks / self.TICK
        totals["load"] = time.process_time()
        return totals

    @staticmethod
    def per_request(before, after, web: str, requests: int) -> dict[str, float] | None:
        """Milliseconds of CPU a request, by group, between two readings (web: whose workers served it)."""
        if before is None or after is None or not requests:
            return None
        return {
            "web": (after[web] - before[web]) * 1000 / requests,
            "database": (after["database"] - before["database"]) * 1000 / requests,
            "load": (after["load"] - before["load"]) * 1000 / requests,
        }


class Client:
    """One signed-in person: the session cookie, sent by every request (a new connection each)."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def request(self, method, path, form=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        body = urllib.parse.urlencode(form, doseq=True) if form is not None else None
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        sent.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                self.cookies.update({k: m.value for k, m in jar.items()})
            return response.status, response.getheader("Location", ""), data.decode("utf-8", "replace")
        finally:
            conn.close()

    def csrf(self, path) -> str:
        _, _, page = self.request("GET", path)
        found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
        if not found:
            raise RuntimeError(f"no CSRF token on {path}")
        return found.group(1)

    def sign_in(self, person: dict) -> None:
        import pyotp

        status, location, _ = self.request(
            "POST", "/sign-in", {"email": person["email"], "password": PASSWORD, "csrf_token": self.csrf("/sign-in")}
        )
        if status != 302 or not location.endswith("/sign-in/code"):
            raise RuntimeError(f"sign-in: {status} {location}")
        status, location, _ = self.request(
            "POST",
            "/sign-in/code",
            {"code": pyotp.TOTP(person["secret"]).now(), "csrf_token": self.csrf("/sign-in/code")},
        )
        if status != 302:
            raise RuntimeError(f"second factor: {status} {location}")


def attendance(child_id, statement=MARKER) -> dict:
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
        "statement": statement,
    }
    return data | {f"values-attendance-{i}": t for i, t in enumerate(("91", "92", "90.6"), 1)}


def measure(call, seconds: float, clients: int, expect) -> tuple[float, int, int]:
    """The seconds a pool of `clients` threads took, each sending one request after another for
    `seconds` (each finishes the request it has begun); how many answered `expect`; and how many
    were sent.

    Every path is measured for the same time, not the same number of requests: with a fixed
    number (300), the bare page's measurement lasted a third of a second and the family page's
    about two, so the two sides of one ratio sampled different lengths of a machine whose speed
    drifts with its neighbours' load. With equal windows, each side of every ratio sees the same."""
    deadline = time.perf_counter() + seconds

    def client(_):
        sent = answered = 0
        while time.perf_counter() < deadline:
            sent += 1
            answered += call()[0] == expect
        return sent, answered

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        counts = list(pool.map(client, range(clients)))
    elapsed = time.perf_counter() - started
    sent, answered = sum(c[0] for c in counts), sum(c[1] for c in counts)
    if answered != sent:
        print(f"  warning: {sent - answered} of {sent} answers were not {expect}", file=sys.stderr)
    return elapsed, answered, sent


# -- one database -----------------------------------------------------------------------


def run_database(kind: str, url: str, bare_url: str, folder: Path, args) -> dict:
    env = environment(url, bare_url, folder)
    migrate(env)
    families = [(f"page-{n}", n) for n in SIZES] + [(f"submit-{n}-{r}", n) for n in SIZES for r in range(args.rounds)]
    seeded = seed(env, families)
    if kind == "postgresql":
        gather_statistics(url)
    fam = seeded["families"]
    best: dict[str, float] = {}
    rounds: dict[str, list[float]] = {}  # each path's rate in each round, in order
    acknowledged = 0
    with (
        gunicorn("portal:create_app()", env, args.workers) as (port, portal_pid),
        gunicorn("bench.bare_app:create_app()", env, args.workers) as (bare_port, bare_pid),
    ):
        clock = CpuClock({portal_pid: "portal", bare_pid: "baseline"})
        cpu: dict[str, dict[str, float]] = {}  # the CPU a request of each path's fastest round
        partner, lead, bare = Client(port), Client(port), Client(bare_port)
        partner.sign_in(seeded["partner"])
        lead.sign_in(seeded["lead_professional"])
        token = partner.csrf(f"/families/{fam['page-5']['id']}/evidence/new?outcome=2.1")
        for n in SIZES:  # warm both workers' plan caches and templates
            for _ in range(2 * args.workers):
                lead.request("GET", f"/families/{fam[f'page-{n}']['id']}")
                partner.request(
                    "POST",
                    f"/families/{fam[f'page-{n}']['id']}/evidence/check",
                    attendance(fam[f"page-{n}"]["child"]) | {"csrf_token": token},
                    {"HX-Request": "true"},
                )
        for _ in range(20):
            bare.request("GET", "/page")
        for r in range(args.rounds):
            plan = [
                ("bare_page", lambda: bare.request("GET", "/page"), 200),
                ("bare_insert", lambda: bare.request("POST", "/insert", {"text": "bench row"}), 201),
                ("signed_in_static_page", lambda: lead.request("GET", "/cookies"), 200),
            ]
            for n in SIZES:
                page, submit = fam[f"page-{n}"], fam[f"submit-{n}-{r}"]
                check_form = attendance(page["child"]) | {"csrf_token": token}

                # Each submission says something new, as a partner's would: the portal refuses the same
                # evidence sent twice (portal/evidence/records.same_evidence), and saves nothing then.
                def submit_form(child=submit["child"]):
                    return attendance(child, f"{MARKER} {next(SENT)}") | {"csrf_token": token}

                plan += [
                    (f"family_page_{n}", lambda p=page: lead.request("GET", f"/families/{p['id']}"), 200),
                    (
                        f"live_check_{n}",
                        lambda p=page, d=check_form: partner.request(
                            "POST", f"/families/{p['id']}/evidence/check", d, {"HX-Request": "true"}
                        ),
                        200,
                    ),
                    (
                        f"submission_{n}",
                        lambda s=submit, d=submit_form: partner.request(
                            "POST", f"/families/{s['id']}/evidence/new", d()
                        ),
                        302,
                    ),
                ]
            # Each path's two families share its window: the 5-item and the 300-item family take turns,
            # SLICES times each, in slices of a third of the window, so that both see the same moments of
            # a machine whose speed drifts with its neighbours' load (docs/performance.md, "Run 25"). Each
            # still gets the whole window in all, as every other path does; its rate is over its slices.
            pairs: dict[str, list] = {}  # path -> its two families' steps, in SIZES order (5, then 300)
            for step in plan[3:]:
                pairs.setdefault(step[0].rsplit("_", 1)[0], []).append(step)
            steps = [[step] for step in plan[:3]] + [pairs[path] for path in sorted(pairs)]
            order = steps if r % 2 == 0 else list(reversed(steps))  # interleaved: neither side always goes first
            for step in order:
                turns = step if r % 2 == 0 else list(reversed(step))
                slices = SLICES if len(step) > 1 else 1
                totals = {name: [0.0, 0, 0] for name, _, _ in step}  # seconds, answered, sent
                used_by: dict[str, dict[str, float]] = {}
                for _ in range(slices):
                    for name, call, expect in turns:
                        before = clock.read()
                        seconds, answered, sent = measure(call, args.seconds / slices, args.clients, expect)
                        used = CpuClock.per_request(  # milliseconds in all (per one request), summed below
                            before, clock.read(), "baseline" if name.startswith("bare_") else "portal", 1
                        )
                        total = totals[name]
                        total[0], total[1], total[2] = total[0] + seconds, total[1] + answered, total[2] + sent
                        if used is not None:
                            used_by[name] = {k: used_by.get(name, {}).get(k, 0.0) + v for k, v in used.items()}
                for name, (seconds, answered, sent) in totals.items():
                    rate = sent / seconds
                    rounds.setdefault(name, []).append(rate)
                    if name.startswith("submission_"):
                        acknowledged += answered
                    if rate > best.get(name, 0.0):
                        best[name] = rate
                        if name in used_by and sent:
                            cpu[name] = {k: v / sent for k, v in used_by[name].items()}
                    print(f"  {kind} round {r + 1} {name}: {rate:.0f} requests/s", file=sys.stderr)
    stored = stored_submissions(env)
    best["lost"] = max(0, acknowledged - stored)
    best["acknowledged"], best["stored"] = acknowledged, stored
    best["cpu"] = cpu
    best["rounds"] = rounds
    return best


def paired_ratios(rates_300: list[float], rates_5: list[float]) -> list[float]:
    """Each round's 300-item rate over its 5-item rate: the two took turns in that round's window.

    Printed beside the figures, not as one: a figure is each path's fastest round (the rule for every
    figure here), and on a machine whose speed moves within a second, the two fastest rounds of a pair
    may fall on different moments. The rounds' own ratios, and their median, say whether the two
    families cost the same (docs/performance.md, "Run 25")."""
    return [a / b for a, b in zip(rates_300, rates_5, strict=True)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved runs of every measurement (fastest kept)")
    parser.add_argument(
        "--seconds", type=float, default=3.0, help="length of each measurement, the same for every path"
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (threads)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers, portal and baseline alike")
    parser.add_argument(
        "--postgresql",
        default=os.environ.get("BENCH_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432"),
        help="server URL without a database; the bench makes and drops its own databases",
    )
    parser.add_argument("--database-name", default="h_web_bench")
    parser.add_argument("--skip-postgresql", action="store_true")
    args = parser.parse_args(argv)

    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        folder = Path(tmp)
        (folder / "sqlite").mkdir()
        with sqlite_database(folder / "sqlite") as (url, bare_url):
            results["sqlite"] = run_database("sqlite", url, bare_url, folder / "sqlite", args)
        if not args.skip_postgresql:
            (folder / "pg").mkdir()
            with postgresql_database(args.postgresql, args.database_name) as (url, bare_url):
                results["postgresql"] = run_database("postgresql", url, bare_url, folder / "pg", args)

    for kind, best in results.items():
        print(f"{kind}:")
        for name in sorted(k for k in best if k not in ("lost", "acknowledged", "stored", "cpu", "rounds")):
            used = best["cpu"].get(name)
            where = (
                f"; CPU a request: web {used['web']:.2f} ms, database {used['database']:.2f} ms,"
                f" load generator {used['load']:.2f} ms"
                if used
                else ""
            )
            print(f"  {name}: {best[name]:.0f} requests/s{where}")
        print(f"  submissions acknowledged {best['acknowledged']}, in the database {best['stored']}")
        for path in ("submission", "live_check", "family_page"):
            paired = paired_ratios(best["rounds"][f"{path}_300"], best["rounds"][f"{path}_5"])
            print(
                f"  {path}, 300 against 5, round by round: {' '.join(f'{r:.2f}' for r in paired)};"
                f" median {statistics.median(paired):.2f}"
            )
    figures = {}
    ratios = {}
    for kind, best in results.items():
        figures[f"submission_vs_bare_insert_{kind}"] = best["submission_5"] / best["bare_insert"]
        figures[f"submission_300_vs_bare_insert_{kind}"] = best["submission_300"] / best["bare_insert"]
        figures[f"live_check_vs_bare_page_{kind}"] = best["live_check_5"] / best["bare_page"]
        figures[f"family_page_vs_bare_page_{kind}"] = best["family_page_5"] / best["bare_page"]
        figures[f"signed_in_static_page_vs_bare_page_{kind}"] = best["signed_in_static_page"] / best["bare_page"]
        for path in ("submission", "live_check", "family_page"):
            ratios[f"{path}_300_vs_5_{kind}"] = best[f"{path}_300"] / best[f"{path}_5"]
    for name, value in {**figures, **ratios}.items():
        print(f"{name}: {value:.2f}")
    # The headline lines: the live check and the family page on the slower of the two databases.
    kinds = list(results)
    print(f"submission_vs_bare_insert_sqlite: {figures['submission_vs_bare_insert_sqlite']:.2f}")
    if "postgresql" in results:
        print(f"submission_vs_bare_insert_postgresql: {figures['submission_vs_bare_insert_postgresql']:.2f}")
    print(f"live_check_vs_bare_page: {min(figures[f'live_check_vs_bare_page_{k}'] for k in kinds):.2f}")
    print(f"family_page_vs_bare_page: {min(figures[f'family_page_vs_bare_page_{k}'] for k in kinds):.2f}")
    print(f"evidence_300_vs_5: {max(ratios.values(), key=lambda ratio: abs(ratio - 1)):.2f}")
    print(f"lost_acknowledged_submissions: {sum(best['lost'] for best in results.values())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
