"""Lists of families at constant cost, however large the scheme (issue 18, §8.2).

A page is found by its key, not by its position: the reference of the row it follows
(``?after=WIR-0123``) or precedes (``?before=WIR-0098``), read as the scheme and the
family's number, so the database walks the ``(scheme, number)`` index from that row and
stops after one page (no OFFSET, which reads and throws away every earlier row). Who may
see each row is decided for the rows of the page only, in the page's own query. The
total is "about N": the database's estimate on PostgreSQL (one planning step, no rows
read), an exact count elsewhere; exact wherever the page itself tells it (the first and
the last page).

A person's schemes are walked in the order of their codes, one query for each scheme the
page reaches: a coordinator of one scheme (nearly everyone) pays one query a page, and
nobody pays more for a larger scheme.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext

PER_PAGE = 25


@dataclass(frozen=True)
class Key:
    """Where a page starts or ends: a family's scheme code and number (its reference)."""

    code: str
    number: int

    @classmethod
    def parse(cls, reference: str | None) -> Key | None:
        code, _, number = (reference or "").strip().upper().rpartition("-")
        if not code or not number.isdigit() or len(number) > 9:
            return None
        return cls(code, int(number))


@dataclass
class Page:
    """One page of a list: its rows, where it stands and the links either side."""

    rows: list[Any]
    start: int  # the position of the first row, counting from 1
    total: int | None  # how many rows the list has: exact if ``exact``, else the estimate; None: not asked
    exact: bool
    next_after: str | None = None  # the reference the next page follows
    previous_before: str | None = None  # the reference the previous page precedes

    @property
    def end(self) -> int:
        return self.start + len(self.rows) - 1

    @property
    def next_at(self) -> int:
        return self.end + 1

    @property
    def previous_at(self) -> int:
        return max(1, self.start - PER_PAGE)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_after or self.previous_before)

    @property
    def label(self) -> str:
        """ "1–25 of about 10,000", or "1–3 of 3" when the page knows the whole list."""
        span = f"{self.start:,}–{self.end:,}"
        if self.total is None:
            return span
        if self.exact:
            return gettext("%(span)s of %(total)s") % {"span": span, "total": f"{self.total:,}"}
        return gettext("%(span)s of about %(total)s") % {"span": span, "total": f"{_round(self.total):,}"}


def _round(n: int) -> int:
    """An estimate to two significant figures: "about 10,000", not "about 10,036"."""
    if n < 100:
        return n
    scale = 10 ** (len(str(n)) - 2)
    return round(n / scale) * scale


def estimate(queryset: QuerySet) -> int:
    """How many rows ``queryset`` has: PostgreSQL's estimate from its statistics (it plans
    the query and reads no row), or an exact count where the database keeps none."""
    if connection.vendor != "postgresql":
        return queryset.count()
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):  # psycopg returns json as text when asked by a bare cursor
        import json

        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def keyset_page(
    *,
    schemes: Sequence[tuple[int, str | None]],
    rows_of: Callable[[int], QuerySet],
    visible: Callable[[Any], bool],
    dress: Callable[[QuerySet], QuerySet] = lambda rows: rows,
    descending: bool,
    after: str | None = None,
    before: str | None = None,
    at: int = 1,
    per_page: int = PER_PAGE,
) -> tuple[list[Any], bool, bool, int]:
    """The rows of one page, in the order of ``schemes`` (``(id, code)``, by code) and then
    by number (newest first if ``descending``), and whether pages come before and after it.

    A scheme's code may be None when it is the only one: a key then names a place in it.
    ``rows_of(scheme_id)`` is the scheme's rows as a queryset, and ``dress`` adds what the
    page shows of each (annotations, related rows): it is applied to the page's rows only,
    found first by key in a subquery, so PostgreSQL plans each annotation for 26 rows and
    not, hashed, for the whole scheme; ``visible(row)`` says whether
    the person sees a row (decided by the page's own query, e.g. an annotation): a row they
    may not see is passed over, never shown. Returns (rows, has_previous, has_next, start).
    """
    key = Key.parse(before)
    backward = key is not None  # a "before" key walks the list backwards from that row
    if not backward:
        key = Key.parse(after)
    if len(schemes) == 1 and schemes[0][1] is None and key is not None:
        schemes = [(schemes[0][0], key.code)]
    walk = list(reversed(schemes)) if backward else list(schemes)
    codes = [code for _, code in walk]
    if key is not None and key.code not in codes:
        key, backward = None, False  # a key from none of the person's schemes: the list from its start
        walk = list(schemes)
    downwards = descending != backward
    got: list[Any] = []
    step = 0  # how many rows to read at least: grows while rows are withheld
    for scheme_id, code in walk[codes.index(key.code) :] if key is not None else walk:
        bound = key.number if key is not None and code == key.code else None
        while len(got) <= per_page:
            rows = rows_of(scheme_id)
            if bound is not None:
                rows = rows.filter(number__lt=bound) if downwards else rows.filter(number__gt=bound)
            want = max(per_page + 1 - len(got), step)
            by = "-number" if downwards else "number"
            keys = rows.order_by(by).values("pk")[:want]
            batch = list(dress(rows.model._default_manager.filter(pk__in=keys)).order_by(by))
            shown = [row for row in batch if visible(row)]
            got.extend(shown)
            if len(batch) < want:
                break  # this scheme has no more rows this way
            # Rows withheld from the person: read on past them, in larger steps if many are.
            bound = batch[-1].number
            if len(shown) < len(batch):
                step = max(step * 4, 4 * per_page)
        if len(got) > per_page:
            break
    more = len(got) > per_page
    got = got[:per_page]
    if not backward:
        return got, key is not None, more, max(at, 1) if key is not None else 1
    got.reverse()
    if more:
        return got, True, True, max(at, 1)
    if len(got) < per_page:
        # Back at the start with a short page (the list changed meanwhile): the first page.
        return keyset_page(schemes=schemes, rows_of=rows_of, visible=visible, dress=dress, descending=descending)
    return got, False, True, 1
