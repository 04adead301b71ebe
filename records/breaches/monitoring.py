"""Suspicious access, raised to the scheme manager (§3.9, §4.4, §5.5).

Computed from the access log on demand (no job to forget): within the look-back
period, a person refused at least ``REFUSALS`` times in one day, or opening at
least ``OPENINGS`` different files within one clock hour. The thresholds are
settings (``RECORDS_SUSPICIOUS_ACCESS``) so a scheme can tune them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncDay, TruncHour
from django.utils import timezone
from django.utils.translation import ngettext

from access_log.models import AccessEvent
from homestart.models import Membership, User
from homestart.rules import Action, Outcome, Role

DEFAULTS = {"REFUSALS": 5, "OPENINGS": 20, "LOOK_BACK_DAYS": 14}


def thresholds() -> dict[str, int]:
    return {**DEFAULTS, **getattr(settings, "RECORDS_SUSPICIOUS_ACCESS", {})}


@dataclass(frozen=True)
class Alert:
    user_id: int
    person: User  # named on the page by full name and role (issue 15.5)
    kind: str  # "refusals" or "many_files"
    period_start: datetime.datetime
    count: int

    @property
    def description(self) -> str:
        if self.kind == "refusals":
            return ngettext("refused %(count)s time in one day", "refused %(count)s times in one day", self.count) % {
                "count": self.count
            }
        return ngettext(
            "opened %(count)s different file within one hour",
            "opened %(count)s different files within one hour",
            self.count,
        ) % {"count": self.count}


def suspicious_access(*, user: User, now: datetime.datetime | None = None) -> list[Alert]:
    """Alerts about the members of the schemes ``user`` manages; empty for anyone else."""
    managed = Membership.objects.current().filter(user=user, role=Role.MANAGER).values("scheme")
    if not managed.exists():
        return []
    limits = thresholds()
    now = now or timezone.now()
    members = Membership.objects.filter(scheme__in=managed).values("user")
    events = AccessEvent.objects.filter(at__gte=now - datetime.timedelta(days=limits["LOOK_BACK_DAYS"])).filter(
        Q(scheme__in=managed) | Q(user__in=members)
    )
    refusals = (
        events.filter(outcome=Outcome.REFUSED)
        .annotate(period=TruncDay("at"))
        .values("user", "period")
        .annotate(n=Count("id"))
        .filter(n__gte=limits["REFUSALS"])
    )
    rows = [("refusals", r) for r in refusals]
    openings = (
        events.filter(outcome=Outcome.ALLOWED, action=Action.VIEW)
        .annotate(period=TruncHour("at"))
        .values("user", "period")
        .annotate(n=Count("file_id", distinct=True))
        .filter(n__gte=limits["OPENINGS"])
    )
    rows += [("many_files", r) for r in openings]
    people = User.objects.in_bulk({r["user"] for _, r in rows})
    alerts = [Alert(r["user"], people[r["user"]], kind, r["period"], r["n"]) for kind, r in rows]
    return sorted(alerts, key=lambda a: a.period_start, reverse=True)
