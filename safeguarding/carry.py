"""Safeguarding concerns travel with a transferred family file (§9.2, §9.3).

Where there are or have been safeguarding concerns, they and their actions go to
the new scheme with the file, whether or not the family consented to the transfer
(§9.3: the policy names them as the reason to share without consent). The sending
scheme keeps its own rows: nothing here changes or deletes them.

``consent.transfers`` calls these two functions; this module imports nothing of
``consent``, so no new import circle is made.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_datetime

from families.models import Family
from homestart.models import User
from homestart.writes import save_tracked

from .models import Concern, ConcernAction

CARRIED_REASON = "Carried with the file from {origin} (§9.2, §9.3)"


def concerns_to_carry(*, family: Family) -> list[dict[str, Any]]:
    """The family's concerns with their actions, as plain data for the new scheme.

    Called by the transfer only, inside the transaction in which the sending
    coordinator opened the file through the gate for the transfer."""
    concerns = Concern.objects.filter(family=family).select_related("family__data_key", "raised_by")
    actions = ConcernAction.objects.filter(family=family).select_related("family__data_key", "taken_by")
    by_concern: dict[Any, list[dict[str, Any]]] = {}
    for action in actions.order_by("taken_on", "created_at"):
        by_concern.setdefault(action.concern_id, []).append(
            {
                "action": action.action,
                "taken_on": action.taken_on.isoformat(),
                "taken_by_id": action.taken_by_id,
                "taken_by_name": action.taken_by.display_name,
                "created_at": action.created_at.isoformat(),
            }
        )
    return [
        {
            "category": concern.category,
            "observed": concern.observed,
            "observed_on": concern.observed_on.isoformat(),
            "raised_by_id": concern.raised_by_id,
            "raised_by_name": concern.raised_by.display_name,
            "raised_at": concern.raised_at.isoformat(),
            "status": concern.status,
            "referred_on": concern.referred_on.isoformat() if concern.referred_on else None,
            "la_reference": concern.la_reference,
            "closed_at": concern.closed_at.isoformat() if concern.closed_at else None,
            "actions": by_concern.get(concern.pk, []),
        }
        for concern in concerns.order_by("raised_at")
    ]


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _moment(value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None:
        raise ValueError("not a date and time")
    return moment


@transaction.atomic
def concerns_receive(
    *, family: Family, concerns: list[dict[str, Any]], origin: str, actor: User, same_installation: bool
) -> list[Concern]:
    """Copies of the carried concerns and actions on the new family file.

    The receiving scheme's safeguarding lead and staff then see them through the
    gate, as the scheme's own (the family's "safeguarding" section). Within this
    installation the people who raised and acted keep their names on the rows; from
    a package they are people of another system, so the importing coordinator is the
    recorded user and their names are kept in ``carried_from``."""
    received = []
    reason = CARRIED_REASON.format(origin=origin)
    for given in concerns:
        raiser = _person(given, "raised_by", same_installation, actor)
        concern = Concern(
            family=family,
            category=given["category"],
            observed=given["observed"],
            observed_on=_day(given["observed_on"]),
            raised_by=raiser,
            raised_at=_moment(given["raised_at"]),
            status=given["status"],
            referred_on=_day(given.get("referred_on")),
            la_reference=given.get("la_reference") or "",
            closed_at=_moment(given.get("closed_at")),
            carried_from=_carried(origin, given, "raised_by", same_installation),
        )
        save_tracked(concern, actor=actor, reason=reason)
        for step in given.get("actions", []):
            action = ConcernAction(
                family=family,
                concern=concern,
                action=step["action"],
                taken_on=_day(step["taken_on"]),
                taken_by=_person(step, "taken_by", same_installation, actor),
                created_at=_moment(step.get("created_at")) or concern.raised_at,
                carried_from=_carried(origin, step, "taken_by", same_installation),
            )
            save_tracked(action, actor=actor, reason=reason)
        received.append(concern)
    return received


def _person(given: dict[str, Any], field: str, same_installation: bool, actor: User) -> User:
    if same_installation:
        person = User.objects.filter(pk=given.get(f"{field}_id")).first()
        if person is not None:
            return person
    return actor


def _carried(origin: str, given: dict[str, Any], field: str, same_installation: bool) -> str:
    if same_installation:
        return origin
    return f"{origin}; recorded there by {given.get(f'{field}_name') or 'someone not named'}"
