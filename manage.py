#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys

DEPLOYMENT_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEYS",
    "BLIND_INDEX_KEY",
    "BACKUP_KEY",
    "DATABASE_URL",
    "KEY_STORE_DIR",
    "ALLOWED_HOSTS",
)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homestart.settings")
    # A checkout with nothing configured is a developer's: `manage.py check`, `makemigrations`
    # and the rest run in development mode with the untracked development keys, as `make run`
    # does. Anything configured (a database, a secret, DEBUG itself) means an installation,
    # where every secret must come from the environment and a missing one stops the command.
    if not any(os.environ.get(name) for name in DEPLOYMENT_VARIABLES):
        os.environ["DEBUG"] = "1"
    # Commands (migrate, backup, restore, retention) may run long statements: no
    # statement_timeout unless their environment sets one (the web server's is 20 s).
    os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "0")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
