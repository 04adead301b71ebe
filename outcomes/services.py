"""Recording the family's own scores (writes: keyword-only, atomic, through the gate)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from access_log import gate
from access_log.gate import FileAccess
from homestart.errors import AccessRefused
from homestart.models import User
from homestart.rules import Role, Section

from .models import HIGHEST, LOWEST, Area, Assessment, Need, Occasion, Service, pack, score_message

# Who records the end of support: the staff who close it (the volunteer's access ends then, §8.5).
END_RECORDERS = (Role.COORDINATOR, Role.MANAGER)


def occasions_open(*, access: FileAccess, last: Assessment | None) -> list[str]:
    """The occasions this person may record now, in order: a closed file takes only its
    end-of-support scores (§8.8: otherwise read-only); a volunteer records the start and
    reviews, the staff who close support the end; a start comes first, once per support."""
    family = access.target
    if family.is_closed:
        ended = last is not None and last.occasion == Occasion.END
        return [] if ended or access.role not in END_RECORDERS else [Occasion.END.value]
    if last is None or last.occasion == Occasion.END:
        # Nothing yet, or a reopened file starting again.
        return [Occasion.START.value]
    allowed: list[str] = [Occasion.REVIEW]
    if access.role in END_RECORDERS:
        allowed.append(Occasion.END)
    return allowed


def last_assessment(family) -> Assessment | None:
    return Assessment.objects.filter(family=family).order_by("-assessed_on", "-recorded_at").first()


@transaction.atomic
def assessment_record(
    *,
    access: FileAccess,
    actor: User,
    occasion: str,
    assessed_on: datetime.date,
    scores: dict[str, int | None],
    needs: list[str],
    signposting: list[str] = (),  # type: ignore[assignment]
    signposting_other: str = "",
    own_words: str = "",
    today: datetime.date | None = None,
) -> Assessment:
    """The family's scores at one occasion, with the needs it chose and where it was signposted."""
    today = today or timezone.localdate()
    family = access.target
    # One recording at a time for a family: two people sending a start at once make one start.
    type(family).objects.select_for_update().filter(pk=family.pk).values_list("pk").get()
    last = last_assessment(family)
    allowed = occasions_open(access=access, last=last)
    errors: dict[str, str] = {}
    if occasion not in Occasion.values:
        errors["occasion"] = _("Choose when the family scored.")
    elif occasion not in allowed:
        if not allowed:
            raise AccessRefused(_("Support is closed and its final scores are recorded: the file is read-only (§8.8)."))
        if occasion == Occasion.START:
            errors["occasion"] = _("The start-of-support scores are already recorded: record a review instead.")
        elif occasion == Occasion.END and access.role not in END_RECORDERS:
            errors["occasion"] = _("The end-of-support scores are recorded by the coordinator when support closes.")
        else:
            errors["occasion"] = _("Record the start-of-support scores first.")
    if assessed_on > today:
        errors["assessed_on"] = _("The date the family scored must be today or in the past.")
    elif last is not None and occasion != Occasion.START and assessed_on < last.assessed_on:
        errors["assessed_on"] = _("The date must be on or after the last scores (%(date)s).") % {
            "date": date_format(last.assessed_on, "j F Y")
        }
    for area in Area:
        value = scores.get(area.value)
        if value is None or not LOWEST <= value <= HIGHEST:
            errors[area.value] = score_message(area)
    unknown = set(needs) - set(Need.values)
    if unknown:
        errors["needs"] = _("Choose needs from the list.")
    elif not needs and occasion != Occasion.END:
        errors["needs"] = _("Choose at least one need the family wants help with.")
    services = list(signposting)
    if set(services) - set(Service.values):
        errors["signposting"] = _("Choose services from the list.")
    other = signposting_other.strip()
    if other and Service.OTHER not in services:
        services.append(Service.OTHER)
    if Service.OTHER in services and not other:
        errors["signposting_other"] = _("Name the other service.")
    if errors:
        raise ValidationError(errors)
    with gate.changing(access, section=Section.OUTCOMES) as target:
        assessment = Assessment(
            family=target,
            occasion=occasion,
            assessed_on=assessed_on,
            needs=pack([n for n in Need.values if n in needs]),
            signposting=pack([s for s in Service.values if s in services]),
            signposting_other=other,
            own_words=own_words.strip(),
            recorded_by=actor,
            **{area.value: scores[area.value] for area in Area},
        )
        assessment.full_clean()
        assessment.save()
    return assessment
