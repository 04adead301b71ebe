"""Settings for Home-Start records, read strictly from the environment.

Every value comes from an environment variable. Booleans must be spelled
clearly (an unknown spelling is an error, not a silent False). With DEBUG off,
a missing secret stops start-up with a message naming the variable (§8.2).
With DEBUG on and a secret unset, every process (server, migrate, seed_demo,
shell) uses the same local development keys, kept in the untracked file
``.local/dev-keys.json`` and created on first use.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DEV_KEYS_FILE = Path(os.environ.get("HOMESTART_DEV_KEYS_FILE", BASE_DIR / ".local" / "dev-keys.json"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off.")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _dev_keys() -> dict[str, str]:
    """Local development keys, shared by every process, created once."""
    if DEV_KEYS_FILE.exists():
        return json.loads(DEV_KEYS_FILE.read_text())
    keys = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": "dev1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "BLIND_INDEX_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "BACKUP_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    DEV_KEYS_FILE.parent.mkdir(parents=True, exist_ok=True)
    # Write a private (0600) temporary file, then publish it under the final name
    # with link(), which fails if the name exists: when processes race on first
    # use, the losers read the winner's complete file, never a half-written one.
    fd, tmp = tempfile.mkstemp(dir=DEV_KEYS_FILE.parent, prefix=".dev-keys-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(keys, handle, indent=2)
        try:
            os.link(tmp, DEV_KEYS_FILE)
        except FileExistsError:
            return json.loads(DEV_KEYS_FILE.read_text())
    finally:
        os.unlink(tmp)
    return keys


def secret(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if DEBUG:
        keys = _dev_keys()
        if name not in keys:
            raise ImproperlyConfigured(
                f"{DEV_KEYS_FILE} has no {name}: delete db.sqlite3 and .local/ together to start again."
            )
        return keys[name]
    raise ImproperlyConfigured(
        f"{name} is not set. With DEBUG off every secret must come from the environment; "
        "see README.md, 'Configuration'."
    )


def _b64key(name: str, raw: str) -> bytes:
    try:
        key = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{name}: a key is not valid base64.") from None
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name}: each key must be 32 bytes (AES-256), base64-encoded.")
    return key


def parse_master_keys(raw: str) -> dict[str, bytes]:
    """``id:base64key,id:base64key`` — the first is the newest and wraps new data keys."""
    keys: dict[str, bytes] = {}
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        key_id, sep, material = item.partition(":")
        if not sep or not key_id or not key_id.isalnum() or len(key_id) > 16:
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS must be a comma-separated list of id:base64key, "
                "newest first, with short alphanumeric ids."
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS: key id {key_id!r} appears twice.")
        keys[key_id] = _b64key("FIELD_ENCRYPTION_KEYS", material)
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS holds no key.")
    return keys


DEBUG = envbool("DEBUG", False)
# Django's technical error pages (stack traces, the URL list) with DEBUG on; otherwise the
# product's own 404, 403, 410 and 500 pages, as the demo's users should see them.
HOMESTART_TECHNICAL_ERRORS = envbool("HOMESTART_TECHNICAL_ERRORS", False)
SECRET_KEY = secret("SECRET_KEY")
# Master keys wrap the per-family data keys (§8.2). Newest first; older ones stay
# listed until `manage.py rotate_keys` has re-wrapped every data key.
FIELD_ENCRYPTION_KEYS = parse_master_keys(secret("FIELD_ENCRYPTION_KEYS"))
# The blind-index key is separate from the master keys: exact-match search
# hashes must not be computable by someone holding only the data keys.
BLIND_INDEX_KEY = _b64key("BLIND_INDEX_KEY", secret("BLIND_INDEX_KEY"))
# Seals `manage.py backup` files (§8.2); separate from the master keys so that a
# backup and the key that opens it can be kept apart (docs/backups.md).
BACKUP_KEY = _b64key("BACKUP_KEY", secret("BACKUP_KEY"))


def _key_store_dir() -> Path:
    raw = os.environ.get("KEY_STORE_DIR", "").strip()
    if not raw:
        if DEBUG:
            return DEV_KEYS_FILE.parent / "keystore"
        raise ImproperlyConfigured(
            "KEY_STORE_DIR is not set. With DEBUG off the key store (the directory holding the "
            "wrapped data keys) must be named; see README.md, 'Configuration', and docs/backups.md."
        )
    path = Path(raw).expanduser()
    if not path.is_absolute():
        raise ImproperlyConfigured(f"KEY_STORE_DIR={raw!r} must be an absolute path, the same for every process.")
    return path


# The key store (§8.2, §8.8): one file per data key, wrapped under the master keys.
# Not in the database, so that destroying a key really deletes it (docs/backups.md).
KEY_STORE_DIR = _key_store_dir()

# Whose bank holidays move a statutory deadline (subject access, §8.7) to the next
# working day: England and Wales "ENG" (the same days as "WLS"), Scotland "SCT",
# Northern Ireland "NIR" (the `holidays` package's divisions of GB).
BANK_HOLIDAY_DIVISIONS = ("ENG", "WLS", "SCT", "NIR")
RECORDS_BANK_HOLIDAYS = os.environ.get("RECORDS_BANK_HOLIDAYS", "ENG").strip().upper() or "ENG"
if RECORDS_BANK_HOLIDAYS not in BANK_HOLIDAY_DIVISIONS:
    raise ImproperlyConfigured(
        f"RECORDS_BANK_HOLIDAYS={RECORDS_BANK_HOLIDAYS!r}: use one of {', '.join(BANK_HOLIDAY_DIVISIONS)}."
    )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "guardian",
    "simple_history",
    "homestart",
    "families",
    "consent",
    "safeguarding",
    # The family's own scores over its support (Home-Start's outcome measure); reporting counts them.
    "outcomes",
    "records",
    "reporting",
    "access_log",
    "portability",
    # What is due for whom (send_reminders, "Due for you"): reads every app below, imported by none.
    "reminders",
    # The landing page after sign-in, a part for each role: reads the apps below, imported by none.
    "home",
    # The demo data (manage.py seed_demo): the top layer, it uses every other app.
    "demo",
]

MIDDLEWARE = [
    "homestart.request_cache.RequestCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "homestart.language.PersonLanguageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # With DEBUG on, the product's own 404/400/500 pages unless HOMESTART_TECHNICAL_ERRORS=1.
    "homestart.middleware.FriendlyErrorsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "homestart.request_id.RequestIdMiddleware",
    "access_log.tombstones.TombstoneMiddleware",
    "homestart.security.SessionTimeoutMiddleware",
    "homestart.security.TwoFactorMiddleware",
    "homestart.middleware.PolicyAcknowledgementMiddleware",
    # The gate's refusals that have a next step: acknowledge the policy, sign, undertake.
    "access_log.middleware.GateRefusalMiddleware",
    # A cancelled or lost database query: the error page with 503, not a dropped connection.
    "homestart.middleware.DatabaseUnavailableMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # django-axes last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "homestart.urls"
WSGI_APPLICATION = "homestart.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "homestart.context_processors.navigation",
                "csp.context_processors.nonce",
            ],
            # {% form_once %} in every template: the one-time token of create forms (homestart/once.py).
            "builtins": ["homestart.templatetags.form_once", "homestart.templatetags.people"],
        },
    },
]
FORM_RENDERER = "homestart.forms.GovukFormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiler spends more than a second compiling the gate's larger
    # queries (search, statistics) that then run in milliseconds: off for this
    # application's short queries. Index reads cost about as much as sequential ones on
    # SSDs (random_page_cost 1.1, not the spinning-disk 4): the statistics page then
    # reaches a scheme's visits through their family index instead of scanning the
    # country's (docs/performance.md). DATABASE_OPTIONS replaces both.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = os.environ.get(
        "DATABASE_OPTIONS", "-c jit=off -c random_page_cost=1.1"
    )
    # A statement running longer than this is cancelled by PostgreSQL, well before
    # gunicorn's worker timeout (gunicorn.conf.py, 30 s) would kill the worker and drop
    # the connection: the person gets the "Sorry, there is a problem" page (503) and the
    # transaction is rolled back, rather than a broken connection (README, Production).
    # Seconds; 0 for no limit (the default for commands run with manage.py).
    DATABASE_STATEMENT_TIMEOUT = envint("DATABASE_STATEMENT_TIMEOUT", 20)
    if DATABASE_STATEMENT_TIMEOUT < 0:
        raise ImproperlyConfigured("DATABASE_STATEMENT_TIMEOUT must be 0 (no limit) or a number of seconds.")
    if DATABASE_STATEMENT_TIMEOUT:
        DATABASES["default"]["OPTIONS"]["options"] += f" -c statement_timeout={DATABASE_STATEMENT_TIMEOUT * 1000}"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "homestart.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses any attempt while the username is locked out from this address.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# No anonymous user with object permissions: nobody signed out sees any file.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False

# Argon2id with the parameters chosen in homestart/hashers.py (docs/performance.md,
# "Sign-in"); the others only check older hashes, upgraded at their owner's next sign-in.
PASSWORD_HASHERS = [
    "homestart.hashers.HomestartArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "homestart.password_validation.ContextWordsValidator"},
]
LOGIN_URL = "login"
# A set-password link (sent by an administrator, §8.2) works once, for this many seconds.
PASSWORD_RESET_TIMEOUT = 4 * 60 * 60
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
# English and Welsh (issue 17.8): each person chooses on their account page (User.language);
# signed out, the language link's cookie or the browser's Accept-Language decides. A string
# without a Welsh translation shows in English. The translations are in locale/cy/ with their
# compiled .mo committed, so a fresh clone needs no gettext (docs/welsh.md).
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "homestart_language"
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- sign-in, sessions and headers (§8.2; OWASP ASVS 5.0 Level 2, docs/security.md) ---

# Two-factor sign-in (TOTP): required of everyone unless turned off; with DEBUG on
# (the README's demo) it is offered, not forced.
TWO_FACTOR_REQUIRED = envbool("TWO_FACTOR_REQUIRED", not DEBUG)
OTP_TOTP_ISSUER = "Home-Start records"

# Lockout after 5 failures for one username from one client address (others behind
# the same address are unaffected), and after 20 failures from one address whatever
# the usernames (homestart/lockout.py). TRUSTED_PROXY_COUNT: reverse proxies in front
# of the app whose X-Forwarded-For can be believed (0: use the connection's address).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
LOCKOUT_COOLOFF_MINUTES = envint("LOCKOUT_COOLOFF_MINUTES", 30)
LOCKOUT_ADDRESS_FAILURE_LIMIT = envint("LOCKOUT_ADDRESS_FAILURE_LIMIT", 20)
AXES_FAILURE_LIMIT = 5
if LOCKOUT_ADDRESS_FAILURE_LIMIT < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        f"LOCKOUT_ADDRESS_FAILURE_LIMIT must be at least {AXES_FAILURE_LIMIT}, the limit per username."
    )
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "homestart.lockout.LockoutHandler"
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOCKOUT_COOLOFF_MINUTES)
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "homestart.security.client_ip"
AXES_LOCKOUT_CALLABLE = "homestart.security.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False

# Per-person limits on searches and exports (homestart/ratelimit.py): uses per window,
# window in seconds. Counted in this cache: with several web processes, set REDIS_URL.
RATE_LIMITS = {
    "family_search": (60, 10 * 60),
    "statistics_export": (20, 60 * 60),
    "subject_access_download": (30, 60 * 60),
    "transfer": (10, 60 * 60),
}
RATE_LIMIT_CACHE = "default"

# Sessions end after 30 minutes idle and 12 hours after sign-in.
SESSION_IDLE_TIMEOUT = 30 * 60
SESSION_ABSOLUTE_TIMEOUT = 12 * 60 * 60
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
REAUTHENTICATION_WINDOW = 5 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
if not DEBUG:
    # __Host- cookies: Secure, path /, no Domain: no other host can set or read them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# Flash messages live in the session (a __Host- cookie), not in a cookie of their own.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = 0 if DEBUG else 365 * 24 * 60 * 60
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
if envbool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): scripts and styles only from this site (the
# one module script carries no inline code), nothing may frame the pages.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# Production with more than one web process: Redis for the cache and the sessions.
# Sessions in the database, saved by a store that never reports a committed write as a
# failure when the database connection drops after it (homestart/sessions.py).
SESSION_ENGINE = "homestart.sessions"
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"

# Requests are small forms; nothing is uploaded. Anything bigger is refused (400).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "records@homestart.invalid")
# Where the installation is reached, for links in e-mails sent outside a request (the daily
# reminders, reminders/): e.g. https://records.homestart-wirral.org.uk. Empty: links are paths.
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/")
if SITE_URL and not SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("SITE_URL must start with https:// (or http:// for development).")

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# History rows are never removed by cascade from the admin: deletion of personal
# data happens only through the retention process (§8.8).
SIMPLE_HISTORY_REVERT_DISABLED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes reports every sign-in at INFO; lockouts still appear as warnings.
    "loggers": {"axes": {"level": "WARNING"}},
}
