"""The demo on this Python, from nothing: migrate and seed a throwaway database, run Django's
system checks, serve it and fetch the sign-in page (``make demo-check``).

Everything lives in a temporary directory (database, development keys, key store), so the
developer's own demo (``db.sqlite3``, ``.local/``) is neither used nor changed. Exits
non-zero, saying which step failed, when any step fails.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
WAIT_SECONDS = 60
CONFIGURED = {
    "DJANGO_SETTINGS_MODULE",
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEYS",
    "BLIND_INDEX_KEY",
    "BACKUP_KEY",
    "KEY_STORE_DIR",
    "REDIS_URL",
}


def manage(env: dict[str, str], *args: str) -> None:
    print(f"==> manage.py {' '.join(args)}", flush=True)
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603 (our manage.py)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch_sign_in(url: str, server: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our own http://127.0.0.1)
                return response.read().decode()
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def main() -> int:
    print(f"Demo check on Python {sys.version.split()[0]} ({PYTHON})", flush=True)
    with tempfile.TemporaryDirectory(prefix="homestart-demo-check-") as tmp:
        # The development settings with the keys and key store created in `tmp`, whatever
        # the calling environment configures.
        env = {key: value for key, value in os.environ.items() if key not in CONFIGURED}
        env.update(
            DEBUG="1", DATABASE_URL=f"sqlite:///{tmp}/db.sqlite3", HOMESTART_DEV_KEYS_FILE=f"{tmp}/dev-keys.json"
        )
        manage(env, "migrate", "--verbosity", "0")
        manage(env, "seed_demo")
        manage(env, "check", "--fail-level", "WARNING")
        port = free_port()
        url = f"http://127.0.0.1:{port}/sign-in/"
        print(f"==> serving the demo, fetching {url}", flush=True)
        log = Path(tmp) / "server.log"
        with log.open("wb") as out:
            server = subprocess.Popen(  # noqa: S603 (this interpreter, our manage.py)
                [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            try:
                page = fetch_sign_in(url, server)
            except OSError as error:
                print(f"The sign-in page did not answer: {error}\n{log.read_text()}", file=sys.stderr)
                return 1
            finally:
                server.terminate()
                server.wait(timeout=30)
        if 'name="password"' not in page:
            print("The sign-in page has no password field.", file=sys.stderr)
            return 1
    print(f"Demo check passed on Python {sys.version.split()[0]}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
