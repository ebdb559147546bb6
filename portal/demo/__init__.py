"""`flask --app portal demo`: demo agencies, one login per role, and families in every state.

Refuses to run in production. Running it again does nothing; --reset empties a
demo database (one whose users are all demo users) and loads it afresh.
"""

import datetime as dt
import os

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..models import User
from ..models.append_only import triggers_lifted
from .build import load_family
from .people import DEMO_DOMAIN, DEMO_PASSWORD, USERS, add_people, demo_loaded, email
from .scenarios import SCENARIOS, case_for, read_example, years_on


@click.command("demo")
@click.option("--reset", is_flag=True, help="Empty this demo database first, then load the demo again.")
@click.option("--yes", is_flag=True, help="With --reset: do not ask for confirmation.")
@with_appcontext
def demo_command(reset, yes):
    """Load demo logins and families (does nothing if they are already loaded)."""
    refuse_in_production()
    if reset:
        reset_database(yes)
    elif demo_loaded():
        click.echo("Demo data is already loaded; nothing changed. Use --reset to load it again.")
        return
    today = dt.date.today()
    load_demo(today)
    print_families(today)
    print_logins()


def refuse_in_production():
    # Production is the only config that insists on SECRET_KEY from the environment.
    if os.environ.get("PORTAL_CONFIG") == "production" or current_app.config["REQUIRE_SECRET_KEY_FROM_ENV"]:
        raise click.ClickException(
            "flask demo will not run in production: it makes accounts with a published password."
        )


def load_demo(today):
    people = add_people()
    families = [load_family(case_for(s, today), s.name, people, s.team) for s in SCENARIOS]
    db.session.commit()
    add_claim_window(people, today)
    return families


def add_claim_window(people, today):
    """A claim window ready to work through: the phase-2 plans, decided as of today."""
    from ..claims.windows import open_window

    open_window(
        people["users"]["programme"],
        f"Demo claim window, {today.day} {today:%B %Y}",
        today,
        ["durham-2018", "southwark-2018", "suffolk-2017", "sunderland-2015"],
        tolerance_percent=10,
        sample_percent=25,
        sample_minimum=3,
        minimum_intervention_days=84,
    )


def reset_database(yes):
    not_demo = ~User.email.endswith(f"@{DEMO_DOMAIN}")
    others = db.session.scalar(db.select(db.func.count()).select_from(User).where(not_demo))
    if others:
        raise click.ClickException(f"--reset only empties a demo database; this one has {others} other users")
    if not yes:
        click.confirm("This deletes every family, user and audit event in the database. Go on?", abort=True)
    db.session.remove()
    # Bulk deletes on purpose: this wipes a demo database whole. The append-only triggers
    # refuse them, so they are lifted for this one transaction (only the tables' owner can).
    # Children first, so foreign keys hold.
    with db.engine.begin() as conn, triggers_lifted(conn):
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


def print_families(today):
    click.echo(f"Loaded {len(SCENARIOS)} demo families (lead professional: {email('lead')}):")
    click.echo("  (worked examples' dates moved on by whole years, so today decides each as on its as-of date)")
    for scenario in SCENARIOS:
        ref = scenario.ref or read_example(scenario.example)["ref"]
        click.echo(f"  {ref:16} {scenario.name:18} {_moved(scenario, today):9} {scenario.state}")


def _moved(scenario, today):
    return "fresh" if scenario.anchor else f"+{years_on(scenario, today)} years"


def print_logins():
    click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
    for _key, local_part, name, role, _agency in USERS:
        click.echo(f"  {email(local_part):32} {role:18} {name}")
