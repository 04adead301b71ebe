"""Reads of the breach register that depend on who asks (§3.9, §4.4, §5.5)."""

from __future__ import annotations

from django.db.models import QuerySet

from homestart.models import User, schemes_where
from records.breaches.services import BREACH_ROLES
from records.models import Breach


def breaches_for(*, user: User) -> QuerySet[Breach]:
    return Breach.objects.filter(scheme__in=schemes_where(user, BREACH_ROLES)).select_related("data_key", "found_by")
