"""Crypto-shredding holds on PostgreSQL's own files (§8.8, §8.2).

PostgreSQL keeps an updated or deleted row in its table file until VACUUM, and
every change in its write-ahead log. So the database must never have held the
key material in the first place: after a family is destroyed through the
services and a CHECKPOINT, neither its wrapped key (the exact bytes the key
store held) nor the key itself is in the database's table files or in the WAL,
and no row of any table holds key material of any family. The scan proves it
reads the right files by finding a surviving family's ciphertext there.

PostgreSQL only (the files are PostgreSQL's), and only where the data directory
is readable (the tests run as root in CI).
"""

from __future__ import annotations

import base64
import datetime
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from families.models import Family
from homestart import keystore
from homestart.models import DataKey
from homestart.rules import FileKind
from records.retention import services
from tests.factories import make_family
from tests.helpers import raw_value

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's table files and WAL")


def _sql(query: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchall() if cursor.description else []


def _files(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file()]


def _found_in(paths: list[Path], needles: dict[str, bytes]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {name: [] for name in needles}
    for path in paths:
        try:
            data = path.read_bytes()
        except (FileNotFoundError, PermissionError):  # a WAL segment recycled while we read
            continue
        for name, needle in needles.items():
            if needle in data:
                found[name].append(str(path))
    return found


@pytest.fixture
def wal_kept(database_owner, db) -> Iterator[None]:
    """Keep every WAL segment written from now on until the scan has read it.

    A CHECKPOINT may remove or recycle the segments before its redo point, and when the
    rest of the suite has written more WAL than ``min_wal_size`` it does: the scan then
    reads only later segments and cannot find what this test wrote. A physical replication
    slot reserved now holds them (§8.8's proof must read the WAL that was written)."""
    slot = f"shredding_scan_{os.getpid()}"
    try:
        with transaction.atomic():
            _sql(f"SELECT pg_create_physical_replication_slot('{slot}', true)")  # noqa: S608 - our own name
    except DatabaseError:  # no REPLICATION privilege: scan what the server kept
        yield
        return
    try:
        yield
    finally:
        _sql(f"SELECT pg_drop_replication_slot('{slot}')")  # noqa: S608 - our own name


def _destroy(family: Family, coordinator, manager, trustee) -> None:
    family.status, family.closed_on = Family.Status.CLOSED, datetime.date(2014, 1, 31)
    family._history_user = coordinator
    family.save(update_fields=["status", "closed_on"])
    destruction = services.destruction_propose(kind=FileKind.FAMILY, obj=family, actor=manager)
    services.destruction_authorise(destruction=destruction, actor=manager)
    services.destruction_authorise(destruction=destruction, actor=trustee)
    services.destruction_carry_out(destruction=destruction, actor=manager)


@pytest.mark.policy("8.8", "8.2")
def test_no_key_material_of_a_destroyed_family_in_table_files_wal_or_any_row(
    database_owner, wal_kept, wirral, coordinator, manager, trustee, django_capture_on_commit_callbacks
):
    # The test's transaction never commits, but PostgreSQL writes its changes to the WAL and,
    # at the CHECKPOINT, to the table files all the same; the key store acts as on each commit.
    committed = django_capture_on_commit_callbacks
    data_directory = Path(_sql("SHOW data_directory")[0][0])
    if not os.access(data_directory / "base", os.R_OK) or not os.access(data_directory / "pg_wal", os.R_OK):
        pytest.skip(f"PostgreSQL's data directory {data_directory} is not readable here (run the tests as root)")

    with committed(execute=True):
        doomed = make_family(wirral, coordinator, last_name="Doomed", postcode="CH41 6DD")
        survivors = [make_family(wirral, coordinator, last_name=f"Kept{n}", postcode="CH43 1KK") for n in range(2)]
    # The key material as the key store held it before the destruction.
    stored = keystore._path(doomed.data_key_id, keystore.KEY).read_bytes()
    _, wrapped = keystore.decode(stored)
    plain = DataKey.objects.get(pk=doomed.data_key_id).plaintext_key()
    survivor_keys = {
        f"survivor {n} key": DataKey.objects.get(pk=s.data_key_id).plaintext_key() for n, s in enumerate(survivors)
    }
    survivor_keys |= {f"survivor {n} wrapped key": keystore.read(s.data_key_id)[1] for n, s in enumerate(survivors)}
    survivor_ciphertext = raw_value(Family, "postcode", survivors[0].pk)

    with committed(execute=True):
        _destroy(Family.objects.get(pk=doomed.pk), coordinator, manager, trustee)
    assert DataKey.objects.get(pk=doomed.data_key_id).destroyed_at is not None
    assert not keystore.exists(doomed.data_key_id), "the key file went when the destruction committed"
    _sql("CHECKPOINT")

    database_oid = _sql("SELECT oid FROM pg_database WHERE datname = current_database()")[0][0]
    table_files = _files(data_directory / "base" / str(database_oid))
    wal_files = [p for p in _files(data_directory / "pg_wal") if len(p.name) == 24]
    assert table_files and wal_files
    needles = {
        "destroyed family's key-store file": stored,
        "destroyed family's wrapped key": wrapped,
        "destroyed family's key": plain,
        "destroyed family's wrapped key, base64": base64.b64encode(wrapped),
        "destroyed family's key, hex": plain.hex().encode(),
        **survivor_keys,
        "a survivor's postcode ciphertext (control)": survivor_ciphertext,
    }
    in_tables = _found_in(table_files, needles)
    in_wal = _found_in(wal_files, needles)
    control = "a survivor's postcode ciphertext (control)"
    assert in_tables.pop(control), "the scan must find what the database did write (its table files)"
    assert in_wal.pop(control), "the scan must find what the database did write (its WAL)"
    assert in_tables == {name: [] for name in in_tables}, in_tables
    assert in_wal == {name: [] for name in in_wal}, in_wal

    # No row of any table holds key material of any family, in any encoding.
    materials = {plain, wrapped, *survivor_keys.values()}
    encodings = [m for material in materials for m in (material, base64.b64encode(material), material.hex().encode())]
    tables = connection.introspection.table_names()
    for table in tables:
        for row in _sql(f'SELECT * FROM "{table}"'):  # noqa: S608 - names from the schema
            for value in row:
                if isinstance(value, memoryview | bytes):
                    raw = bytes(value)
                elif isinstance(value, str):
                    raw = value.encode()
                else:
                    continue
                assert not any(m in raw for m in encodings), f"key material in a row of {table}"
    assert "homestart_datakey" in tables
    columns = {c.name for c in connection.introspection.get_table_description(connection.cursor(), "homestart_datakey")}
    assert columns == {"id", "master_key_id", "created_at", "destroyed_at"}
