"""Settings are read strictly from the environment (§8.2: keys kept securely).

Each case imports ``homestart.settings`` in a fresh interpreter with a
controlled environment, exactly as a server or management command would.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from manage import DEPLOYMENT_VARIABLES

REPO = Path(__file__).resolve().parents[2]
KEY_A = base64.b64encode(b"A" * 32).decode()
KEY_B = base64.b64encode(b"B" * 32).decode()
GOOD = {
    "SECRET_KEY": "a-production-secret-key-that-is-long-enough-0123456789",
    "FIELD_ENCRYPTION_KEYS": f"k2:{KEY_B},k1:{KEY_A}",
    "BLIND_INDEX_KEY": KEY_A,
    "BACKUP_KEY": KEY_B,
    "KEY_STORE_DIR": "/var/lib/homestart/keystore",
}
CONTROLLED = {
    "KEY_STORE_DIR",
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEYS",
    "BLIND_INDEX_KEY",
    "BACKUP_KEY",
    "DEBUG",
    "DATABASE_URL",
    "DJANGO_SETTINGS_MODULE",
    "HOMESTART_DEV_KEYS_FILE",
    "ALLOWED_HOSTS",
    "RECORDS_BANK_HOLIDAYS",
    "DATABASE_OPTIONS",
    "DATABASE_STATEMENT_TIMEOUT",
}
PRINT_SETTINGS = (
    "import base64, json; from homestart import settings as s; "
    "print(json.dumps({'SECRET_KEY': s.SECRET_KEY, "
    "'FIELD_ENCRYPTION_KEYS': {k: base64.b64encode(v).decode() for k, v in s.FIELD_ENCRYPTION_KEYS.items()}, "
    "'BLIND_INDEX_KEY': base64.b64encode(s.BLIND_INDEX_KEY).decode(), "
    "'DEBUG': s.DEBUG, 'ENGINE': s.DATABASES['default']['ENGINE'], 'NAME': s.DATABASES['default']['NAME'], "
    "'SECURE_COOKIES': [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE], 'ALLOWED_HOSTS': s.ALLOWED_HOSTS}))"
)


def run_settings(tmp_path: Path, code: str = "import homestart.settings", **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in CONTROLLED}
    # Never let a test read or create the developer's own key file.
    clean["HOMESTART_DEV_KEYS_FILE"] = str(tmp_path / "dev-keys.json")
    clean.update(env)
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, env=clean, capture_output=True, text=True, timeout=60)


def improperly_configured(result: subprocess.CompletedProcess) -> str:
    """The ImproperlyConfigured message the process died with."""
    assert result.returncode != 0, f"settings loaded but should have been refused:\n{result.stdout}"
    last = result.stderr.strip().splitlines()[-1]
    prefix = "django.core.exceptions.ImproperlyConfigured: "
    assert last.startswith(prefix), result.stderr
    return last.removeprefix(prefix)


def settings_of(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.policy("8.2")
def test_complete_production_environment_loads(tmp_path):
    loaded = settings_of(run_settings(tmp_path, PRINT_SETTINGS, DEBUG="0", **GOOD))
    assert loaded["DEBUG"] is False
    assert loaded["SECURE_COOKIES"] == [True, True], "session and CSRF cookies only over HTTPS in production"
    assert loaded["ALLOWED_HOSTS"] == [], "production names its hosts explicitly"
    assert list(loaded["FIELD_ENCRYPTION_KEYS"]) == ["k2", "k1"], "newest key first, order kept"
    assert not (tmp_path / "dev-keys.json").exists(), "production must never fall back to the dev key file"


@pytest.mark.policy("8.2")
@pytest.mark.parametrize("debug", [None, "0"], ids=["debug-unset", "debug-0"])
@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "BACKUP_KEY", "KEY_STORE_DIR"]
)
def test_missing_secret_with_debug_off_stops_startup_naming_the_variable(tmp_path, missing, debug):
    env = {k: v for k, v in GOOD.items() if k != missing}
    if debug is not None:
        env["DEBUG"] = debug
    message = improperly_configured(run_settings(tmp_path, **env))
    assert message.startswith(f"{missing} is not set")
    assert not (tmp_path / "dev-keys.json").exists()


@pytest.mark.policy("8.2")
def test_key_store_is_an_absolute_path_and_defaults_next_to_the_dev_keys_in_debug(tmp_path):
    message = improperly_configured(run_settings(tmp_path, DEBUG="0", **{**GOOD, "KEY_STORE_DIR": "keystore"}))
    assert message.startswith("KEY_STORE_DIR='keystore' must be an absolute path")
    code = "from homestart import settings as s; print(s.KEY_STORE_DIR)"
    shown = run_settings(tmp_path, code, DEBUG="1")
    assert shown.stdout.strip() == str(tmp_path / "keystore"), shown.stderr
    assert not (tmp_path / "keystore").exists(), "nothing is created until a key is written"


@pytest.mark.policy("8.7")
def test_bank_holiday_division_must_be_a_known_part_of_the_uk(tmp_path):
    message = improperly_configured(run_settings(tmp_path, DEBUG="0", RECORDS_BANK_HOLIDAYS="Wales", **GOOD))
    assert message.startswith("RECORDS_BANK_HOLIDAYS='WALES': use one of ENG, WLS, SCT, NIR")
    loaded = run_settings(
        tmp_path,
        "from homestart import settings as s; print(s.RECORDS_BANK_HOLIDAYS)",
        DEBUG="0",
        RECORDS_BANK_HOLIDAYS="sct",
        **GOOD,
    )
    assert loaded.stdout.strip() == "SCT", loaded.stderr


@pytest.mark.policy("8.2")
def test_blank_secret_counts_as_missing(tmp_path):
    message = improperly_configured(run_settings(tmp_path, DEBUG="0", **{**GOOD, "BLIND_INDEX_KEY": "   "}))
    assert message.startswith("BLIND_INDEX_KEY is not set")


@pytest.mark.policy("8.2")
@pytest.mark.parametrize("spelling", ["maybe", "2", "enabled", "TRUE!"])
def test_debug_must_be_a_clear_boolean(tmp_path, spelling):
    message = improperly_configured(run_settings(tmp_path, DEBUG=spelling, **GOOD))
    assert message.startswith(f"DEBUG={spelling!r} is not a boolean")


@pytest.mark.policy("8.2")
@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("no-separator", id="no-colon"),
        pytest.param(f":{KEY_A}", id="empty-id"),
        pytest.param(f"key-1:{KEY_A}", id="id-not-alphanumeric"),
        pytest.param(f"abcdefghijklmnopq:{KEY_A}", id="id-too-long"),
        pytest.param("k1:not base64!!", id="not-base64"),
        pytest.param("k1:" + base64.b64encode(b"x" * 16).decode(), id="128-bit-key"),
        pytest.param(f"k1:{KEY_A},k1:{KEY_B}", id="duplicate-id"),
        pytest.param(" , ,", id="no-key-at-all"),
    ],
)
def test_malformed_master_key_list_is_refused(tmp_path, raw):
    message = improperly_configured(run_settings(tmp_path, DEBUG="0", **{**GOOD, "FIELD_ENCRYPTION_KEYS": raw}))
    assert "FIELD_ENCRYPTION_KEYS" in message


@pytest.mark.policy("8.2")
@pytest.mark.parametrize("raw", ["not base64!!", base64.b64encode(b"short").decode()])
def test_malformed_blind_index_key_is_refused(tmp_path, raw):
    message = improperly_configured(run_settings(tmp_path, DEBUG="0", **{**GOOD, "BLIND_INDEX_KEY": raw}))
    assert "BLIND_INDEX_KEY" in message


@pytest.mark.policy("8.2")
def test_debug_without_keys_shares_one_private_key_file_between_processes(tmp_path):
    keys_file = tmp_path / "dev-keys.json"
    first = settings_of(run_settings(tmp_path, PRINT_SETTINGS, DEBUG="1"))
    assert keys_file.exists()
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600, "the key file must be readable by its owner only"
    second = settings_of(run_settings(tmp_path, PRINT_SETTINGS, DEBUG="1"))

    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"):
        assert first[name] == second[name], f"{name} differs between two processes"
    ((key_id, key),) = first["FIELD_ENCRYPTION_KEYS"].items()
    assert len(base64.b64decode(key)) == 32
    assert len(base64.b64decode(first["BLIND_INDEX_KEY"])) == 32
    stored = json.loads(keys_file.read_text())
    assert stored["FIELD_ENCRYPTION_KEYS"] == f"{key_id}:{key}"


# Stretch the moment between creating the key file and finishing writing it, as a
# slow disk or a busy machine would, so that processes starting together meet in it.
SLOW_KEY_FILE_WRITES = (
    "import json, time; _dump, _dumps = json.dump, json.dumps; "
    "json.dump = lambda *a, **k: (time.sleep(0.4), _dump(*a, **k))[1]; "
    "json.dumps = lambda *a, **k: (time.sleep(0.4), _dumps(*a, **k))[1]; "
)


@pytest.mark.policy("8.2")
def test_processes_starting_together_agree_on_the_dev_keys(tmp_path):
    """`runserver` and `seed_demo` started at once on a fresh checkout must get the same keys."""
    clean = {k: v for k, v in os.environ.items() if k not in CONTROLLED}
    clean.update(DEBUG="1", HOMESTART_DEV_KEYS_FILE=str(tmp_path / "dev-keys.json"))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SLOW_KEY_FILE_WRITES + PRINT_SETTINGS],
            cwd=REPO,
            env=clean,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        outputs.append(json.loads(out))
    assert len({json.dumps(o, sort_keys=True) for o in outputs}) == 1, "processes got different keys"
    stored = json.loads((tmp_path / "dev-keys.json").read_text())
    assert stored["BLIND_INDEX_KEY"] == outputs[0]["BLIND_INDEX_KEY"]
    assert [p.name for p in tmp_path.iterdir()] == ["dev-keys.json"], "temporary files left behind"


@pytest.mark.policy("8.2")
def test_environment_keys_win_over_the_dev_key_file(tmp_path):
    settings_of(run_settings(tmp_path, PRINT_SETTINGS, DEBUG="1"))  # creates the dev file
    loaded = settings_of(run_settings(tmp_path, PRINT_SETTINGS, DEBUG="1", **GOOD))
    assert loaded["FIELD_ENCRYPTION_KEYS"] == {"k2": KEY_B, "k1": KEY_A}
    assert loaded["SECRET_KEY"] == GOOD["SECRET_KEY"]


def test_database_url_selects_postgresql(tmp_path):
    loaded = settings_of(
        run_settings(
            tmp_path, PRINT_SETTINGS, DEBUG="0", DATABASE_URL="postgres://records@db.internal:5432/homestart", **GOOD
        )
    )
    assert loaded["ENGINE"] == "django.db.backends.postgresql"
    assert loaded["NAME"] == "homestart"


def test_without_database_url_sqlite_is_used(tmp_path):
    loaded = settings_of(run_settings(tmp_path, PRINT_SETTINGS, DEBUG="0", **GOOD))
    assert loaded["ENGINE"] == "django.db.backends.sqlite3"


def test_postgresql_connections_run_without_the_jit_compiler(tmp_path):
    """PostgreSQL's JIT took 1.7 s compiling a family search that runs in 34 ms, and the
    planner's spinning-disk costs made the statistics page scan every visit in the
    country (docs/performance.md): the application's connections set both, unless
    DATABASE_OPTIONS says otherwise."""
    code = "import json, homestart.settings as s; print(json.dumps(s.DATABASES['default'].get('OPTIONS', {})))"
    pg = run_settings(tmp_path, code, DEBUG="0", DATABASE_URL="postgres://u@db.example:5432/homestart", **GOOD)
    assert settings_of(pg) == {"options": "-c jit=off -c random_page_cost=1.1 -c statement_timeout=20000"}
    tuned = run_settings(
        tmp_path,
        code,
        DEBUG="0",
        DATABASE_URL="postgres://u@db.example:5432/homestart",
        DATABASE_OPTIONS="-c jit=on",
        **GOOD,
    )
    assert settings_of(tuned) == {"options": "-c jit=on -c statement_timeout=20000"}
    sqlite = run_settings(tmp_path, code, DEBUG="0", **GOOD)
    assert settings_of(sqlite) == {}


def test_postgresql_statements_time_out_below_the_web_workers_timeout(tmp_path):
    """A slow statement is cancelled (20 s by default, DATABASE_STATEMENT_TIMEOUT) before
    gunicorn's 30 s would kill the worker and drop the connection; 0 means no limit."""
    code = "import json, homestart.settings as s; print(json.dumps(s.DATABASES['default'].get('OPTIONS', {})))"
    pg = {"DEBUG": "0", "DATABASE_URL": "postgres://u@db.example:5432/homestart", "DATABASE_OPTIONS": "-c jit=off"}
    assert settings_of(run_settings(tmp_path, code, DATABASE_STATEMENT_TIMEOUT="5", **pg, **GOOD)) == {
        "options": "-c jit=off -c statement_timeout=5000"
    }
    assert settings_of(run_settings(tmp_path, code, DATABASE_STATEMENT_TIMEOUT="0", **pg, **GOOD)) == {
        "options": "-c jit=off"
    }
    assert "DATABASE_STATEMENT_TIMEOUT" in improperly_configured(
        run_settings(tmp_path, code, DATABASE_STATEMENT_TIMEOUT="soon", **pg, **GOOD)
    )
    assert "DATABASE_STATEMENT_TIMEOUT" in improperly_configured(
        run_settings(tmp_path, code, DATABASE_STATEMENT_TIMEOUT="-1", **pg, **GOOD)
    )
    gunicorn: dict = {}
    exec((REPO / "gunicorn.conf.py").read_text(), gunicorn)
    assert gunicorn["timeout"] == 30 > 20
    manage = (REPO / "manage.py").read_text()
    assert 'os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "0")' in manage, "commands run without the limit"


def _manage(tmp_path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in DEPLOYMENT_VARIABLES and k != "DJANGO_SETTINGS_MODULE"}
    env.update(HOMESTART_DEV_KEYS_FILE=str(tmp_path / "dev-keys.json"), **extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


def test_a_checkout_with_nothing_configured_runs_the_developers_commands(tmp_path):
    """`manage.py check` and `makemigrations --check` work in a fresh checkout, as `make run` does."""
    for args in (["check"], ["makemigrations", "--check", "--dry-run"]):
        result = _manage(tmp_path, *args)
        assert result.returncode == 0, result.stdout + result.stderr


def test_an_installation_missing_a_secret_still_stops_with_its_name(tmp_path):
    """Anything configured means an installation: no silent development keys on its database (§8.2)."""
    result = _manage(tmp_path, "check", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode != 0 and "SECRET_KEY is not set" in result.stderr
