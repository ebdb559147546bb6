"""`flask --app portal create-admin EMAIL`: the first admin of a new service, without demo data."""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from ..auth.passwords import password_problem
from ..extensions import db
from ..models import User
from ..roles import Role
from . import users

TRIES = 3


@click.command("create-admin")
@click.argument("email")
@click.option("--name", help="Their full name (default: the part of the email address before the @).")
@click.option("--force", is_flag=True, help="Add an admin even though the service already has one.")
@with_appcontext
def create_admin_command(email, name, force):
    """Add an admin account, asking for its password (twice, not shown)."""
    email = email.strip().lower()
    problem = users.email_problem(email)
    if problem:
        raise click.ClickException(problem)
    admins = db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.role == Role.ADMIN))
    if admins and not force:
        raise click.ClickException(
            f"The service already has {admins} admin{'s' if admins > 1 else ''}: an admin adds users on the "
            "Users page. To add another admin from here anyway (say, every admin has left), use --force."
        )
    password = _ask_password(email)
    user = users.create_admin(name or email.split("@")[0], email, password)
    click.echo(
        f"Admin {user.email} added. Sign in at /sign-in: the portal asks them to set up an authenticator app first."
    )


def _ask_password(email):
    for _ in range(TRIES):
        password = click.prompt("Password", hide_input=True, confirmation_prompt="Password again")
        problem = password_problem(password, email)
        if problem is None:
            return password
        click.echo(f"{problem}.", err=True)
    raise click.ClickException("No acceptable password given; nothing was added")
