""" "Who opened this file", in words: the file's access events grouped by person, role and day,
refusals apart, so that a coordinator reads "Sam Carter, coordinator, opened the file 4 times on
3 December" instead of one row per page view in the log's own codes (§9.1).

The grouping is done by the database (one row per person, role, day, outcome, action, part of
the file, purpose and reason, with a count), so a file opened ten thousand times still costs
one query; the few rows that come back are merged into sentences here.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Min, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from homestart.language import and_join
from homestart.models import User
from homestart.rules import Action, Outcome, Purpose, Refusal, Section, role_label

from .models import AccessEvent

# What each action did to the file, as the verb of a sentence ("opened the file 4 times").
VERBS: dict[str, Promise] = {
    Action.VIEW: _("opened the file"),
    Action.CHANGE: _("changed the file"),
    Action.CREATE: _("created the file"),
    Action.EXPORT: _("exported the file"),
    Action.LIST: _("saw it in a list with names shown"),
}
CLAUSE = re.compile(r"\s*\(§[^)]*\)")


def times(count: int) -> str:
    if count == 1:
        return gettext("once")
    if count == 2:
        return gettext("twice")
    return ngettext("%(count)s time", "%(count)s times", count) % {"count": count}


def words(label: str) -> str:
    """A label as it reads inside a sentence: no clause numbers, lower case unless an acronym."""
    label = CLAUSE.sub("", label).strip()
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value.replace("_", " ")


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

    @property
    def who(self) -> str:
        if self.user is None:
            return words(role_label(self.role)).capitalize() if self.role else gettext("The system")
        return self.user.display_name

    @property
    def role_words(self) -> str:
        return words(role_label(self.role)) if self.role and self.user is not None else ""

    @property
    def what(self) -> str:
        """ "opened the file 4 times and changed the file once" or "was refused twice"."""
        if self.refused:
            return gettext("was refused %(times)s") % {"times": times(self.count)}
        order = {action: i for i, action in enumerate(Action.values)}
        actions = sorted(self.actions.items(), key=lambda item: order.get(item[0], len(order)))
        done = [
            gettext("%(did)s %(times)s") % {"did": VERBS.get(action, action), "times": times(n)}
            for action, n in actions
        ]
        if len(done) == 1:
            return done[0]
        return and_join(", ".join(done[:-1]), done[-1])

    @property
    def sentence(self) -> str:
        who = f"{self.who}, {self.role_words}," if self.role_words else self.who
        return gettext("%(who)s %(what)s on %(date)s") % {
            "who": who,
            "what": self.what,
            "date": date_format(self.day, "j F"),
        }

    @property
    def parts(self) -> str:
        return ", ".join(words(_label(Section, s)) for s in self.sections)

    @property
    def why(self) -> str:
        return "; ".join(words(_label(Purpose, p)) for p in self.purposes)

    @property
    def reasons_words(self) -> str:
        return "; ".join(words(_label(Refusal, r)) for r in self.reasons)

    @property
    def between(self) -> str:
        first, last = timezone.localtime(self.first), timezone.localtime(self.last)
        if self.count == 1 or first.strftime("%H:%M") == last.strftime("%H:%M"):
            return gettext("at %(time)s") % {"time": f"{first:%H:%M}"}
        return gettext("between %(first)s and %(last)s") % {"first": f"{first:%H:%M}", "last": f"{last:%H:%M}"}


def visits(
    events: QuerySet[AccessEvent],
    *,
    person: int | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> list[Visit]:
    """The events as visits, newest day first; within a day, refusals first, then by name."""
    tz = timezone.get_current_timezone()
    dated = events.order_by().annotate(day=TruncDate("at", tzinfo=tz))
    if person is not None:
        dated = dated.filter(user_id=person)
    if since is not None:
        dated = dated.filter(day__gte=since)
    if until is not None:
        dated = dated.filter(day__lte=until)
    fields = ("day", "user", "role", "outcome", "action", "section", "purpose", "reason")
    rows: list[dict[str, Any]] = list(dated.values(*fields).annotate(n=Count("id"), first=Min("at"), last=Max("at")))
    people = User.objects.in_bulk({row["user"] for row in rows if row["user"] is not None})
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


def people_in(events: QuerySet[AccessEvent]) -> list[User]:
    """Everyone the log names, by name: the choices of its "person" filter."""
    ids = events.order_by().exclude(user=None).values("user").distinct()
    return sorted(User.objects.filter(pk__in=ids), key=lambda u: u.display_name.lower())
