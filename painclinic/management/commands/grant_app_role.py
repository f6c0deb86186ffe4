"""Create (if missing) and (re)grant the database role the app runs as (issue #15).

Migrations run as the tables' owner; the web, worker and beat processes connect as this role,
which may only read and write rows: no TRUNCATE, no ALTER TABLE (so no DISABLE TRIGGER), no
TRIGGER or REFERENCES privilege, not a superuser (so no ``session_replication_role``), and on the
audit log only SELECT and INSERT. Run after every ``migrate``, as the owner: it also sets the
default privileges so tables a later migration creates get the same grants.

    APP_DATABASE_URL=postgres://painclinic_app:secret@db/painclinic manage.py grant_app_role
    manage.py grant_app_role --role painclinic_app      # role only, no password change
"""

from __future__ import annotations

import os
from urllib.parse import unquote, urlsplit

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg import sql

# Tables the app only appends to: the database refuses UPDATE/DELETE by trigger as well
# (painclinic 0003); the app role is not even granted them.
APPEND_ONLY = ("painclinic_auditevent",)
# Django's record of applied migrations: the app reads it, only the owner writes it.
READ_ONLY = ("django_migrations",)


def _role_from_env() -> tuple[str | None, str | None]:
    url = os.environ.get("APP_DATABASE_URL", "")
    if not url:
        return None, None
    parts = urlsplit(url)
    return (unquote(parts.username) if parts.username else None), (
        unquote(parts.password) if parts.password else None
    )


class Command(BaseCommand):
    help = "Create the app's database role if missing and grant it row access only."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--role", help="role name (default: the user of APP_DATABASE_URL)")

    def handle(self, *args, role: str | None, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role is for PostgreSQL (SQLite has no roles)")
        env_role, password = _role_from_env()
        role = role or env_role
        if not role:
            raise CommandError("give --role or set APP_DATABASE_URL")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            owner = cursor.fetchone()[0]
        if role == owner:
            raise CommandError("the app role must not be the tables' owner")
        ident = sql.Identifier(role)
        owner_ident = sql.Identifier(owner)
        statements = [
            sql.SQL(
                "DO $$ BEGIN CREATE ROLE {} LOGIN; "
                "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
            ).format(ident),
            sql.SQL(
                "ALTER ROLE {} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
            ).format(ident),
            sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(ident),
            sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {}").format(ident),
            sql.SQL("REVOKE CREATE ON SCHEMA public FROM {}").format(ident),
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(ident),
            sql.SQL(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}"
            ).format(ident),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(ident),
            *(
                sql.SQL("REVOKE UPDATE, DELETE ON {} FROM {}").format(sql.Identifier(t), ident)
                for t in APPEND_ONLY
            ),
            *(
                sql.SQL("REVOKE INSERT, UPDATE, DELETE ON {} FROM {}").format(
                    sql.Identifier(t), ident
                )
                for t in READ_ONLY
            ),
            # Tables and sequences created by later migrations (run by the owner).
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public "
                "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
            ).format(owner_ident, ident),
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public "
                "GRANT USAGE, SELECT ON SEQUENCES TO {}"
            ).format(owner_ident, ident),
        ]
        if password:
            statements.append(
                sql.SQL("ALTER ROLE {} PASSWORD {}").format(ident, sql.Literal(password))
            )
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement.as_string(cursor.connection))
        self.stdout.write(f"{role}: row access granted on the tables owned by {owner}")
