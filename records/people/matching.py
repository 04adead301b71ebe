"""The volunteer's side of a match (issue 15.4), handed to ``families.matching`` at start-up: the
areas a volunteer can reach, their languages, when they are free and whether their DBS check is
current, read from their volunteer file for a coordinator assigning in the same scheme. A file
whose person has left, or which has been destroyed (§8.8), gives nothing: not assignable."""

from __future__ import annotations

import datetime

from families.matching import TIME_LABELS, Profile
from homestart.models import Scheme
from records.models import VolunteerFile
from records.models.people import split_areas, split_words


def profiles(scheme: Scheme, user_ids: list[int], on: datetime.date) -> dict[int, Profile]:
    files = VolunteerFile.objects.filter(
        scheme=scheme, person_id__in=user_ids, left_on__isnull=True, data_key__destroyed_at__isnull=True
    ).select_related("data_key")
    return {
        file.person_id: Profile(
            areas=frozenset(split_areas(file.areas)),
            languages=tuple(split_words(file.languages)),
            times=frozenset(code for code in split_words(file.availability) if code in TIME_LABELS),
            dbs_current=file.dbs_current(on),
        )
        for file in files
    }
