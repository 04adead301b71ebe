"""The access log at national scale: one PostgreSQL partition per month (§9.1, §8.8).

A national installation writes tens of millions of access events a year. On PostgreSQL
``access_log_accessevent`` is a table partitioned by range of ``at``, one partition per
calendar month (``access_log_accessevent_p202612``) and a catch-all partition
(``access_log_accessevent_default``) so that an event is never refused for want of a
partition. Its primary key is ``(id, at)``: PostgreSQL requires the partition key in
every unique constraint; ``id`` still comes from one sequence, so it stays unique.

* "Who opened this file" reads one file's events a window of months at a time, newest
  first, both bounds given (access_log/file_log.py): the planner keeps only the window's
  months (partition pruning; the catch-all too stays out) and reads each one's
  ``access_file_at`` index, in the page's order.
* A month whose retention period has ended (``RecordKind.ACCESS_LOG`` in the retention
  schedule) is detached, optionally archived, and dropped as a whole by the access
  log's retention run (``records/retention/access_log.py``), instead of deleting rows
  one by one from a table that refuses deletes.

Creating, detaching and dropping partitions is DDL: the owner of the tables does it
(``manage.py access_log_partitions``, docs/security.md "Two database roles"); the
application's role only reads and appends through the parent table, which has the
append-only trigger, and has no privilege on the partitions themselves.

On SQLite nothing here applies: the table is an ordinary table.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from typing import Any

from django.db import connection as default_connection
from django.utils import timezone

PARENT = "access_log_accessevent"
DEFAULT = f"{PARENT}_default"
MONTH_NAME = re.compile(rf"^{PARENT}_p(\d{{4}})(\d{{2}})$")
# Months created ahead of the current one; the run keeps this many ready.
MONTHS_AHEAD = 3


@dataclasses.dataclass(frozen=True)
class Partition:
    name: str
    month: datetime.date  # the first day of the month it holds

    @property
    def ends(self) -> datetime.date:
        """The first day after the month."""
        return next_month(self.month)


def month_of(day: datetime.date | datetime.datetime) -> datetime.date:
    return datetime.date(day.year, day.month, 1)


def next_month(month: datetime.date) -> datetime.date:
    return datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def partition_name(month: datetime.date) -> str:
    return f"{PARENT}_p{month.year:04d}{month.month:02d}"


def _bound(day: datetime.date) -> str:
    """A month boundary as a timestamptz literal, midnight UTC (``at`` is stored in UTC)."""
    return f"'{day.isoformat()} 00:00:00+00'"


def is_partitioned(connection: Any = default_connection) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [PARENT])
        row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def monthly_partitions(connection: Any = default_connection) -> list[Partition]:
    """The monthly partitions attached to the access log, oldest first (not the catch-all)."""
    if not is_partitioned(connection):
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(%s)",
            [PARENT],
        )
        names = [row[0] for row in cursor.fetchall()]
    found = []
    for name in names:
        match = MONTH_NAME.match(name)
        if match:
            found.append(Partition(name, datetime.date(int(match[1]), int(match[2]), 1)))
    return sorted(found, key=lambda p: p.month)


def may_manage(connection: Any = default_connection) -> bool:
    """True when this connection may create and drop partitions (it owns the table)."""
    if not is_partitioned(connection):
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class WHERE oid = to_regclass(%s)", [PARENT]
        )
        return bool(cursor.fetchone()[0])


def _revoke_direct_access(cursor, name: str) -> None:
    """Nobody but the owner touches a partition directly: the application reads and
    appends through the parent (whose privileges and trigger apply). The owner's default
    privileges would otherwise give the application's role UPDATE and DELETE here."""
    cursor.execute(
        "SELECT DISTINCT grantee FROM information_schema.table_privileges "
        "WHERE table_schema = current_schema() AND table_name = %s AND grantee <> current_user",
        [name],
    )
    for (grantee,) in cursor.fetchall():
        role = "PUBLIC" if grantee == "PUBLIC" else default_connection.ops.quote_name(grantee)
        cursor.execute(f"REVOKE ALL ON {name} FROM {role}")


def create_month(month: datetime.date, connection: Any = default_connection) -> int:
    """Attach the partition for ``month`` if missing; returns how many events were moved
    into it from the catch-all partition (events written before it existed)."""
    name = partition_name(month)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if cursor.fetchone()[0]:
            return 0
        lower, upper = _bound(month), _bound(next_month(month))
        cursor.execute(f"SELECT count(*) FROM {DEFAULT} WHERE at >= {lower} AND at < {upper}")  # noqa: S608
        waiting = cursor.fetchone()[0]
        if not waiting:
            cursor.execute(f"CREATE TABLE {name} PARTITION OF {PARENT} FOR VALUES FROM ({lower}) TO ({upper})")
            _revoke_direct_access(cursor, name)
            return 0
        # PostgreSQL refuses a partition whose rows sit in the catch-all. The catch-all is
        # replaced by a new one and its events go back in through the parent, each into
        # its month: moved, none lost (counted), none rewritten.
        cursor.execute(f"SELECT count(*) FROM {DEFAULT}")  # noqa: S608
        total = cursor.fetchone()[0]
        old = f"{DEFAULT}_moving"
        cursor.execute(f"ALTER TABLE {PARENT} DETACH PARTITION {DEFAULT}")
        cursor.execute(f"ALTER TABLE {DEFAULT} RENAME TO {old}")
        cursor.execute(f"CREATE TABLE {DEFAULT} PARTITION OF {PARENT} DEFAULT")
        _revoke_direct_access(cursor, DEFAULT)
        cursor.execute(f"CREATE TABLE {name} PARTITION OF {PARENT} FOR VALUES FROM ({lower}) TO ({upper})")
        _revoke_direct_access(cursor, name)
        cursor.execute(f"INSERT INTO {PARENT} SELECT * FROM {old}")  # noqa: S608
        if cursor.rowcount != total:  # pragma: no cover - a guard, not a path
            raise RuntimeError(f"moved {cursor.rowcount} of {total} events out of the catch-all partition")
        cursor.execute(f"DROP TABLE {old}")
        return waiting


def ensure_months(
    *,
    since: datetime.date | None = None,
    ahead: int = MONTHS_AHEAD,
    today: datetime.date | None = None,
    connection: Any = default_connection,
) -> list[tuple[datetime.date, int]]:
    """Create the partitions from ``since`` (default: this month) to ``ahead`` months after
    this one; returns (month, events moved in) for each partition created."""
    if not is_partitioned(connection):
        return []  # SQLite: an ordinary table
    today = today or timezone.localdate()
    month = month_of(since or today)
    last = add_months(month_of(today), ahead)
    existing = {p.month for p in monthly_partitions(connection)}
    created = []
    while month <= last:
        if month not in existing:
            created.append((month, create_month(month, connection)))
        month = next_month(month)
    return created


def count_rows(partition: Partition, connection: Any = default_connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {partition.name}")  # noqa: S608
        return cursor.fetchone()[0]


def detach(partition: Partition, connection: Any = default_connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {PARENT} DETACH PARTITION {partition.name}")


def copy_out(partition: Partition, stream, connection: Any = default_connection) -> None:
    """Write a (detached) partition's events to ``stream`` as CSV with a header line."""
    query = f"COPY (SELECT * FROM {partition.name} ORDER BY at, id) TO STDOUT WITH (FORMAT csv, HEADER)"  # noqa: S608
    with connection.cursor() as cursor, cursor.copy(query) as copy:
        for data in copy:
            stream.write(bytes(data))


def drop(partition: Partition, connection: Any = default_connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {partition.name}")
