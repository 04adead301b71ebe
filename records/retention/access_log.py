"""The access log's retention run: months created ahead, months past their period dropped
whole, and each act on record (§8.8, §9.1; access_log/partitions.py).

The access log has its own period in the retention schedule (``RecordKind.ACCESS_LOG``,
default 7 years, a ``RetentionRule`` overrides it). A month is past its period once its
last event is older than the period. Such a month is detached from the log, archived to
a file when an archive folder is given (CSV, gzip, its SHA-256 on record), and dropped.
A month that overlaps a legal hold on the access log (``AccessLogHold``) is kept, and that
it was kept is recorded too; asking for a month still within its period is refused and
recorded. Every act goes into ``AccessLogRetentionRecord``, a register.

This is DDL: it runs as the owner of the tables (``manage.py access_log_retention``, or
``run_retention`` when it is run as the owner). On SQLite there are no months to drop.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import os
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from access_log import partitions
from access_log.partitions import Partition
from homestart.models import User
from records.models import AccessLogAct, AccessLogHold, AccessLogRetentionRecord, RecordKind
from records.retention import periods


def kept_until(month: datetime.date) -> datetime.date:
    """The first day on which the month's events are all older than the access log's period."""
    return partitions.add_months(partitions.next_month(month), 12 * periods.retention_years(RecordKind.ACCESS_LOG))


def hold_over(month: datetime.date) -> AccessLogHold | None:
    return (
        AccessLogHold.objects.filter(
            released_at__isnull=True, starts_on__lt=partitions.next_month(month), ends_on__gte=month
        )
        .order_by("placed_at")
        .first()
    )


def _record(actor: User, act: str, partition: Partition, **fields) -> AccessLogRetentionRecord:
    return AccessLogRetentionRecord.objects.create(
        actor=actor, act=act, month=partition.month, partition=partition.name, **fields
    )


def create_ahead(*, actor: User, today: datetime.date | None = None) -> list[AccessLogRetentionRecord]:
    """The months up to ``partitions.MONTHS_AHEAD`` after this one, each created and recorded."""
    done = []
    with transaction.atomic():
        for month, moved in partitions.ensure_months(today=today):
            note = f"{moved} event(s) moved in from the catch-all partition" if moved else ""
            partition = Partition(partitions.partition_name(month), month)
            done.append(_record(actor, AccessLogAct.CREATED, partition, events=moved, note=note))
    return done


def _archive(partition: Partition, folder: Path) -> tuple[str, str]:
    """Write the detached month to ``folder`` (gzip CSV); returns its path and SHA-256."""
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{partition.name}.csv.gz"
    partial = final.with_suffix(".gz.partial")
    with partial.open("wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as zipped:
            partitions.copy_out(partition, zipped)
        raw.flush()
        os.fsync(raw.fileno())
    partial.replace(final)
    digest = hashlib.sha256(final.read_bytes()).hexdigest()
    return str(final), digest


def retire_month(
    *, month: datetime.date, actor: User, archive_to: Path | None = None, today: datetime.date | None = None
) -> list[AccessLogRetentionRecord]:
    """Drop one month of the access log if its period has ended and no legal hold covers it;
    otherwise keep it. Either way, what was done is recorded and returned."""
    today = today or timezone.localdate()
    month = partitions.month_of(month)
    partition = {p.month: p for p in partitions.monthly_partitions()}.get(month)
    if partition is None:
        return []
    until = kept_until(month)
    if today < until:
        note = f"kept until {until:%-d %B %Y} ({periods.retention_years(RecordKind.ACCESS_LOG)} years)"
        return [_record(actor, AccessLogAct.REFUSED_WITHIN_PERIOD, partition, note=note)]
    hold = hold_over(month)
    if hold is not None:
        return [_record(actor, AccessLogAct.KEPT_ON_HOLD, partition, note=str(hold)[:300])]
    done = []
    with transaction.atomic():
        events = partitions.count_rows(partition)
        partitions.detach(partition)
        done.append(_record(actor, AccessLogAct.DETACHED, partition, events=events))
        if archive_to is not None:
            path, digest = _archive(partition, archive_to)
            done.append(_record(actor, AccessLogAct.ARCHIVED, partition, events=events, archive=path, sha256=digest))
        partitions.drop(partition)
        done.append(_record(actor, AccessLogAct.DROPPED, partition, events=events))
    return done


def run(
    *, actor: User, archive_to: Path | None = None, today: datetime.date | None = None
) -> list[AccessLogRetentionRecord]:
    """The access log's part of the retention run: months created ahead, then every month past
    its period dropped (or kept under a hold), oldest first."""
    today = today or timezone.localdate()
    done = create_ahead(actor=actor, today=today)
    for partition in partitions.monthly_partitions():
        if kept_until(partition.month) <= today:
            done += retire_month(month=partition.month, actor=actor, archive_to=archive_to, today=today)
    return done
