"""Give the application's PostgreSQL role exactly what it needs (docs/security.md).

Run by the owner of the tables after every ``migrate``:

    DATABASE_URL=postgres://homestart_owner@db/homestart python manage.py migrate
    DATABASE_URL=postgres://homestart_owner@db/homestart python manage.py grant_app_role --role homestart_app

The web application then connects as ``homestart_app``, which cannot truncate a
table, disable a trigger or rewrite a register.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from homestart.db_roles import RoleError, grant_app_role


class Command(BaseCommand):
    help = "Grant the application's database role what it needs, and no more (run as the owner after migrate)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", default="homestart_app", help="The application's role (default homestart_app).")
        parser.add_argument(
            "--create",
            action="store_true",
            help="Create the role (LOGIN, no password) if it does not exist; "
            "then give it a password with psql's \\password.",
        )

    def handle(self, *args, role: str, create: bool, **options) -> None:
        try:
            statements = grant_app_role(role, create=create)
        except RoleError as error:
            raise CommandError(str(error)) from None
        for statement in statements:
            self.stdout.write(statement + ";")
        self.stdout.write(
            self.style.SUCCESS(
                f"{role} may read and write the application's tables, and may not "
                "rewrite a register, truncate a table or disable a trigger."
            )
        )
