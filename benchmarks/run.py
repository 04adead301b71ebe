"""Benchmarks at national scale: `make bench` (PostgreSQL).

For each size (10, 1,000, 100,000 families; 10 million access events at the
largest) a database of its own is filled (``<name>_<size>``, kept between runs
unless --fresh), then each measured page is requested through Django's full
stack (all middleware, the gate, the access event, decryption) and, in the same
run, the plain Django view over the same rows; p50/p95 and queries per request
are printed as a table and saved as JSON. docs/performance.md explains the
figures.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from access_log import gate  # noqa: E402
from families import services  # noqa: E402
from families.models import Family, Member  # noqa: E402
from homestart.concurrency import row_version  # noqa: E402
from homestart.rules import Section  # noqa: E402

from . import generate  # noqa: E402


def _keep_connection_and_query_log() -> None:
    """Outside a test case Django closes the connection after each request and empties
    the query log at the start of the next: keep both, so that queries can be counted
    and every page pays the same (no reconnect)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, reset_queries

    request_started.disconnect(reset_queries)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


RESULTS = Path(__file__).with_name("results.json")


class QueryCounter:
    """Counts the SQL statements run inside the block (connection.execute_wrapper)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self) -> QueryCounter:
        self._cm = connection.execute_wrapper(self)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._cm.__exit__(*exc)

    def __len__(self) -> int:
        return self.count


def measure(client: Client, url: str, plain: str, repeat: int) -> tuple[dict, dict]:
    """The page and its plain counterpart, requested in turn (interleaved), so that whatever
    else the machine is doing slows both alike and the ratio holds."""
    for target in (url, plain):
        for _ in range(3):
            response = client.get(target)
            assert response.status_code == 200, (target, response.status_code)
    counts = []
    for target in (url, plain):
        with QueryCounter() as queries:
            client.get(target)
        counts.append(len(queries))
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for side, target in enumerate((url, plain)):
            start = time.perf_counter()
            client.get(target)
            times[side].append((time.perf_counter() - start) * 1000)
    return _summary(times[0], counts[0]), _summary(times[1], counts[1])


def _summary(times: list[float], queries: int) -> dict:
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 2),
        "queries": queries,
    }


def measure_write(coordinator, member: Member, repeat: int) -> tuple[dict, dict]:
    """A tracked encrypted write (gate + access events + encryption + history), done in
    the service layer with no request, and a plain ``Model.save`` of one clear column."""
    family = member.family

    def tracked(i: int) -> None:
        access = gate.open_family(
            user=coordinator, reference=family.reference, section=Section.MEMBERS, for_change=True
        )
        with gate.changing(access, section=Section.MEMBERS):
            services.member_update(member=member, actor=coordinator, first_name=f"Name{i}")

    def plain(i: int) -> None:
        member.kind = Member.Kind.ADULT if i % 2 else Member.Kind.CHILD
        member.skip_history_when_saving = True
        Member.save(member, update_fields=["kind"])
        del member.skip_history_when_saving

    results = []
    for work in (tracked, plain):
        for i in range(3):
            work(i)
        with QueryCounter() as queries:
            work(99)
        times = []
        for i in range(repeat):
            start = time.perf_counter()
            work(i)
            times.append((time.perf_counter() - start) * 1000)
        results.append(_summary(times, len(queries)))
    return results[0], results[1]


def _posts(client: Client, sides, repeat: int) -> tuple[dict, dict]:
    """POSTs to the product and its plain counterpart, in turn (interleaved); each side's
    data is made outside the timing. Both answer with a redirect."""
    counts = []
    for url, data in sides:
        for i in range(3):
            response = client.post(url, data(i))
            assert response.status_code == 302, (url, response.status_code)
        payload = data(99)
        with QueryCounter() as queries:
            client.post(url, payload)
        counts.append(len(queries))
    times: tuple[list[float], list[float]] = ([], [])
    for i in range(repeat):
        for side, (url, data) in enumerate(sides):
            payload = data(i)
            start = time.perf_counter()
            response = client.post(url, payload)
            times[side].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 302, (url, response.status_code)
    return _summary(times[0], counts[0]), _summary(times[1], counts[1])


def measure_post(client: Client, member: Member, repeat: int) -> tuple[dict, dict]:
    """The same write as a person makes it: the member form POSTed through the full stack
    (gate, two access events, encryption, history, edit-conflict check), against a plain
    Django ModelForm POST that saves one clear column. Both answer with a redirect."""
    family = member.family
    product = f"/families/{family.reference}/members/{member.pk}/"
    plain = f"/bench/members/{member.pk}/"

    def tracked_data(i: int) -> dict:
        current = Member.objects.get(pk=member.pk)
        return {
            "kind": Member.Kind.ADULT,
            "first_name": f"Name{i}",
            "last_name": "Bench",
            "relationship": "",
            "version": row_version(current),
        }

    def plain_data(i: int) -> dict:
        return {"kind": Member.Kind.ADULT if i % 2 else Member.Kind.CHILD}

    # the data is read outside the timing: the form carries the version it was opened on
    return _posts(client, ((product, tracked_data), (plain, plain_data)), repeat)


def measure_create(client: Client, scheme, repeat: int) -> tuple[dict, dict]:
    """A family opened from a referral as a coordinator does it: the referral form POSTed
    through the full stack with its one-time token (the token is read from the form
    outside the timing), against a plain Django view creating the same rows (issue 18:
    compared with the 29–36 ms KoNote's create took on the same machine)."""
    import re

    product, plain = "/families/new/", f"/bench/families-new/?scheme={scheme.code}"

    def referral(i: int) -> dict:
        return {
            "scheme": str(scheme.pk),
            "source": "health_visitor",
            "referred_on": time.strftime("%Y-%m-%d"),
            "referrer_name": "Bench Referrer",
            "referrer_organisation": "Health visiting team",
            "referrer_contact": "0151 000 2222",
            "reasons": "Benchmark referral",
            "family_consented": "on",
            "first_name": "Alex",
            "last_name": f"Created{i}",
            "date_of_birth": "1994-02-11",
            "relationship": "mother",
            "address": "1 Bench Street",
            "postcode": "CH41 8BZ",
            "phone": "07700 900456",
            "confirm": "yes",  # the answers were checked (the check-your-answers page)
        }

    def product_data(i: int) -> dict:
        token = re.search(r'name="form_once" value="([^"]+)"', client.get(product).content.decode())
        return referral(i) | ({"form_once": token.group(1)} if token else {})

    return _posts(client, ((product, product_data), (plain, referral)), repeat)


def measure_create_service(coordinator, scheme, repeat: int) -> tuple[dict, dict]:
    """The family-creation service alone, as the referral form calls it (no request): the
    scheme's next number, the data key (written to the key store and synced before the
    commit, promoted after it), the family, carer and referral with their history rows, the
    staff group's grant and the creation access event, in one transaction; against the plain
    view's create of the same rows with no request either (``plain_views.plain_create``).
    Interleaved, as the pages are. KoNote's create took 29–36 ms on the same machine."""
    from .plain_views import plain_create

    def referral(i: int) -> dict:
        return {
            "source": "health_visitor",
            "referred_on": datetime.date.today(),
            "referrer_name": "Bench Referrer",
            "referrer_organisation": "Health visiting team",
            "referrer_contact": "0151 000 2222",
            "reasons": "Benchmark referral",
            "family_consented": True,
        }

    def product(i: int) -> None:
        services.family_create_from_referral(
            scheme=scheme,
            actor=coordinator,
            referral=referral(i),
            carer={
                "first_name": "Alex",
                "last_name": f"Service{i}",
                "date_of_birth": datetime.date(1994, 2, 11),
                "relationship": "mother",
            },
            address="1 Bench Street",
            postcode="CH41 8BZ",
            phone="07700 900456",
        )

    def plain(i: int) -> None:
        plain_create(
            scheme=scheme,
            user=coordinator,
            data={
                "first_name": "Alex",
                "last_name": f"Plain{i}",
                "referrer_name": "Bench Referrer",
                "reasons": "Benchmark referral",
                "postcode": "CH41 8BZ",
            },
        )

    counts = []
    for work in (product, plain):
        for i in range(3):
            work(i)
        with QueryCounter() as queries:
            work(99)
        counts.append(len(queries))
    times: tuple[list[float], list[float]] = ([], [])
    for i in range(repeat):
        for side, work in enumerate((product, plain)):
            start = time.perf_counter()
            work(i)
            times[side].append((time.perf_counter() - start) * 1000)
    return _summary(times[0], counts[0]), _summary(times[1], counts[1])


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def run_size(
    families: int, events: int, repeat: int, *, schemes: int = generate.NATIONAL_SCHEMES, skip: frozenset = frozenset()
) -> dict:
    where = "in one scheme" if schemes == 1 else f"over {schemes} schemes"
    print(f"\n== {families:,} families {where}, {events:,} access events ==", flush=True)
    world = generate.populate(families=families, events=events, schemes=schemes)
    users, review = world["users"], world["review"]
    home = world["schemes"][0]
    family = Family.objects.filter(scheme=home).order_by("number").first()
    coordinator, volunteer, reviewer = (signed_in(users[k]) for k in ("coordinator", "volunteer", "reviewer"))
    # The middle of the measured scheme's list: found by key in the product, by OFFSET in
    # the plain list (its Paginator), which reads and throws away every row before it.
    in_scheme = Family.objects.filter(scheme=home).count()
    middle = Family.objects.filter(scheme=home).order_by("-number")[max(0, in_scheme // 2 - 1)]
    middle_page = max(1, in_scheme // 2 // 25 + 1)
    pages = {
        "coordinator family list": (coordinator, "/families/", "/bench/families/"),
        "  same, middle page": (
            coordinator,
            f"/families/?show=open&after={middle.reference}&at={in_scheme // 2 + 1}",
            f"/bench/families/?page={middle_page}",
        ),
        "open a family file": (coordinator, f"/families/{family.reference}/", f"/bench/families/{family.reference}/"),
        "volunteer's families": (volunteer, "/my-families/", "/bench/my-families/"),
        "reviewer's sample": (reviewer, f"/reviews/{review.pk}/", f"/bench/reviews/{review.pk}/"),
        "statistics page": (coordinator, f"/statistics/?scheme={home.code}", f"/bench/statistics/?scheme={home.code}"),
        "who opened this file": (
            coordinator,
            f"/files/family/{family.reference}/access-log/",
            f"/bench/access-log/{family.reference}/",
        ),
    }
    rows = {}
    for name, (client, guarded, plain) in pages.items():
        if name.strip() not in skip:
            rows[name] = _row(*measure(client, guarded, plain, repeat))
    member = family.members.order_by("created_at", "id").first()
    if "tracked encrypted write" not in skip:
        rows["tracked encrypted write"] = _row(*measure_post(coordinator, member, repeat))
        rows["  same, service layer only"] = _row(*measure_write(users["coordinator"], member, repeat))
    if "family from a referral" not in skip:
        rows["family from a referral"] = _row(*measure_create(coordinator, home, repeat))
        rows["  same, creation service alone"] = _row(*measure_create_service(users["coordinator"], home, repeat))
    _print(families, rows)
    return {"families": families, "schemes": schemes, "access_events": _count_events(), "pages": rows}


def _row(guarded: dict, plain: dict) -> dict:
    """The page, its plain counterpart, their ratio, and the machine's load average (1, 5 and
    15 minutes) when the measurement ended: on a shared machine the figures mean little without it."""
    return {
        "guarded": guarded,
        "plain": plain,
        "ratio_p50": round(guarded["p50_ms"] / plain["p50_ms"], 2),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _count_events() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM access_log_accessevent")
        return cursor.fetchone()[0]


def _print(families: int, rows: dict) -> None:
    head = (
        f"{'page':28} {'p50 ms':>8} {'p95 ms':>8} {'queries':>7} | {'plain p50':>9} {'plain p95':>9} {'plain q':>7} "
        f"| {'ratio':>5} | load average"
    )
    print(head)
    print("-" * len(head))
    for name, r in rows.items():
        g, p = r["guarded"], r["plain"]
        print(
            f"{name:28} {g['p50_ms']:8.2f} {g['p95_ms']:8.2f} {g['queries']:7d} | "
            f"{p['p50_ms']:9.2f} {p['p95_ms']:9.2f} {p['queries']:7d} | {r['ratio_p50']:5.2f} | "
            + " ".join(f"{x:.1f}" for x in r["load_average"])
        )
    if "family from a referral" in rows:
        post, alone = rows["family from a referral"]["guarded"], rows["  same, creation service alone"]["guarded"]
        print(
            f"creation: the referral POST p50 {post['p50_ms']:.1f} / p95 {post['p95_ms']:.1f} ms, the service alone "
            f"p50 {alone['p50_ms']:.1f} / p95 {alone['p95_ms']:.1f} ms; KoNote's create: 29–36 ms on a quiet machine"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sizes", default="10,1000,100000", help="numbers of families spread over 100 schemes (the national spread)"
    )
    parser.add_argument(
        "--one-scheme",
        default="1000,10000,100000",
        help="numbers of families all in the measured scheme (a large scheme); empty for none",
    )
    parser.add_argument("--events", type=int, default=10_000_000, help="access events at the largest size")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--skip", default="", help="pages not to measure, comma-separated (e.g. 'statistics page')")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the benchmark databases first")
    parser.add_argument("--generate-only", action="store_true", help="fill the databases, measure nothing")
    args = parser.parse_args(argv)
    setup_test_environment()
    _keep_connection_and_query_log()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    one_scheme = [int(s) for s in args.one_scheme.split(",") if s]
    base = connection.settings_dict["NAME"]
    if args.fresh:  # the databases are dropped: so are their keys
        import shutil

        from django.conf import settings

        shutil.rmtree(settings.KEY_STORE_DIR, ignore_errors=True)
    runs = []
    # The national spread (100 schemes; the access events at the largest size), then one
    # large scheme at each size: the size a coordinator's list and search feel (issue 18).
    plan = [(n, args.events if n == sizes[-1] else 0, generate.NATIONAL_SCHEMES, f"{base}_{n}") for n in sizes]
    plan += [(n, 0, 1, f"{base}_s{n}") for n in one_scheme]
    for n, events, schemes, name in plan:
        _use_database(name, fresh=args.fresh)
        if args.generate_only:
            print(f"\n== {n:,} families in {schemes} scheme(s), {events:,} access events: generating ==", flush=True)
            generate.populate(families=n, events=events, schemes=schemes)
            continue
        skip = frozenset(p.strip() for p in args.skip.split(",") if p.strip())
        runs.append(run_size(n, events, args.repeat, schemes=schemes, skip=skip))
    if args.generate_only:
        return 0
    report = {
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "database": f"{connection.vendor} {connection.pg_version}",
        },
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "repeat": args.repeat,
        "runs": runs,
    }
    RESULTS.write_text(json.dumps(report, indent=2))
    print(f"\nSaved {RESULTS}")
    return 0


def _use_database(name: str, *, fresh: bool) -> None:
    """Point the default connection at ``name``, creating it (and migrating) if needed."""
    import psycopg

    connection.close()
    params = {
        k: v
        for k, v in {
            "host": connection.settings_dict["HOST"],
            "port": connection.settings_dict["PORT"],
            "user": connection.settings_dict["USER"],
        }.items()
        if v
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn, conn.cursor() as cursor:
        if fresh:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.settings_dict["NAME"] = name
    call_command("migrate", verbosity=0)


if __name__ == "__main__":
    raise SystemExit(main())
