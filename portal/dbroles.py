"""PostgreSQL: the web app runs as a role that may only add to and read the append-only tables.

Migrations run as the role that owns the tables; the web app connects as another
role, given exactly what it needs by `flask --app portal grant-app-role ROLE`
(run as the owner after every `flask --app portal db upgrade`):

- on the append-only tables (portal.models.append_only.TABLES): SELECT and INSERT;
- on every other table of the portal: SELECT, INSERT and UPDATE (members are withdrawn,
  sessions ended, lockouts counted: all by UPDATE);
- DELETE and TRUNCATE on nothing: the portal never deletes a row;
- USAGE on the schema and on its sequences (new rows' ids).

Everything else is revoked first, so running it again after a change takes away what is
no longer listed. docs/database-roles.md explains the set-up.
"""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from .extensions import db
from .models.append_only import TABLES


class RoleError(click.ClickException):
    pass


def _quote(connection, name):
    return connection.dialect.identifier_preparer.quote_identifier(name)


def grant_statements(connection, role) -> list[str]:
    """The GRANTs and REVOKEs that give `role` what the web app needs in the current schema."""
    schema = connection.exec_driver_sql("SELECT current_schema()").scalar()
    existing = set(sa.inspect(connection).get_table_names(schema=schema))
    tables = [t for t in sorted(db.metadata.tables) if t in existing]
    who, where = _quote(connection, role), _quote(connection, schema)

    def table(name):
        return f"{where}.{_quote(connection, name)}"

    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {where} FROM {who}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {where} FROM {who}",
        f"GRANT USAGE ON SCHEMA {where} TO {who}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {who}",
    ]
    for name in tables:
        rights = "SELECT, INSERT" if name in TABLES else "SELECT, INSERT, UPDATE"
        statements.append(f"GRANT {rights} ON {table(name)} TO {who}")
    return statements


def check_role(connection, role):
    """Refuse a role that could get round the grants: a superuser, or the tables' owner (or a member of it)."""
    found = connection.execute(
        sa.text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :role"), {"role": role}
    ).first()
    if found is None:
        raise RoleError(f"There is no role {role!r}: create it first (CREATE ROLE ... LOGIN PASSWORD ...)")
    if found.rolsuper:
        raise RoleError(f"{role} is a superuser, which no grant can limit")
    owners = (
        connection.execute(
            sa.text(
                "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = current_schema() "
                "AND pg_has_role(:role, tableowner, 'MEMBER')"
            ),
            {"role": role},
        )
        .scalars()
        .all()
    )
    if owners:
        raise RoleError(
            f"{role} is (or is a member of) {', '.join(owners)}, which owns the tables: "
            "an owner can drop the append-only triggers"
        )


def grant_app_role(connection, role) -> list[str]:
    """Give `role` the web app's rights (in the caller's transaction); the statements run."""
    if connection.dialect.name != "postgresql":
        raise RoleError("Database roles are for PostgreSQL; SQLite has no roles")
    check_role(connection, role)
    statements = grant_statements(connection, role)
    for statement in statements:
        connection.exec_driver_sql(statement)
    return statements


@click.command("grant-app-role")
@click.argument("role")
@with_appcontext
def grant_app_role_command(role):
    """Let ROLE (the web app's PostgreSQL login) only add to and read the append-only tables.

    Run as the tables' owner, after every `flask db upgrade`.
    """
    with db.engine.begin() as connection:
        for statement in grant_app_role(connection, role):
            click.echo(f"{statement};")
    click.echo(f"{role} may now SELECT and INSERT on {', '.join(TABLES)}, and never UPDATE, DELETE or TRUNCATE them.")
