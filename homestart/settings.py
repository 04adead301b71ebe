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
import json
import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
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
        return _dev_keys()[name]
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
SECRET_KEY = secret("SECRET_KEY")
# Master keys wrap the per-family data keys (§8.2). Newest first; older ones stay
# listed until `manage.py rotate_keys` has re-wrapped every data key.
FIELD_ENCRYPTION_KEYS = parse_master_keys(secret("FIELD_ENCRYPTION_KEYS"))
# The blind-index key is separate from the master keys: exact-match search
# hashes must not be computable by someone holding only the data keys.
BLIND_INDEX_KEY = _b64key("BLIND_INDEX_KEY", secret("BLIND_INDEX_KEY"))

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
    "guardian",
    "simple_history",
    "homestart",
    "families",
    "consent",
    "safeguarding",
    "records",
    "reporting",
    "access_log",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "access_log.middleware.RequestIdMiddleware",
    "homestart.middleware.PolicyAcknowledgementMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "homestart.context_processors.navigation",
            ],
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "homestart.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# No anonymous user with object permissions: nobody signed out sees any file.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "families:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
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

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_AGE = 12 * 60 * 60
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "records@homestart.invalid")

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# History rows are never removed by cascade from the admin: deletion of personal
# data happens only through the retention process (§8.8).
SIMPLE_HISTORY_REVERT_DISABLED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
