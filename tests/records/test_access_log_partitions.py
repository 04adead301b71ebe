"""The access log by month on PostgreSQL (access_log/partitions.py) and its own retention
period (records/retention/access_log.py): events go to their month, "who opened this file"
reads only the months since the file was made, a month past its period is detached,
archived and dropped, a month under a legal hold or within its period is kept, and each
act is recorded in a register (§8.8, §9.1).

PostgreSQL only (skipped on SQLite, where the log is an ordinary table). Creating and
dropping months is the owner's work: those tests ask for ``database_owner``."""

from __future__ import annotations

import datetime
import gzip
import hashlib
import io
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from access_log import partitions, selectors
from homestart.rules import Action, FileKind, Outcome, Purpose, Section
from records.models import AccessLogAct, AccessLogHold, AccessLogRetentionRecord, RecordKind, RetentionRule
from records.retention import access_log
from tests.conftest import TEST_APP_ROLE
from tests.factories import make_family

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL: the access log partitioned by month"),
    pytest.mark.policy("9.1", "8.8"),
]

OLD_MONTH = datetime.date(2015, 3, 1)
TODAY = timezone.localdate()


def _sql(query: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def _old_event(at: datetime.datetime, user, scheme, file_id=None) -> None:
    """An event from years ago, as an imported or long-running installation holds: written
    by the owner straight into the table (the gate only ever writes 'now')."""
    _sql(
        "INSERT INTO access_log_accessevent (at, role, file_kind, file_id, file_reference, section, action, purpose, "
        "outcome, reason, request_id, scheme_id, user_id) VALUES (%s, '', %s, %s, 'WIR-OLD', %s, %s, %s, %s, '', '', "
        "%s, %s)",
        [
            at,
            FileKind.FAMILY,
            file_id or uuid.uuid4(),
            Section.FILE,
            Action.VIEW,
            Purpose.CASEWORK,
            Outcome.ALLOWED,
            scheme.pk,
            user.pk,
        ],
    )
    # Checked now, as if written in an earlier transaction: a table with pending checks cannot be dropped.
    _sql("SET CONSTRAINTS ALL IMMEDIATE")


def _partition_of(event_id: int) -> str:
    return _sql("SELECT tableoid::regclass::text FROM access_log_accessevent WHERE id = %s", [event_id])[0][0]


def _exists(name: str) -> bool:
    return _sql("SELECT to_regclass(%s) IS NOT NULL", [name])[0][0]


def test_the_access_log_is_partitioned_by_month_with_months_ready_ahead(db):
    assert partitions.is_partitioned()
    months = [p.month for p in partitions.monthly_partitions()]
    this_month = partitions.month_of(TODAY)
    assert this_month in months
    assert partitions.add_months(this_month, partitions.MONTHS_AHEAD) in months
    assert _exists(partitions.DEFAULT), "a catch-all month, so that no event is ever refused for want of one"
    assert _sql(
        "SELECT array_agg(a.attname ORDER BY a.attnum) FROM pg_index x JOIN pg_attribute a "
        "ON a.attrelid = x.indrelid AND a.attnum = ANY(x.indkey) "
        "WHERE x.indrelid = 'access_log_accessevent'::regclass AND x.indisprimary"
    )[0][0] == ["id", "at"]


def test_an_opening_goes_to_its_months_partition_and_the_page_reads_only_months_since_the_file(
    wirral, coordinator, client_for
):
    family = make_family(wirral, coordinator)
    response = client_for(coordinator).get(reverse("families:detail", args=[family.reference]))
    assert response.status_code == 200
    event = selectors.file_events(kind=FileKind.FAMILY, file_id=family.pk).first()
    assert _partition_of(event.id) == partitions.partition_name(partitions.month_of(event.at))

    _sql("SET LOCAL enable_seqscan = off")  # a few rows here; at scale the planner chooses the index itself
    plan = _plan(selectors.file_events(kind=FileKind.FAMILY, file_id=family.pk, since=family.created_at))
    assert partitions.partition_name(partitions.month_of(timezone.now())) in plan
    assert partitions.DEFAULT in plan  # the catch-all may hold any date
    first = partitions.month_of(family.created_at - datetime.timedelta(days=1))
    assert all(p.month >= first for p in partitions.monthly_partitions() if p.name in plan)
    assert "Index" in plan and "file_kind" in plan, plan


def _plan(events) -> str:
    sql, params = events.query.sql_with_params()
    return "\n".join(row[0] for row in _sql("EXPLAIN " + sql, params))


def test_months_before_the_file_are_pruned_from_the_plan(database_owner, wirral, coordinator):
    partitions.ensure_months(since=OLD_MONTH)  # years of months, as a long-running installation has
    family = make_family(wirral, coordinator)
    since_the_file = _plan(selectors.file_events(kind=FileKind.FAMILY, file_id=family.pk, since=family.created_at))
    assert partitions.partition_name(OLD_MONTH) not in since_the_file
    assert partitions.partition_name(partitions.month_of(timezone.now())) in since_the_file
    every_month = _plan(selectors.file_events(kind=FileKind.FAMILY, file_id=family.pk))
    assert partitions.partition_name(OLD_MONTH) in every_month


def _months_read(queries) -> set[str]:
    """The partitions in the plans of the access-log statements a block ran."""
    names: set[str] = set()
    for query in queries:
        if "access_log_accessevent" in query["sql"]:
            plan = "\n".join(row[0] for row in _sql("EXPLAIN " + query["sql"]))
            names.update(word for word in plan.split() if word.startswith("access_log_accessevent_"))
    return {name for name in names if name == partitions.DEFAULT or partitions.MONTH_NAME.match(name)}


def test_the_first_page_of_a_file_opened_for_years_reads_only_its_newest_months(database_owner, wirral, coordinator):
    """At national scale (issue 18.4) the page's cost is planning and starting a scan in every
    month the file has existed. Its first page reads a window of months, newest first, until
    it holds a page of visits: not the months before, and not the catch-all partition."""
    from django.test.utils import CaptureQueriesContext

    from access_log import file_log

    partitions.ensure_months(since=OLD_MONTH)  # years of months, as a long-running installation has
    family = make_family(wirral, coordinator)
    made = timezone.make_aware(datetime.datetime(2015, 3, 5, 10, 0))
    type(family).objects.filter(pk=family.pk).update(created_at=made)
    _old_event(made + datetime.timedelta(hours=1), coordinator, wirral, file_id=family.pk)
    now = timezone.now()
    for day in range(1, 61):  # a visit every day of the last two months
        _old_event(now - datetime.timedelta(days=day), coordinator, wirral, file_id=family.pk)

    with CaptureQueriesContext(connection) as queries:
        page = file_log.page(kind=FileKind.FAMILY, file_id=family.pk, made=made)
    assert len(page.object_list) == 50 and page.has_next
    read = _months_read(queries)
    assert partitions.partition_name(partitions.month_of(now)) in read
    assert partitions.partition_name(OLD_MONTH) not in read
    assert partitions.DEFAULT not in read, "the catch-all partition stays out of the plan"
    assert len(read) <= 5, read  # this month, then the two before, then what the window reached

    # Who the log names (the person filter): the first time every month since the file was made…
    with CaptureQueriesContext(connection) as queries:
        people = file_log.people_in(kind=FileKind.FAMILY, file_id=family.pk, made=made)
    assert people == [coordinator]
    assert partitions.partition_name(OLD_MONTH) in _months_read(queries)
    # …then only this month: months that have ended do not change.
    with CaptureQueriesContext(connection) as queries:
        people = file_log.people_in(kind=FileKind.FAMILY, file_id=family.pk, made=made)
    assert people == [coordinator]
    read = _months_read(queries)
    assert partitions.partition_name(OLD_MONTH) not in read and partitions.DEFAULT not in read
    assert len(read) <= 2, read


def test_the_page_of_the_oldest_visits_reaches_back_to_the_file_s_first_month(database_owner, wirral, coordinator):
    """The last page is complete: the windows go back to the month the file was made."""
    from access_log import file_log

    partitions.ensure_months(since=OLD_MONTH)
    family = make_family(wirral, coordinator)
    made = timezone.make_aware(datetime.datetime(2015, 3, 5, 10, 0))
    type(family).objects.filter(pk=family.pk).update(created_at=made)
    _old_event(made + datetime.timedelta(hours=1), coordinator, wirral, file_id=family.pk)
    _old_event(timezone.now() - datetime.timedelta(days=1), coordinator, wirral, file_id=family.pk)
    page = file_log.page(kind=FileKind.FAMILY, file_id=family.pk, made=made)
    assert [v.day for v in page.object_list][-1] == timezone.localtime(made).date()
    assert not page.has_next  # the visits of today (the family made) and yesterday, and the first


def test_a_month_created_after_its_events_takes_them_from_the_catch_all(database_owner, wirral, manager):
    at = datetime.datetime(2014, 6, 15, 12, tzinfo=datetime.UTC)
    _old_event(at, manager, wirral)
    (event_id,) = _sql("SELECT id FROM access_log_accessevent WHERE at = %s", [at])[0]
    assert _partition_of(event_id) == partitions.DEFAULT
    before = _sql("SELECT count(*) FROM access_log_accessevent")[0][0]
    created = access_log.create_ahead(actor=manager)  # this month onwards: nothing to move
    assert all(r.act == AccessLogAct.CREATED for r in created)
    partitions.ensure_months(since=datetime.date(2014, 6, 1), ahead=0)
    assert _partition_of(event_id) == "access_log_accessevent_p201406"
    assert _sql("SELECT count(*) FROM access_log_accessevent")[0][0] == before, "moved, none lost"


def test_the_retention_run_drops_a_month_past_its_period_archived_and_recorded(
    database_owner, tmp_path, wirral, manager
):
    partitions.ensure_months(since=OLD_MONTH, ahead=0)
    _old_event(datetime.datetime(2015, 3, 10, 9, tzinfo=datetime.UTC), manager, wirral)
    _old_event(datetime.datetime(2015, 3, 20, 9, tzinfo=datetime.UTC), manager, wirral)
    name = partitions.partition_name(OLD_MONTH)

    out = io.StringIO()
    call_command("access_log_retention", "--as", manager.username, "--archive-dir", str(tmp_path), stdout=out)
    assert not _exists(name), "the month is dropped whole"
    acts = {r.act: r for r in AccessLogRetentionRecord.objects.filter(month=OLD_MONTH)}
    assert set(acts) == {AccessLogAct.DETACHED, AccessLogAct.ARCHIVED, AccessLogAct.DROPPED}
    assert acts[AccessLogAct.DROPPED].events == 2 and acts[AccessLogAct.DROPPED].actor == manager
    archive = tmp_path / f"{name}.csv.gz"
    assert acts[AccessLogAct.ARCHIVED].sha256 == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert gzip.decompress(archive.read_bytes()).decode().count("WIR-OLD") == 2
    assert "March 2015: Month dropped" in out.getvalue()
    # Months within the access log's period (7 years by default) are all still there.
    remaining = partitions.monthly_partitions()
    assert all(access_log.kept_until(p.month) > TODAY for p in remaining)
    assert remaining[0].month == partitions.add_months(partitions.month_of(TODAY), -12 * 7)
    # The record of the drop is a register: not even the owner's SQL rewrites it.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql("DELETE FROM records_accesslogretentionrecord")


def test_a_month_under_a_legal_hold_is_kept_and_that_is_recorded(database_owner, wirral, manager):
    partitions.ensure_months(since=OLD_MONTH, ahead=0)
    AccessLogHold.objects.create(
        starts_on=datetime.date(2015, 3, 20), ends_on=datetime.date(2015, 4, 2), reason="Claim", placed_by=manager
    )
    done = access_log.run(actor=manager)
    assert _exists(partitions.partition_name(OLD_MONTH))
    assert _exists(partitions.partition_name(datetime.date(2015, 4, 1)))
    kept = [r for r in done if r.act == AccessLogAct.KEPT_ON_HOLD]
    assert {r.month for r in kept} == {OLD_MONTH, datetime.date(2015, 4, 1)}
    assert not _exists(partitions.partition_name(datetime.date(2015, 5, 1))), "the months after the hold went"


def test_a_month_within_its_period_is_refused_and_the_refusal_recorded(database_owner, manager):
    this_month = partitions.month_of(TODAY)
    done = access_log.retire_month(month=this_month, actor=manager)
    assert [r.act for r in done] == [AccessLogAct.REFUSED_WITHIN_PERIOD]
    assert "kept until" in done[0].note
    assert _exists(partitions.partition_name(this_month))


def test_the_access_log_has_its_own_period_in_the_retention_schedule(database_owner, manager):
    last_year = partitions.add_months(partitions.month_of(TODAY), -13)
    partitions.ensure_months(since=last_year, ahead=0)
    assert [r.act for r in access_log.retire_month(month=last_year, actor=manager)] == [
        AccessLogAct.REFUSED_WITHIN_PERIOD
    ]
    RetentionRule.objects.create(record_kind=RecordKind.ACCESS_LOG, years=1, basis="Scheme policy")
    done = access_log.retire_month(month=last_year, actor=manager)
    assert [r.act for r in done] == [AccessLogAct.DETACHED, AccessLogAct.DROPPED]


@pytest.mark.skipif(not TEST_APP_ROLE, reason="connected as the application's role (TEST_APP_ROLE)")
def test_the_application_role_touches_no_month_directly_and_cannot_drop_one(wirral, manager):
    this_month = partitions.partition_name(partitions.month_of(TODAY))
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_table_privilege(%s, %s, 'SELECT')", [TEST_APP_ROLE, this_month])
        assert cursor.fetchone()[0] is False
        cursor.execute("SELECT has_table_privilege(%s, 'access_log_accessevent', 'INSERT')", [TEST_APP_ROLE])
        assert cursor.fetchone()[0] is True
    assert not partitions.may_manage()
    with pytest.raises(CommandError, match="owner's work"):
        call_command("access_log_retention", "--as", manager.username, stdout=io.StringIO())
