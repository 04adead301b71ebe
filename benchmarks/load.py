"""Load test: `make load` (PostgreSQL, after `make bench` has filled the databases).

Serves the product with gunicorn (2 workers, the production configuration in
gunicorn.conf.py) on the benchmark database of the largest size, then runs locust
headless: 50 simulated people (coordinators and volunteers, 2:3) for 60 seconds.
Prints requests, failures, throughput and latency per kind of request and saves
them to benchmarks/load-results.json. Exit status 1 if any request failed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "load-results.json"
PASSWORD = "bench-load-password"  # noqa: S105 - benchmark accounts on a throwaway database


def plan(database: str) -> dict:
    """Give the measured coordinator and volunteer a password; list what each may open."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings_load"
    import django

    django.setup()
    from django.db import connection

    connection.settings_dict["NAME"] = database
    from families.models import Family, Member
    from families.selectors import families_assigned_to
    from homestart.models import User

    accounts = {}
    for role in ("coordinator", "volunteer"):
        user = User.objects.get(username=f"bench_{role}")
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        accounts[role] = user
    home = Family.objects.filter(scheme__code="BAAA")
    refs = list(home.order_by("number").values_list("reference", flat=True)[:500])
    members = [
        (ref, str(pk))
        for ref, pk in Member.objects.filter(family__scheme__code="BAAA", kind="adult")
        .order_by("family__number")
        .values_list("family__reference", "pk")[:500]
    ]
    mine = list(families_assigned_to(user=accounts["volunteer"]).values_list("reference", flat=True))
    return {
        "password": PASSWORD,
        "coordinator": {"username": "bench_coordinator", "families": refs, "members": members},
        "volunteer": {"username": "bench_volunteer", "families": mine},
    }


def wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own local server
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer at {url}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="homestart_bench_100000")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--locust", default=str(ROOT / ".venv-load" / "bin" / "locust"))
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="homestart-load-"))
    plan_file = work / "plan.json"
    plan_file.write_text(json.dumps(plan(args.database)))
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/homestart_bench").rsplit("/", 1)[0]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings_load",
        "DATABASE_URL": f"{base}/{args.database}",
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        "WEB_CONCURRENCY": "2",
        "BENCH_LOAD_PLAN": str(plan_file),
    }
    host = f"http://127.0.0.1:{args.port}"
    server_log = (work / "gunicorn.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "homestart.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until_up(f"{host}/sign-in/")
        print(f"gunicorn (2 workers) on {args.database}; locust: {args.users} people for {args.seconds}s", flush=True)
        subprocess.run(  # noqa: S603
            [
                args.locust,
                "-f",
                str(HERE / "locustfile.py"),
                "--headless",
                "--host",
                host,
                "-u",
                str(args.users),
                "-r",
                str(args.spawn_rate),
                "-t",
                f"{args.seconds}s",
                "--csv",
                str(work / "load"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            check=False,
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        server_log.close()
    rows = list(csv.DictReader((work / "load_stats.csv").open()))
    report = {
        "database": args.database,
        "users": args.users,
        "seconds": args.seconds,
        "workers": 2,
        "cpus": os.cpu_count(),
        "requests": [],
    }
    head = f"{'request':28} {'count':>6} {'fails':>5} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    print(head)
    print("-" * len(head))
    failures = 0
    for row in rows:
        entry = {
            "name": row["Name"],
            "count": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "rps": float(row["Requests/s"]),
            "p50_ms": float(row["50%"] or 0),
            "p95_ms": float(row["95%"] or 0),
            "p99_ms": float(row["99%"] or 0),
        }
        report["requests"].append(entry)
        if row["Name"] == "Aggregated":
            failures = entry["failures"]
        print(
            f"{entry['name'][:28]:28} {entry['count']:6d} {entry['failures']:5d} {entry['rps']:6.1f} "
            f"{entry['p50_ms']:7.0f} {entry['p95_ms']:7.0f} {entry['p99_ms']:7.0f}"
        )
    # A simulated person whose script broke (an exception in a task) is a failure too.
    exceptions = list(csv.DictReader((work / "load_exceptions.csv").open()))
    failures += sum(int(row["Count"]) for row in exceptions)
    report["script_errors"] = [row["Message"] for row in exceptions]
    if exceptions:
        print("\nErrors in the simulated people's scripts:\n" + (work / "load_exceptions.csv").read_text())
    failed = work / "load_failures.csv"
    if failures and failed.exists():
        print("\nFailures:\n" + failed.read_text())
    RESULTS.write_text(json.dumps(report, indent=2))
    print(f"\nSaved {RESULTS}; gunicorn's log: {work / 'gunicorn.log'}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
