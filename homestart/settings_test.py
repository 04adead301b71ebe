"""Settings for the test suite: fixed throwaway keys, fast hashing.

Everything else comes from ``homestart.settings`` unchanged, so the suite
tests the real configuration (including PostgreSQL when DATABASE_URL is set).
"""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
# Keys are 32 zero-ish bytes of test material; never use outside tests.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "test1:" + "dGVzdC1tYXN0ZXIta2V5LTAxMjM0NTY3ODlhYmNkZWY=")
os.environ.setdefault("BLIND_INDEX_KEY", "dGVzdC1ibGluZC1pbmRleC1rZXktMDEyMzQ1Njc4OWE=")
os.environ.setdefault("BACKUP_KEY", "dGVzdC1iYWNrdXAta2V5LTAxMjM0NTY3ODlhYmNkZWY=")
os.environ.setdefault("DEBUG", "0")
# The key store of this test session: a fresh temporary directory, removed at exit.
# Under pytest-xdist each worker (PYTEST_XDIST_WORKER=gw0, gw1...) has its own: a worker
# inherits the environment of the process that started it, key store included, and two
# workers sharing one would see each other's keys (a test counting orphans, shredding).
# A process a test starts inherits its worker's key store, as it should.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if not os.environ.get("KEY_STORE_DIR") or os.environ.get("HOMESTART_TEST_KEY_STORE_OF", _worker) != _worker:
    os.environ["KEY_STORE_DIR"] = tempfile.mkdtemp(prefix=f"homestart-test-keystore-{_worker}-".replace("--", "-"))
    os.environ["HOMESTART_TEST_KEY_STORE_OF"] = _worker
    atexit.register(shutil.rmtree, os.environ["KEY_STORE_DIR"], True)

# Creating and dropping the test database, and the heaviest fixtures on a busy CI
# machine, may run past the web's 20 s statement_timeout: none here. The timeout is
# tested explicitly (tests/homestart/test_settings.py, test_committed_writes.py).
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "0")

from homestart.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
# No collected static files in a test run (STATIC_ROOT does not exist in a fresh
# checkout): serve from the finders without WhiteNoise warning about the directory.
WHITENOISE_AUTOREFRESH = True
# The suite signs people in with force_login; two-factor enforcement is tested
# explicitly (tests/homestart/test_security.py) with override_settings.
TWO_FACTOR_REQUIRED = False
# The test client speaks plain HTTP.
SECURE_SSL_REDIRECT = False
