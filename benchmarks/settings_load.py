"""Settings for the load test (`make load`): the benchmark settings served by gunicorn
over plain HTTP on 127.0.0.1. In production TLS ends at the proxy and the cookies are
Secure ``__Host-`` cookies; a load generator speaking plain HTTP would not send those
back, so here they are ordinary cookies. Nothing else changes."""

from benchmarks.settings import *  # noqa: F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
WHITENOISE_AUTOREFRESH = False  # files indexed once at start, as in production
# Sign-in as in production: Argon2id with the chosen parameters (homestart/hashers.py),
# not the test settings' fast hasher; the load test measures what sign-in costs.
from homestart.settings import PASSWORD_HASHERS  # noqa: E402,F401
