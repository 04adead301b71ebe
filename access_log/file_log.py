""" "Who opened this file", in words: the file's access events grouped by person, role and day,
refusals apart, so that a coordinator reads "Sam Carter, coordinator, opened the file 4 times on
3 December" instead of one row per page view in the log's own codes (§9.1).

The grouping is done by the database (one row per person, role, day, outcome, action, part of
the file, purpose and reason, with a count), so a file opened ten thousand times still costs
one query; the few rows that come back are merged into sentences here.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.functional import Promise, cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from homestart.language import and_join, choice_label
from homestart.models import User
from homestart.rules import Action, Outcome, Purpose, Refusal, Role, Section, role_label

from .models import AccessEvent

# What each action did to the file, as the verb of a sentence ("opened the file 4 times").
VERBS: dict[str, Promise] = {
    Action.VIEW: _("opened the file"),
    Action.CHANGE: _("changed the file"),
    Action.CREATE: _("created the file"),
    Action.EXPORT: _("exported the file"),
    Action.LIST: _("saw it in a list with names shown"),
}
ACTION_ORDER = {action: i for i, action in enumerate(Action.values)}
CLAUSE = re.compile(r"\s*\(§[^)]*\)")


@dataclass(frozen=True)
class Phrases:
    """The words every visit's sentence is made of, in one language. A page of 50 visits says
    "once", "opened the file", "at …" and a month's name over and over: each is looked up in
    the catalogue once per language (``phrases``), not once per visit."""

    once: str
    twice: str
    did: str
    refused: str
    sentence: str
    at: str
    between: str
    parts: str
    why: str
    reasons: str
    verbs: dict[str, str]
    months: dict[int, str]


@functools.lru_cache(maxsize=8)
def _phrases_in(language: str | None) -> Phrases:
    return Phrases(
        once=gettext("once"),
        twice=gettext("twice"),
        did=gettext("%(did)s %(times)s"),
        refused=gettext("was refused %(times)s"),
        sentence=gettext("%(who)s %(what)s on %(date)s"),
        at=gettext("at %(time)s"),
        between=gettext("between %(first)s and %(last)s"),
        parts=gettext("Parts of the file: %(parts)s"),
        why=gettext("Why: %(why)s"),
        reasons=gettext("Refused because: %(reasons)s"),
        verbs={action: str(verb) for action, verb in VERBS.items()},
        months={number: str(name) for number, name in MONTHS.items()},
    )


def phrases() -> Phrases:
    """``Phrases`` in the page's language."""
    return _phrases_in(get_language())


def times(count: int, words: Phrases | None = None) -> str:
    if count == 1:
        return (words or phrases()).once
    if count == 2:
        return (words or phrases()).twice
    return ngettext("%(count)s time", "%(count)s times", count) % {"count": count}


def words(label: str) -> str:
    """A label as it reads inside a sentence: no clause numbers, lower case unless an acronym."""
    label = CLAUSE.sub("", label).strip()
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _label(choices, value: str) -> str:
    # A value no longer among the choices (an old event's) is shown as its words.
    return str(choice_label(choices, value)) if value in choices._value2member_map_ else value.replace("_", " ")


@functools.lru_cache(maxsize=512)
def _words_in(choices, value: str, language: str | None) -> str:
    return words(role_label(value) if choices is Role else _label(choices, value))


def label_words(choices, value: str) -> str:
    """``words()`` of a rule's label in the active language. A page of 50 visits names the same
    handful of roles, sections and purposes hundreds of times: each is worked out once."""
    return _words_in(choices, value, get_language())


@dataclass
class Visit:
    """One person, in one role, on one day: what they did to the file, or what they were refused."""

    day: datetime.date
    user: User | None
    role: str
    refused: bool
    first: datetime.datetime
    last: datetime.datetime
    count: int = 0
    actions: dict[str, int] = field(default_factory=dict)
    sections: list[str] = field(default_factory=list)
    purposes: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    words: Phrases = field(default_factory=phrases)  # the page's, given once by ``merge``

    @property
    def who(self) -> str:
        if self.user is None:
            return label_words(Role, self.role).capitalize() if self.role else gettext("The system")
        return self.user.display_name

    @cached_property
    def role_words(self) -> str:
        return label_words(Role, self.role) if self.role and self.user is not None else ""

    @property
    def what(self) -> str:
        """ "opened the file 4 times and changed the file once" or "was refused twice"."""
        words = self.words
        if self.refused:
            return words.refused % {"times": times(self.count, words)}
        actions = sorted(self.actions.items(), key=lambda item: ACTION_ORDER.get(item[0], len(ACTION_ORDER)))
        done = [words.did % {"did": words.verbs.get(action, action), "times": times(n, words)} for action, n in actions]
        if len(done) == 1:
            return done[0]
        return and_join(", ".join(done[:-1]), done[-1])

    @property
    def sentence(self) -> str:
        who = f"{self.who}, {self.role_words}," if self.role_words else self.who
        # The day as date_format(day, "j F") writes it, with the month's name already looked up.
        return self.words.sentence % {
            "who": who,
            "what": self.what,
            "date": f"{self.day.day} {self.words.months[self.day.month]}",
        }

    @cached_property
    def parts(self) -> str:
        return ", ".join(label_words(Section, s) for s in self.sections)

    @cached_property
    def why(self) -> str:
        return "; ".join(label_words(Purpose, p) for p in self.purposes)

    @cached_property
    def reasons_words(self) -> str:
        return "; ".join(label_words(Refusal, r) for r in self.reasons)

    # "Parts of the file: …", "Why: …", "Refused because: …" as {% blocktranslate %} writes them
    # (the catalogue's words as they are, the visit's escaped), from the page's phrases.
    @property
    def parts_phrase(self) -> str:
        return _said(self.words.parts, parts=self.parts)

    @property
    def why_phrase(self) -> str:
        return _said(self.words.why, why=self.why)

    @property
    def reasons_phrase(self) -> str:
        return _said(self.words.reasons, reasons=self.reasons_words)

    @property
    def between(self) -> str:
        first, last = timezone.localtime(self.first), timezone.localtime(self.last)
        if self.count == 1 or first.strftime("%H:%M") == last.strftime("%H:%M"):
            return self.words.at % {"time": f"{first:%H:%M}"}
        return self.words.between % {"first": f"{first:%H:%M}", "last": f"{last:%H:%M}"}


def _said(phrase: str, **values: str) -> SafeString:
    return mark_safe(phrase % {name: conditional_escape(value) for name, value in values.items()})  # noqa: S308


def _add_months(moment: datetime.datetime, count: int) -> datetime.datetime:
    """The same day and time ``count`` months before or after (``moment`` is the 1st of a month)."""
    index = moment.year * 12 + moment.month - 1 + count
    return moment.replace(year=index // 12, month=index % 12 + 1)


def _midnight(day: datetime.date, tz) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()), tz)


def window_rows(
    *, kind: str, file_id, after: datetime.datetime, before: datetime.datetime, person: int | None = None
) -> QuerySet:
    """The file's events between two instants, grouped by the database: one row per day, person,
    role, outcome, action, part of the file, purpose and reason, with a count and the first and
    last time. Both bounds are given, so PostgreSQL plans only the months between them (the
    catch-all partition too stays out while the months exist, access_log/partitions.py)."""
    tz = timezone.get_current_timezone()
    events = AccessEvent.objects.filter(file_kind=kind, file_id=file_id, at__gte=after, at__lt=before)
    if person is not None:
        events = events.filter(user_id=person)
    fields = ("day", "user", "role", "outcome", "action", "section", "purpose", "reason")
    return (
        events.order_by()
        .annotate(day=TruncDate("at", tzinfo=tz))
        .values(*fields)
        .annotate(n=Count("id"), first=Min("at"), last=Max("at"))
    )


@dataclass
class Page:
    """One page of visits, as the template reads Django's paginator page; whether there are
    older pages is known without counting every visit of the file (issue 18.4)."""

    object_list: list[Visit]
    number: int
    has_next: bool

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def page(
    *,
    kind: str,
    file_id,
    made: datetime.datetime | None = None,
    person: int | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    number: Any = 1,
    size: int = 50,
) -> Page:
    """One page of the file's visits, newest day first; within a day, refusals first, then by name.

    At national scale a file has been opened for years (issue 18.4): the visits are read a
    window of months at a time, newest first — this month and the two before, then as far back
    as the visits read so far say the rest of the page lies, half as far again and at least
    as long as the windows read (so a sparse file takes few windows) — until the page is full
    and one visit more is known (so "Older" is shown) or the file's beginning is reached
    (``made``, a day's margin for clocks). Each window is a query with both bounds at local
    midnights, so a day is never split between two windows and PostgreSQL plans and reads
    only that window's months: the first page of a file opened every few days for seven
    years reads its last half year or so, whatever the log's size."""
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    tz = timezone.get_current_timezone()
    # Tomorrow included: another server's clock may run a little ahead.
    newest = timezone.localdate() + datetime.timedelta(days=1)
    newest = min(until, newest) if until else newest
    before = top = _midnight(newest + datetime.timedelta(days=1), tz)
    beginnings = [_midnight(since, tz)] if since else []
    if made is not None:
        beginnings.append(made - datetime.timedelta(days=1))
    floor = max(beginnings) if beginnings else None
    wanted = number * size + 1
    rows: list[dict[str, Any]] = []
    keys: set[tuple] = set()
    # The first window: this month and the two before (a file opened every few days fills a page).
    start = _add_months(_midnight(newest.replace(day=1), tz), -2)
    while True:
        after = start if floor is None or start > floor else floor
        window = list(window_rows(kind=kind, file_id=file_id, after=after, before=before, person=person))
        rows.extend(window)
        keys.update((r["day"], r["user"], r["role"], r["outcome"] == Outcome.REFUSED) for r in window)
        if len(keys) >= wanted or (floor is not None and after <= floor):
            break
        if floor is None and not AccessEvent.objects.filter(file_kind=kind, file_id=file_id, at__lt=after).exists():
            break  # no beginning known: the file's events end here
        # The next window: as far back as the visits read so far say the rest of the page is,
        # and half as far again (at least as long as the windows read); all of it if none yet.
        read = top - after
        if keys:
            back = read * (wanted - len(keys)) / len(keys) * 1.5
            months = max(int(back / datetime.timedelta(days=30)) + 1, read.days // 30 + 1)
            start = _add_months(after, -months)
        else:
            start = floor or _add_months(after, -12)
        before = after
    visits = merge(rows)
    pages = max(1, -(-len(visits) // size))
    if number > pages and len(visits) < wanted:
        number = pages  # past the last page: the last one, as Django's paginator does
    shown = visits[(number - 1) * size : number * size]
    return Page(shown, number, has_next=len(visits) > number * size)


def merge(rows: list[dict[str, Any]]) -> list[Visit]:
    """The grouped rows as visits, newest day first; within a day, refusals first, then by name."""
    people = User.objects.in_bulk({row["user"] for row in rows if row["user"] is not None})
    words = phrases()
    grouped: dict[tuple, Visit] = {}
    for row in rows:
        refused = row["outcome"] == Outcome.REFUSED
        key = (row["day"], row["user"], row["role"], refused)
        visit = grouped.get(key)
        if visit is None:
            visit = grouped[key] = Visit(
                day=row["day"],
                user=people.get(row["user"]),
                role=row["role"],
                refused=refused,
                first=row["first"],
                last=row["last"],
                words=words,
            )
        visit.count += row["n"]
        visit.first, visit.last = min(visit.first, row["first"]), max(visit.last, row["last"])
        visit.actions[row["action"]] = visit.actions.get(row["action"], 0) + row["n"]
        for values, value in ((visit.sections, row["section"]), (visit.purposes, row["purpose"])):
            if value and value not in values:
                values.append(value)
        if row["reason"] and row["reason"] not in visit.reasons:
            visit.reasons.append(row["reason"])
    order = sorted(grouped.values(), key=lambda v: (v.who.lower(), v.role))
    order.sort(key=lambda v: not v.refused)
    order.sort(key=lambda v: v.day, reverse=True)
    return order


PEOPLE_CACHE_SECONDS = 24 * 60 * 60


def people_in(*, kind: str, file_id, made: datetime.datetime | None = None) -> list[User]:
    """Everyone the file's log names, by name: the choices of its "person" filter.

    A month that has ended does not change (the gate writes events as they happen), so who
    is named in each ended month is kept in the cache for a day; the current month is always
    asked, and so are months the cache does not hold. On PostgreSQL the question then reads
    one or two months instead of every month since the file was made (issue 18.4). A person
    whose only visits were in a month dropped by the retention run may stay a choice until
    the cache forgets it (a day); the page then says nobody opened the file on those days."""
    now = timezone.now()
    this_month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0, tzinfo=datetime.UTC)
    # Ended a day ago at least: an event written as the month turned is in.
    settled = this_month if now - this_month > datetime.timedelta(days=1) else _add_months(this_month, -1)
    first = (made - datetime.timedelta(days=1)) if made else now
    first = first.astimezone(datetime.UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    events = AccessEvent.objects.filter(file_kind=kind, file_id=file_id).exclude(user=None).order_by()
    if made is None:  # no beginning known: every month is asked
        return sorted(User.objects.filter(pk__in=events.values("user")), key=lambda u: u.display_name.lower())
    key = f"access_log:people:{kind}:{file_id}"
    known: dict[str, list[int]] = cache.get(key) or {}
    month, wanted = first, []
    while month < settled:
        wanted.append(month)
        month = _add_months(month, 1)
    missing = [m for m in wanted if m.date().isoformat() not in known]
    if missing:
        found: dict[str, list[int]] = {m.date().isoformat(): [] for m in missing}
        ended = events.filter(at__gte=missing[0], at__lt=settled).annotate(month=TruncMonth("at", tzinfo=datetime.UTC))
        for row in ended.values("month", "user").distinct():
            found.setdefault(row["month"].date().isoformat(), []).append(row["user"])
        known.update(found)
        cache.set(key, known, PEOPLE_CACHE_SECONDS)
    named = {i for m in wanted for i in known.get(m.date().isoformat(), [])}
    # This month (and the last, in its first day), and a day ahead for another server's clock.
    recent = events.filter(at__gte=settled, at__lt=now + datetime.timedelta(days=1)).values("user")
    people = User.objects.filter(Q(pk__in=named) | Q(pk__in=recent))
    return sorted(people, key=lambda u: u.display_name.lower())
