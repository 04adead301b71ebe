""" "Who opened this file" with the access log at national scale: `make bench-access-log`.

A database of its own (``<DATABASE_URL name>_access_log``) with 1,000 families (the
benchmark's generator) and EVENTS access events (default 30 million) spread over the
seven years the retention schedule keeps the log (one every 2.2 seconds at 10⁸), in
monthly partitions as production keeps them (access_log/partitions.py). One event in a
hundred is about one of the 1,000 families (so each file has about a thousand events at
10⁸, as a busy family's file has after years); the rest are about other files, so that
the indexes are as large as a national log's. Then the page is requested through
Django's full stack for the first scheme's families, REPEAT times each (the first view
of each timed apart), and p50/p95 and statements are printed, with each of the page's
own statements about the log explained (months read, the catch-all or not, planning and
execution) and the load average.

At 10⁸ events the log is about 26 GB on disk and took 38 minutes to fill on the
two-core benchmark machine: ``ACCESS_LOG_ARGS="--events 100000000"`` (``--fill-only``
to fill without measuring, ``--measure-only`` to measure a filled database).
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
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from access_log import partitions  # noqa: E402
from families.models import Family  # noqa: E402
from homestart.rules import FileKind  # noqa: E402

from . import generate  # noqa: E402
from .run import QueryCounter, _keep_connection_and_query_log, _use_database, signed_in  # noqa: E402

RESULTS = Path(__file__).with_name("access-log-results.json")
# The events cover the seven years the retention schedule keeps of the access log (84 months,
# RecordKind.ACCESS_LOG): 10⁸ events are one every 2.2 seconds.
SPAN = datetime.timedelta(days=7 * 365)
# Event ids: from a base of their own, ascending with time (older events, smaller ids), so
# that the gate's events, drawn from the sequence afterwards, never meet them.
ID_BASE = 10_000_000_000
WORKERS = 2

FILL_MONTH = """
INSERT INTO {table}
  (id, at, user_id, role, file_kind, file_id, file_reference, scheme_id, section, action,
   purpose, outcome, reason, request_id)
SELECT %(base)s + %(events)s - g, %(anchor)s::timestamptz - (g * %(step)s) * interval '1 microsecond',
       %(user)s, 'coordinator', 'family',
       CASE WHEN g %% 100 = 0 THEN f.id ELSE md5(g::text)::uuid END,
       CASE WHEN g %% 100 = 0 THEN f.reference ELSE 'X' || g END, f.scheme_id,
       'file', 'view', 'casework', CASE WHEN g %% 50 = 1 THEN 'refused' ELSE 'allowed' END, '', ''
FROM generate_series(%(low)s::bigint, %(high)s::bigint) AS g
JOIN benchmark_families f ON f.n = (g / 100) %% %(families)s
"""


def _microseconds(moment: datetime.datetime | datetime.date) -> int:
    if not isinstance(moment, datetime.datetime):
        moment = datetime.datetime(moment.year, moment.month, moment.day, tzinfo=datetime.UTC)
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


def _fill_month(params: dict, partition: partitions.Partition, job: dict) -> int:
    """One month straight into its partition, detached, its indexes dropped during the
    insert and built afterwards, then attached again: an index built once over a month's
    rows is many times faster than one kept up row by row. Only the benchmark's own
    database: the session replicates (no triggers, no foreign-key checks; the rows are
    made here, valid by construction) and does not wait for its commits."""
    import psycopg

    anchor, step, events = job["anchor_us"], job["step"], job["events"]
    # g is an event's number back from the anchor: at = anchor - g * step, in [month, next month).
    low = max(1, (anchor - _microseconds(partition.ends)) // step + 1)
    high = min(events, (anchor - _microseconds(partition.month)) // step)
    if low > high:
        return 0
    name, parent = partition.name, partitions.PARENT
    with psycopg.connect(autocommit=True, **params) as conn, conn.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("SET max_parallel_maintenance_workers = 0")
        cursor.execute(
            "SELECT pg_get_indexdef(x.indexrelid), c.conname FROM pg_index x "
            "LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.contype = 'p' "
            "WHERE x.indrelid = %s::regclass",
            [name],
        )
        indexes = cursor.fetchall()
        cursor.execute(f"ALTER TABLE {parent} DETACH PARTITION {name}")
        for definition, constraint in indexes:
            if constraint:
                cursor.execute(f"ALTER TABLE {name} DROP CONSTRAINT {constraint}")
            else:
                index = definition.split(" INDEX ", 1)[1].split(" ON ", 1)[0]
                cursor.execute(f"DROP INDEX {index}")
        cursor.execute(
            FILL_MONTH.format(table=name),
            {**job, "anchor": job["anchor"], "low": low, "high": high, "base": ID_BASE},
        )
        filled = cursor.rowcount
        for definition, constraint in indexes:
            if constraint:
                columns = definition.split(" USING btree ", 1)[1]
                cursor.execute(f"ALTER TABLE {name} ADD CONSTRAINT {constraint} PRIMARY KEY {columns}")
            else:
                cursor.execute(definition)
        lower, upper = partitions._bound(partition.month), partitions._bound(partition.ends)
        cursor.execute(f"ALTER TABLE {parent} ATTACH PARTITION {name} FOR VALUES FROM ({lower}) TO ({upper})")
        cursor.execute(f"VACUUM (ANALYZE) {name}")
    return filled


def fill(events: int) -> None:
    import concurrent.futures

    started = time.perf_counter()
    world = generate.populate(families=1000, events=0)
    now = timezone.now()
    partitions.ensure_months(since=(now - SPAN).date())
    months = partitions.monthly_partitions()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE families_family SET created_at = %s", [now - SPAN - datetime.timedelta(days=1)])
        cursor.execute("DROP TABLE IF EXISTS benchmark_families")
        cursor.execute(
            "CREATE TABLE benchmark_families AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, reference, "
            "scheme_id FROM families_family"
        )
        cursor.execute("SELECT count(*) FROM benchmark_families")
        (families,) = cursor.fetchone()
        todo = []
        for partition in reversed(months):  # newest first: a fill cut short still has the recent years
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {partition.name})")  # noqa: S608
            if not cursor.fetchone()[0]:
                todo.append(partition)
    settings = connection.settings_dict
    params = {"dbname": settings["NAME"], "host": settings["HOST"], "port": settings["PORT"], "user": settings["USER"]}
    params = {k: v for k, v in params.items() if v}
    job = {
        "anchor": now,
        "anchor_us": _microseconds(now),
        "step": int(SPAN.total_seconds() * 1_000_000) // events,
        "events": events,
        "user": world["users"]["coordinator"].pk,
        "families": families,
    }
    print(f"  {len(todo)} of {len(months)} months to fill, one event every {job['step'] / 1e6:.2f} s", flush=True)
    done = 0
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        futures = {pool.submit(_fill_month, params, partition, job): partition for partition in todo}
        for future in concurrent.futures.as_completed(futures):
            done += future.result()
            print(
                f"  {futures[future].name}: {done:,} events so far ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE benchmark_families")
        cursor.execute(f"SELECT setval('{partitions.PARENT}_id_seq', max(id)) FROM {partitions.PARENT}")  # noqa: S608
    print(f"  filled in {time.perf_counter() - started:.0f} s", flush=True)


def measure(repeat: int) -> dict:
    from homestart.models import User

    coordinator = signed_in(User.objects.get(username="bench_coordinator"))
    home = Family.objects.filter(scheme__code="BAAA").order_by("number")[:20]
    times, first_views, statements = [], [], set()
    load_before = os.getloadavg()
    for family in home:
        url = f"/files/family/{family.reference}/access-log/"
        start = time.perf_counter()  # the first view: who the log names is not in the cache yet
        assert coordinator.get(url).status_code == 200
        first_views.append((time.perf_counter() - start) * 1000)
        for _ in range(2):
            assert coordinator.get(url).status_code == 200
        for _ in range(repeat):
            with QueryCounter() as queries:
                start = time.perf_counter()
                response = coordinator.get(url)
                times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
            statements.add(len(queries))
    load = [round(x, 1) for x in (*load_before, *os.getloadavg())]
    family = home[0]
    # The page's own statements about the log, as one request runs them, explained.
    with CaptureQueriesContext(connection) as captured:
        coordinator.get(f"/files/family/{family.reference}/access-log/")
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if "access_log_accessevent" not in sql or not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, SUMMARY ON) " + sql)
            lines = [row[0] for row in cursor.fetchall()]
            months = sorted({w for line in lines for w in line.split() if partitions.MONTH_NAME.match(w)})
            plans.append(
                {
                    "statement": sql[:160],
                    "months_read": len(months),
                    "catch_all_read": any(partitions.DEFAULT in line for line in lines),
                    "planning_ms": next(float(x.split()[2]) for x in lines if x.startswith("Planning Time")),
                    "execution_ms": next(float(x.split()[2]) for x in lines if x.startswith("Execution Time")),
                    "plan": lines,
                }
            )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM access_log_accessevent")
        total = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM access_log_accessevent WHERE file_kind = %s AND file_id = %s",
            [FileKind.FAMILY, family.pk],
        )
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
        "first_view_p50_ms": round(statistics.median(first_views), 1),
        "first_view_max_ms": round(max(first_views), 1),
        "load_average_before_and_after": load,
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "log_statements": [{k: v for k, v in p.items() if k != "plan"} for p in plans],
        "plans": [p["plan"] for p in plans],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=30_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--measure-only", action="store_true")
    parser.add_argument("--fill-only", action="store_true", help="fill (or finish filling) and stop")
    args = parser.parse_args(argv)
    setup_test_environment()
    _keep_connection_and_query_log()
    _use_database(f"{connection.settings_dict['NAME']}_access_log", fresh=args.fresh)
    if not args.measure_only:
        fill(args.events)
    if args.fill_only:
        return 0
    report = measure(args.repeat)
    for statement, lines in zip(report["log_statements"], report["plans"], strict=True):
        print("\n".join(lines))
        print(statement, "\n")
    print(
        f"\nwho opened this file: {report['access_events']:,} events in {report['months']} months "
        f"({report['on_disk']}), "
        f"{report['events_of_the_measured_file']} about the first measured file; {report['requests']} requests: "
        f"p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms, {report['statements']} statements; "
        f"first views p50 {report['first_view_p50_ms']} ms, max {report['first_view_max_ms']} ms; "
        f"load average {report['load_average_before_and_after']}"
    )
    RESULTS.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
