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
import http.cookiejar
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "load-results.json"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ONCE = re.compile(r'name="form_once" value="([^"]+)"')  # a create form's one-time token (homestart/once.py)
PASSWORD = "bench-load-password"  # noqa: S105 - benchmark accounts on a throwaway database
COORDINATORS = 25  # accounts for the simulated coordinators (20 of 50 people)


def plan(database: str) -> dict:
    """Give the measured coordinator and volunteer a password; list what each may open."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings_load"
    import django

    django.setup()
    from django.db import connection

    connection.settings_dict["NAME"] = database
    from families.models import Family, Member
    from families.selectors import families_assigned_to
    from homestart import services as people_services
    from homestart.models import Membership, User
    from homestart.rules import Role

    accounts = {}
    for role in ("coordinator", "volunteer"):
        user = User.objects.get(username=f"bench_{role}")
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        accounts[role] = user
    # Each simulated coordinator signs in as a person of their own, as a scheme's staff do:
    # the per-person limits (searches, homestart/ratelimit.py) then count one person's
    # searches, in Redis across every server. One password hash for all (Argon2 is slow
    # by design: hashing it once is enough).
    scheme = Membership.objects.current().filter(user=accounts["coordinator"]).first().scheme
    policy = people_services.policy_ensure_published()
    coordinators = []
    for n in range(COORDINATORS):
        user, created = User.objects.get_or_create(
            username=f"bench_coordinator{n}", defaults={"password": accounts["coordinator"].password}
        )
        if created:
            people_services.membership_grant_at_setup(user=user, scheme=scheme, role=Role.COORDINATOR)
            people_services.policy_acknowledge(user=user, version=policy)
        elif user.password != accounts["coordinator"].password:
            User.objects.filter(pk=user.pk).update(password=accounts["coordinator"].password)
        coordinators.append(user.username)
    # Someone to lock out in the cluster check, never used by the simulated people; an
    # earlier run's lockouts (30 minutes) are forgotten on this throwaway database.
    from axes.models import AccessAttempt, AccessFailureLog

    AccessAttempt.objects.all().delete()
    AccessFailureLog.objects.all().delete()
    lockout, _ = User.objects.get_or_create(username="bench_lockout")
    User.objects.filter(pk=lockout.pk).update(password=accounts["coordinator"].password)
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
        "coordinators": coordinators[:-2],
        "spare_coordinators": coordinators[-2:],  # for the cluster checks, never used by the simulated people
        "scheme": scheme.code,
        "scheme_id": scheme.pk,
        "lockout": "bench_lockout",
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


class _Browser:
    """One person's browser: its own cookies (shared by every server on 127.0.0.1), no redirects followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), self._NoRedirect
        )

    def send(self, url: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(url, body, timeout=120) as response:
                return response.status, response.read().decode(errors="replace"), ""
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), error.headers.get("Location", "")

    def sign_in(self, server: str, username: str, password: str) -> int:
        _, page, _ = self.send(f"{server}/sign-in/")
        token = TOKEN.search(page).group(1)
        status, _, _ = self.send(
            f"{server}/sign-in/", {"username": username, "password": password, "csrfmiddlewaretoken": token}
        )
        return status


def cluster_checks(servers: list[str], the_plan: dict) -> list[str]:
    """What a person's requests need, held whichever server answers: each asked of one server
    and checked on another (sessions and re-authentication in Redis, sign-in lockouts in
    PostgreSQL, per-person limits in Redis, one-time form tokens in PostgreSQL). Raises
    SystemExit on the first that is not."""
    a, b = servers[0], servers[1 % len(servers)]
    password = the_plan["password"]
    spare = the_plan["spare_coordinators"]
    done = []

    def expect(what: str, got: int, wanted: int) -> None:
        if got != wanted:
            raise SystemExit(f"cluster check failed: {what}: answered {got}, expected {wanted}")

    browser = _Browser()
    expect("sign in on the first server", browser.sign_in(a, spare[0], password), 302)
    expect("the family list on the second server, same session", browser.send(f"{b}/families/")[0], 200)
    done.append("a session started on one server is signed in on the other (sessions in Redis)")
    scheme = the_plan["scheme"]
    expect(
        "an export needing a recent sign-in, on the second server",
        browser.send(f"{b}/statistics/export.csv?scheme={scheme}")[0],
        200,
    )
    expect("the same export, signed out", _Browser().send(f"{b}/statistics/export.csv?scheme={scheme}")[0], 302)
    done.append("re-authentication (the time of the last sign-in, in the session) holds on the other server")

    guesser = _Browser()
    for n in range(5):
        wanted = 429 if n == 4 else 200  # the fifth failure locks the account (AXES_FAILURE_LIMIT)
        status = guesser.sign_in(servers[n % len(servers)], the_plan["lockout"], "wrong")
        expect(f"wrong password {n + 1}", status, wanted)
    for server in servers:
        expect(
            "the right password after five wrong ones", _Browser().sign_in(server, the_plan["lockout"], password), 429
        )
    done.append("five wrong passwords spread over the servers lock the account out on every server (PostgreSQL)")

    searcher = _Browser()
    expect("sign in", searcher.sign_in(a, spare[1], password), 302)
    limit = 60  # RATE_LIMITS["family_search"]
    token = TOKEN.search(searcher.send(f"{a}/search/")[1]).group(1)
    for n in range(limit):
        status = searcher.send(f"{servers[n % len(servers)]}/search/", {"q": "Nobody", "csrfmiddlewaretoken": token})[0]
        expect(f"search {n + 1} of {limit}", status, 200)
    expect(
        "one search more than the limit, on any server",
        searcher.send(f"{servers[limit % len(servers)]}/search/", {"q": "Nobody", "csrfmiddlewaretoken": token})[0],
        429,
    )
    done.append(f"the per-person search limit ({limit} in 10 minutes) counts every server's searches (Redis)")

    done.append(one_time_form_token(a, b, browser, the_plan, expect))
    return done


def one_time_form_token(a: str, b: str, browser: _Browser, the_plan: dict, expect: Callable) -> str:
    """The referral form, opened on one server and sent to it, then sent again with the same
    one-time token to the other server (a double click whose second request the proxy hands
    to the other server, or a retry after a dropped connection): one family is opened, and
    the second sending is answered as a repeat (redirected to the same file, "already
    sent"), not refused and not made twice (homestart/once.py; the token's row and its
    unique index are in PostgreSQL)."""
    form = browser.send(f"{a}/families/new/")[1]
    once = ONCE.search(form)
    if once is None:
        raise SystemExit("cluster check failed: the referral form carries no one-time token")
    surname = "Oncecheck" + "".join(chr(97 + int(d)) for d in str(time.time_ns())[-8:])
    today = time.strftime("%Y-%m-%d")
    data = {
        "csrfmiddlewaretoken": TOKEN.search(form).group(1),
        "form_once": once.group(1),
        "scheme": str(the_plan["scheme_id"]),
        "source": "health_visitor",
        "referred_on": today,
        "referrer_name": "Cluster Check",
        "reasons": "A referral sent twice to two servers (the load test's check)",
        "family_consented": "on",
        "first_name": "Alex",
        "last_name": surname,
        "postcode": "CH41 8BZ",
        "confirm": "yes",  # the answers were checked (the check-your-answers page)
    }
    status, _, opened = browser.send(f"{a}/families/new/", data)
    expect("the referral form sent to the first server", status, 302)
    status, _, again = browser.send(f"{b}/families/new/", data)
    expect("the same form and token sent again, to the second server", status, 302)
    if again != opened:
        raise SystemExit(f"cluster check failed: the repeat led to {again}, not to the file first opened ({opened})")
    status, page, _ = browser.send(f"{b}{again}")
    expect("the family file the repeat led to, on the second server", status, 200)
    if "had already been sent" not in page:
        raise SystemExit("cluster check failed: the repeat was not told that the form had already been sent")
    search = browser.send(f"{b}/search/")[1]
    status, found, _ = browser.send(
        f"{a}/search/", {"q": surname, "csrfmiddlewaretoken": TOKEN.search(search).group(1)}
    )
    expect("a search for the new family's surname", status, 200)
    if "1 family found" not in found:
        raise SystemExit(f"cluster check failed: the family sent twice was not opened exactly once ({surname})")
    return (
        f"the referral form sent with the same one-time token to one server and then the other opens one family "
        f"({opened.rstrip('/').rsplit('/', 1)[-1]}); the second is redirected to it as a repeat "
        "(homestart_formsubmission's unique index, PostgreSQL)"
    )


def _served_by(work: Path, servers: int) -> dict:
    """Requests each server answered, from its gunicorn access log."""
    counts = {}
    for n in range(1, servers + 1):
        log = work / f"gunicorn-{n}.log"
        counts[f"server {n}"] = sum(1 for line in log.open() if '" ' in line and "HTTP" not in line and "/" in line)
    return counts


def _start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover
            os.killpg(process.pid, signal.SIGKILL)


HAPROXY = """global
    maxconn 2000
defaults
    mode http
    option forwardfor
    timeout connect 5s
    timeout client 300s
    timeout server 300s
frontend web
    bind 127.0.0.1:{port}
    default_backend servers
backend servers
    # No stickiness: each request goes to the next server, so a person's requests
    # alternate between them and everything a request needs must be shared.
    balance roundrobin
    http-response set-header X-Served-By %[srv_name]
{servers}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="homestart_bench_100000")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--locust", default=str(ROOT / ".venv-load" / "bin" / "locust"))
    parser.add_argument(
        "--servers",
        type=int,
        default=0,
        help="N gunicorn servers (2 workers each) behind HAProxy, sharing PostgreSQL and a Redis of their own "
        "(make load-cluster); 0: one server, no proxy, no Redis (make load)",
    )
    parser.add_argument("--haproxy", default=shutil.which("haproxy") or "/usr/sbin/haproxy")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="homestart-load-"))
    plan_file = work / "plan.json"
    the_plan = plan(args.database)
    plan_file.write_text(json.dumps(the_plan))
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
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "homestart.wsgi"]
    processes: list[subprocess.Popen] = []
    servers = []
    try:
        if args.servers:
            redis_port = args.port + 100
            processes.append(
                _start(
                    [
                        "redis-server",
                        "--port",
                        str(redis_port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--dir",
                        str(work),
                    ],
                    env,
                    work / "redis.log",
                )
            )
            env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
            env["TRUSTED_PROXY_COUNT"] = "1"  # HAProxy's X-Forwarded-For
            for n in range(1, args.servers + 1):
                bind = f"127.0.0.1:{args.port + n}"
                processes.append(_start(gunicorn, {**env, "GUNICORN_BIND": bind}, work / f"gunicorn-{n}.log"))
                servers.append(f"http://{bind}")
            for server in servers:
                wait_until_up(f"{server}/sign-in/")
            lines = "\n".join(f"    server s{n} 127.0.0.1:{args.port + n} check" for n in range(1, args.servers + 1))
            (work / "haproxy.cfg").write_text(HAPROXY.format(port=args.port, servers=lines))
            processes.append(_start([args.haproxy, "-db", "-f", str(work / "haproxy.cfg")], env, work / "haproxy.log"))
            wait_until_up(f"{host}/sign-in/")
            checks = cluster_checks(servers, the_plan)
            print(f"{args.servers} gunicorn servers (2 workers each) behind HAProxy, one Redis, on {args.database}")
            for check in checks:
                print(f"  shared across servers: {check}")
        else:
            processes.append(_start(gunicorn, env, work / "gunicorn.log"))
            wait_until_up(f"{host}/sign-in/")
            print(f"gunicorn (2 workers) on {args.database}", flush=True)
        print(f"locust: {args.users} people for {args.seconds}s", flush=True)
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
        _stop(processes[::-1])
    rows = list(csv.DictReader((work / "load_stats.csv").open()))
    report = {
        "database": args.database,
        "users": args.users,
        "seconds": args.seconds,
        "servers": max(args.servers, 1),
        "behind_proxy": bool(args.servers),
        "workers_per_server": 2,
        "served_by": _served_by(work, args.servers),
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
    results = HERE / f"load-cluster-{args.servers}-results.json" if args.servers else RESULTS
    results.write_text(json.dumps(report, indent=2))
    if args.servers:
        print("requests answered per server: " + ", ".join(f"{k} {v}" for k, v in report["served_by"].items()))
    print(f"\nSaved {results}; the servers' logs are in {work}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
