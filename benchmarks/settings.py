"""Settings for the benchmarks: the test settings (fixed throwaway keys) on PostgreSQL,
with the benchmark's unguarded comparison views added to the URLconf."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/homestart_bench")
# The benchmark databases outlive one process (`make bench`, then `make load`): so does their key store.
_CHECKOUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("KEY_STORE_DIR", os.path.join(_CHECKOUT, ".local", "bench-keystore"))

# Filling the database with millions of rows runs long statements: no statement_timeout.
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "0")

from homestart.settings_test import *  # noqa: E402,F403

ROOT_URLCONF = "benchmarks.urls"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
DEBUG = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
