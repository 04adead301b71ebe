""" "Who opened this file" with the access log at national scale: `make bench-access-log`.

A database of its own (``<DATABASE_URL name>_access_log``) with 1,000 families (the
benchmark's generator) and EVENTS access events (default 30 million) spread over the
years before today at one every 9 seconds, in monthly partitions as production keeps
them (access_log/partitions.py). One event in a hundred is about one of the 1,000
families (so each file has a few hundred events, as a busy family's file has after
years); the rest are about other files, so that the indexes are as large as a national
log's. Then the page is requested through Django's full stack for 20 families, REPEAT
times each, and p50/p95 and statements are printed, with the query plan of the page's
events (partition pruning, then each month's index).

At 10⁸ events the log is about 25 GB on disk and takes hours to fill on the benchmark
machine; `--events 100000000` does it where the disk and time allow.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from access_log import partitions, selectors  # noqa: E402
from families.models import Family  # noqa: E402
from homestart.rules import FileKind  # noqa: E402

from . import generate  # noqa: E402
from .run import QueryCounter, _keep_connection_and_query_log, _use_database, signed_in  # noqa: E402

RESULTS = Path(__file__).with_name("access-log-results.json")
SPACING_SECONDS = 9


def fill(events: int) -> None:
    started = time.perf_counter()
    world = generate.populate(families=1000, events=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM access_log_accessevent")
        have = cursor.fetchone()[0]
    span = datetime.timedelta(seconds=SPACING_SECONDS * events)
    partitions.ensure_months(since=(timezone.now() - span).date())
    with connection.cursor() as cursor:
        cursor.execute("UPDATE families_family SET created_at = now() - %s - interval '1 day'", [span])
        cursor.execute(
            "CREATE TEMP TABLE bench_fam AS SELECT row_number() OVER () - 1 AS n, id, reference, scheme_id "
            "FROM families_family"
        )
        cursor.execute("SELECT count(*) FROM bench_fam")
        (fams,) = cursor.fetchone()
        user = world["users"]["coordinator"].pk
        step = 1_000_000
        for offset in range(have, events, step):
            n = min(step, events - offset)
            cursor.execute(
                """
                INSERT INTO access_log_accessevent
                  (at, user_id, role, file_kind, file_id, file_reference, scheme_id, section, action,
                   purpose, outcome, reason, request_id)
                SELECT now() - (g * interval '9 seconds'), %s, 'coordinator', 'family',
                       CASE WHEN g %% 100 = 0 THEN f.id ELSE md5(g::text)::uuid END,
                       CASE WHEN g %% 100 = 0 THEN f.reference ELSE 'X' || g END, f.scheme_id,
                       'file', 'view', 'casework', CASE WHEN g %% 50 = 1 THEN 'refused' ELSE 'allowed' END, '', ''
                FROM generate_series(%s, %s) AS g
                JOIN bench_fam f ON f.n = (g / 100) %% %s
                """,
                [user, offset + 1, offset + n, fams],
            )
            print(f"  {offset + n:,} access events ({time.perf_counter() - started:.0f} s)", flush=True)
        cursor.execute("DROP TABLE bench_fam")
        cursor.execute("ANALYZE access_log_accessevent")


def measure(repeat: int) -> dict:
    from homestart.models import User

    coordinator = signed_in(User.objects.get(username="bench_coordinator"))
    home = Family.objects.filter(scheme__code="BAAA").order_by("number")[:20]
    times, statements = [], set()
    for family in home:
        url = f"/files/family/{family.reference}/access-log/"
        for _ in range(3):
            assert coordinator.get(url).status_code == 200
        for _ in range(repeat):
            with QueryCounter() as queries:
                start = time.perf_counter()
                response = coordinator.get(url)
                times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
            statements.add(len(queries))
    family = home[0]
    events = selectors.file_events(kind=FileKind.FAMILY, file_id=family.pk, since=family.created_at)
    sql, params = events[:50].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, SUMMARY ON) " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT count(*) FROM access_log_accessevent")
        total = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM access_log_accessevent WHERE file_id = %s", [family.pk])
        per_file = cursor.fetchone()[0]
        cursor.execute(
            "SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits "
            "WHERE inhparent = 'access_log_accessevent'::regclass"
        )
        size = cursor.fetchone()[0]
    times.sort()
    return {
        "access_events": total,
        "months": len(partitions.monthly_partitions()),
        "on_disk": size,
        "events_of_the_measured_file": per_file,
        "requests": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
        "statements": sorted(statements),
        "plan": plan,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=30_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--measure-only", action="store_true")
    args = parser.parse_args(argv)
    setup_test_environment()
    _keep_connection_and_query_log()
    _use_database(f"{connection.settings_dict['NAME']}_access_log", fresh=args.fresh)
    if not args.measure_only:
        fill(args.events)
    report = measure(args.repeat)
    print("\n".join(report["plan"]))
    print(
        f"\nwho opened this file: {report['access_events']:,} events in {report['months']} months "
        f"({report['on_disk']}), "
        f"{report['events_of_the_measured_file']} about the first measured file; {report['requests']} requests: "
        f"p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms, {report['statements']} statements"
    )
    RESULTS.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
