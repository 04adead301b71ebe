"""Queries every page asks, compiled by the ORM once and then run with new values.

A page asks the same few small questions before its own work: is the session current,
who is the person, which roles do they hold, do they have a second factor, have they
acknowledged the policy in force. For a query that small, building the queryset and
compiling it to SQL is most of its cost in Django, more than the database's answer
(measured over the test suites' pages: about a sixth of all their time went to them).

``FixedQuery`` is for queries of one shape: each value a parameter of the SQL (not ``None``,
which the ORM writes as ``IS NULL``; not a list, whose length changes the SQL). It takes a
function that builds the query from its values, and the model field each value is
compared with. On first use on a database it builds the query with stand-in
values, lets the ORM compile it and notes where each stand-in landed among the parameters
(once per database: the SQL is the same on every connection to it).
After that it runs the same SQL with the real values, prepared for the database by their
field exactly as the ORM prepares them, and converts the rows with the ORM's own
converters. The SQL is the ORM's, through the same cursor (query counts, statement
timeouts and the database-unavailable handling see it as any other query).
``tests/homestart/test_fixed_query.py`` holds each query in ``homestart`` to the answer of
the queryset it stands for, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper


@dataclass(frozen=True)
class _Compiled:
    """What the ORM compiled, holding nothing of the connection it was compiled on."""

    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[str, models.Field, tuple[int, ...]], ...]
    columns: tuple[Any, ...]  # the expression of each selected column, for its converters


def _stand_in(field: models.Field, n: int) -> Any:
    """A value of the field's kind that no real query carries, distinct for each slot."""
    if isinstance(field, models.DateTimeField):
        return datetime.datetime(1901, 2, 3, 4, 5, 6, 700000 + n, tzinfo=datetime.UTC)
    if isinstance(field, models.DateField):
        return datetime.date(1901, 2, 3 + n)
    if isinstance(field, (models.IntegerField, models.AutoField, models.ForeignKey)):
        return -918_273_645 - n
    if isinstance(field, models.CharField | models.TextField):
        return f"stand-in-{n}-7c1e0b9a"
    raise TypeError(f"FixedQuery has no stand-in for {type(field).__name__}")


class FixedQuery:
    """``build(**values)`` returns the queryset; ``slots`` names the field each value is
    compared with. ``rows(**values)`` is ``list(build(**values))`` for a ``values_list``
    query, without building or compiling it again."""

    def __init__(self, build: Callable[..., models.QuerySet], **slots: models.Field) -> None:
        self.build = build
        self.slots = slots
        # One compilation per database (its alias). Not per connection: a server that starts a
        # thread for each request (runserver, the browser tests' live server) has a new
        # connection on every request, and a cache keyed by connection would only grow.
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, connection: BaseDatabaseWrapper) -> _Compiled:
        stand_ins = {name: _stand_in(field, n) for n, (name, field) in enumerate(self.slots.items())}
        queryset = self.build(**stand_ins)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = []
        for name, field in self.slots.items():
            prepared = field.get_db_prep_value(stand_ins[name], connection, prepared=False)
            where = tuple(i for i, p in enumerate(params) if type(p) is type(prepared) and p == prepared)
            if not where:
                raise ValueError(f"FixedQuery: the value {name!r} is not a parameter of {sql!r}")
            slots.append((name, field, where))
        columns = tuple(s[0] for s in compiler.select[0 : compiler.col_count])
        compiled = self._compiled[connection.alias] = _Compiled(sql, tuple(params), tuple(slots), columns)
        return compiled

    def rows(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[tuple[Any, ...]]:
        connection = connections[using]
        compiled = self._compiled.get(using) or self._compile(connection)
        params = list(compiled.params)
        for name, field, where in compiled.slots:
            if values[name] is None:  # the ORM would write IS NULL: another query than the one compiled
                raise ValueError(f"FixedQuery: {name!r} is None, which changes the query's SQL")
            prepared = field.get_db_prep_value(values[name], connection, prepared=False)
            for i in where:
                params[i] = prepared
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            found = cursor.fetchall()
        # The ORM's converters for each column (SQLite's text dates to dates, say), on this connection,
        # as SQLCompiler.get_converters and apply_converters would apply them.
        converters = [
            (i, convs, column)
            for i, column in enumerate(compiled.columns)
            if column is not None
            and (convs := connection.ops.get_db_converters(column) + column.get_db_converters(connection))
        ]
        if not converters:
            return found
        converted = []
        for row in found:
            converted_row = list(row)
            for i, convs, column in converters:
                for convert in convs:
                    converted_row[i] = convert(converted_row[i], column, connection)
            converted.append(tuple(converted_row))
        return converted
