"""Sign-in lockout counted twice (§8.2; OWASP ASVS 5.0 V6.1.1, V6.3.1): per username from
one client address, and per client address across every username.

django-axes counts one limit (``AXES_FAILURE_LIMIT``) over every group of
``AXES_LOCKOUT_PARAMETERS``. Here the two groups have limits of their own:

* ``AXES_FAILURE_LIMIT`` (5) wrong passwords for one username from one address lock
  that username there; others behind the same address still sign in;
* ``LOCKOUT_ADDRESS_FAILURE_LIMIT`` (20) wrong passwords from one address, whatever
  the usernames, lock sign-in from that address: one address can no longer try four
  passwords on every username every half hour.

Both count failures within ``LOCKOUT_COOLOFF_MINUTES``. A successful sign-in clears
only that person's failures from that address, never the address's other failures
(or anyone could reset the address count with an account of their own).
"""

from __future__ import annotations

import enum
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


class LockedBy(enum.Enum):
    USERNAME = "username"  # one username from one address
    ADDRESS = "address"  # one address, every username


def _failures(request: HttpRequest, **where: Any) -> int:
    attempts = AccessAttempt.objects.filter(**where)
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def failure_counts(request: HttpRequest, credentials: dict | None = None) -> tuple[int, int]:
    """(failures of this username from this address, failures from this address)."""
    address = request.axes_ip_address
    username = get_client_username(request, credentials)
    return _failures(request, username=username, ip_address=address), _failures(request, ip_address=address)


def locked_by(request: HttpRequest, credentials: dict | None = None) -> LockedBy | None:
    per_username, per_address = failure_counts(request, credentials)
    if per_username >= get_failure_limit(request, credentials):
        return LockedBy.USERNAME
    if per_address >= settings.LOCKOUT_ADDRESS_FAILURE_LIMIT:
        return LockedBy.ADDRESS
    return None


class LockoutHandler(AxesDatabaseHandler):
    """``AXES_HANDLER``: django-axes' database handler with the two limits above."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        # Axes compares this one number with AXES_FAILURE_LIMIT: the address's count is
        # weighed against its own limit, so it reaches AXES_FAILURE_LIMIT exactly when
        # the address reaches LOCKOUT_ADDRESS_FAILURE_LIMIT.
        limit = get_failure_limit(request, credentials)
        per_username, per_address = failure_counts(request, credentials)
        return max(per_username, per_address * limit // settings.LOCKOUT_ADDRESS_FAILURE_LIMIT)

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return count
