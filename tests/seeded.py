"""Seed once per test process, then give every test that asks its own copy of the result.

``seed_demo`` takes seconds; several suites want the database it leaves. ``Seeded`` runs a
seeding once per test process (once per pytest-xdist worker) inside a savepoint that is
rolled back, keeping every row it wrote and every data key it put in the key store.
``load()`` writes those rows again inside the calling test's transaction, which the test's
rollback removes, and puts the data keys back in the key store: each test starts from the
same seeded database, changes it as it likes, and nothing it does reaches the next test.

The rows are copied as the database stores them (ciphertext, wrapped keys, history rows,
ids), so a test sees exactly what the seeding wrote, not a re-encoding of it. They refer to
rows that existed before the seeding (content types, permissions, the published policy).
A test that commits (``transactional_db``, the browser tests) ends with a flush, after which
Django creates the content types and permissions again under new ids: ``load()`` then finds
each of those rows again by its contents and rewrites the references to it; when a row
cannot be found, it seeds again.
"""

from __future__ import annotations

import collections
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from homestart import keystore

Rows = dict[str, tuple[list[str], list[tuple]]]


def tables() -> list[str]:
    """Every table of an installed model (history and many-to-many tables included)."""
    found = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    return sorted(found - {"django_migrations"})


def _references() -> dict[str, list[tuple[str, str]]]:
    """table -> [(column, table it refers to)] for every foreign key to a primary key."""
    found: dict[str, list[tuple[str, str]]] = {}
    for model in apps.get_models(include_auto_created=True):
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model is not None and f.target_field.primary_key:
                found.setdefault(model._meta.db_table, []).append((f.column, f.related_model._meta.db_table))
    return found


def _primary_keys() -> dict[str, str]:
    return {model._meta.db_table: model._meta.pk.column for model in apps.get_models(include_auto_created=True)}


def _plain(value):
    """A value as it can be compared and sent back (PostgreSQL gives a buffer for bytea; SQLite reads
    a time of day as ``datetime.time`` but cannot bind one, so it goes back as the text it stores)."""
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, datetime.time) and connection.vendor == "sqlite":
        return value.isoformat()
    return value


def read(names: list[str]) -> Rows:
    rows: Rows = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in names:
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 - table names come from the models
            columns = [d[0] for d in cursor.description]
            rows[table] = (columns, [tuple(_plain(v) for v in row) for row in cursor.fetchall()])
    return rows


def _key_files() -> dict[Path, bytes]:
    root = keystore.root()
    if not root.is_dir():
        return {}
    return {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@dataclass
class Snapshot:
    before: Rows  # tables that held rows before the seeding, as they were
    written: Rows  # rows the seeding added, by table
    keys: dict[Path, bytes]  # key-store files the seeding added, relative to the key store
    made_on: datetime.date  # seedings place dates relative to today: a copy is of that day
    result: object = None  # what the seeding function returned (e.g. the command's output)


class Seeded:
    """``Seeded(seed)``: ``seed()`` runs at most once per process while the database it ran on
    is unchanged, and once a day; ``load()`` copies its rows into the current transaction and
    returns what ``seed()`` returned. ``load(*args)`` hands ``args`` to ``seed`` when it runs."""

    def __init__(self, seed: Callable[..., object]) -> None:
        self._seed = seed
        self._snapshot: Snapshot | None = None

    def _capture(self, *args: object) -> Snapshot:
        made_on = timezone.localdate()
        names = tables()
        before_all = read(names)
        keys_before = _key_files()
        with transaction.atomic():
            result = self._seed(*args)
            after_all = read(names)
            transaction.set_rollback(True)
        written: Rows = {}
        for table, (columns, after) in after_all.items():
            old = collections.Counter(before_all[table][1])
            new = collections.Counter(after)
            if old - new:
                raise AssertionError(f"the seeding changed or removed rows of {table}: it may only add rows")
            added = list((new - old).elements())
            if added:
                written[table] = (columns, added)
        keys = {}
        for path, data in _key_files().items():
            if path not in keys_before:
                # The seeding's transaction was rolled back, so its keys are still pending; the
                # rows a test loads stand for committed ones, whose keys are committed too.
                if path.suffix == keystore.PENDING:
                    path = path.with_suffix(keystore.KEY)
                keys[path] = data
        before = {table: value for table, value in before_all.items() if value[1]}
        return Snapshot(before=before, written=written, keys=keys, made_on=made_on, result=result)

    def _ids_now(self, snapshot: Snapshot) -> dict[str, dict] | None:
        """For each table that held rows before the seeding: {id then: id now}, each row found
        again by its contents (its references translated first). None when a row is missing,
        or when a table the seeding fills is not as it was before the seeding."""
        now = read(sorted(set(snapshot.before) | set(snapshot.written)))
        for table in snapshot.written:
            if table not in snapshot.before and now[table][1]:
                return None  # rows the loaded ones could collide with
        references, keys = _references(), _primary_keys()
        ids: dict[str, dict] = {}
        pending = dict(snapshot.before)
        while pending:
            ready = [
                t for t in pending if all(target in ids or target not in pending for _, target in references.get(t, []))
            ]
            if not ready:
                return None
            for table in ready:
                columns, then = pending.pop(table)
                key = columns.index(keys[table])
                translate = [
                    (columns.index(column), ids[target])
                    for column, target in references.get(table, [])
                    if target in ids
                ]

                def contents(row, translate=translate, key=key, translating=True):
                    values = list(row)
                    if translating:
                        for index, mapping in translate:
                            values[index] = mapping.get(values[index], values[index])
                    del values[key]
                    return tuple(values)

                found = {}
                for row in now[table][1]:
                    found.setdefault(contents(row, translating=False), []).append(row[key])
                mapping = {}
                for row in then:
                    candidates = found.get(contents(row))
                    if not candidates:
                        return None
                    mapping[row[key]] = candidates.pop()
                if len(now[table][1]) != len(then):
                    return None
                ids[table] = mapping
        if any(table in snapshot.before and ids[table] != {k: k for k in ids[table]} for table in snapshot.written):
            return None  # the seeding added rows to a table whose ids moved: they could collide
        return ids

    def load(self, *args: object) -> object:
        snapshot = self._snapshot
        ids = None
        if snapshot is not None and snapshot.made_on == timezone.localdate():
            ids = self._ids_now(snapshot)
        if ids is None:
            self._snapshot = self._capture(*args)
            ids = {}
        snapshot = self._snapshot
        references = _references()
        quote = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            for table, (columns, rows) in snapshot.written.items():
                translate = [
                    (columns.index(column), ids[target])
                    for column, target in references.get(table, [])
                    if ids.get(target) and any(k != v for k, v in ids[target].items())
                ]
                if translate:
                    rows = [list(row) for row in rows]
                    for row in rows:
                        for index, mapping in translate:
                            row[index] = mapping.get(row[index], row[index])
                names = ", ".join(quote(c) for c in columns)
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)  # noqa: S608
        root = keystore.root()
        for relative, data in snapshot.keys.items():
            path = root / relative
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            path.write_bytes(data)
            path.with_suffix(keystore.TOMBSTONE).unlink(missing_ok=True)  # shredded by an earlier test
            path.with_suffix(keystore.PENDING).unlink(missing_ok=True)
        return snapshot.result


def _seed_demo() -> str:
    out = io.StringIO()
    call_command("seed_demo", allow_production=True, stdout=out)
    return out.getvalue()


# The demo ``manage.py seed_demo`` creates; ``DEMO.load()`` returns what the command printed.
DEMO = Seeded(_seed_demo)
