"""Matching a volunteer to a family (issue 15.4): who is suggested, in which order, and why.

The volunteer's side of a match — the areas they can reach, their languages, when they are free
and whether their DBS check is current — lives in their volunteer file, which belongs to
``records`` (a layer above). Records hands it down through ``register`` in its
``AppConfig.ready`` (docs/architecture.md, "handed the answer"); families computes the caseload
(its own assignments) and the ranking. Nothing here opens a volunteer file: the provider reads
only what a match needs, in words, for a coordinator of the same scheme.

The safer-recruitment rule: a volunteer without a current DBS check is neither suggested nor
assigned (``volunteer_may_be_assigned``). The Confidentiality Policy has no clause on DBS checks;
this is the scheme's rule for anyone who visits families alone.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from homestart.language import and_join
from homestart.models import Scheme, User

from .models import Family

# When a volunteer is free, or when a family would like visits: a day and a part of the day.
# Each written whole, so that a language can word it its own way ("nos Lun", Monday evening).
TIMES = (
    ("mon_morning", _("Monday morning")),
    ("mon_afternoon", _("Monday afternoon")),
    ("mon_evening", _("Monday evening")),
    ("tue_morning", _("Tuesday morning")),
    ("tue_afternoon", _("Tuesday afternoon")),
    ("tue_evening", _("Tuesday evening")),
    ("wed_morning", _("Wednesday morning")),
    ("wed_afternoon", _("Wednesday afternoon")),
    ("wed_evening", _("Wednesday evening")),
    ("thu_morning", _("Thursday morning")),
    ("thu_afternoon", _("Thursday afternoon")),
    ("thu_evening", _("Thursday evening")),
    ("fri_morning", _("Friday morning")),
    ("fri_afternoon", _("Friday afternoon")),
    ("fri_evening", _("Friday evening")),
    ("sat_morning", _("Saturday morning")),
    ("sat_afternoon", _("Saturday afternoon")),
    ("sat_evening", _("Saturday evening")),
    ("sun_morning", _("Sunday morning")),
    ("sun_afternoon", _("Sunday afternoon")),
    ("sun_evening", _("Sunday evening")),
)
TIME_LABELS = dict(TIMES)

NO_DBS = _(
    "This volunteer has no current DBS check in their volunteer file, so cannot be assigned "
    "(the scheme's safer-recruitment rule: only volunteers with a current enhanced DBS check visit families)."
)


@dataclass(frozen=True)
class Profile:
    """What a match needs to know of a volunteer, from their volunteer file."""

    areas: frozenset[str] = frozenset()  # postcode districts, upper case ("CH41")
    languages: tuple[str, ...] = ()  # as written in the file ("Polish")
    times: frozenset[str] = frozenset()  # codes of TIMES
    dbs_current: bool = False


Provider = Callable[[Scheme, list[int], datetime.date], dict[int, Profile]]
_PROVIDERS: list[Provider] = []


def register(provider: Provider) -> None:
    """Called once by ``records`` at start-up: it answers profiles for a scheme's volunteers."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def profiles_of(*, scheme: Scheme, user_ids: Iterable[int], on: datetime.date) -> dict[int, Profile]:
    """Each volunteer's profile; a volunteer without a volunteer file has the empty profile
    (no DBS check recorded, so they are not assignable)."""
    ids = list(user_ids)
    found: dict[int, Profile] = {}
    for provider in _PROVIDERS:
        found.update(provider(scheme, ids, on))
    return {pk: found.get(pk, Profile()) for pk in ids}


def volunteer_may_be_assigned(*, scheme: Scheme, volunteer: User, on: datetime.date) -> bool:
    """The safer-recruitment rule: a current DBS check recorded in the volunteer file."""
    return profiles_of(scheme=scheme, user_ids=[volunteer.pk], on=on)[volunteer.pk].dbs_current


def caseloads(*, user_ids: Iterable[int]) -> dict[int, int]:
    """How many families each volunteer supports now (current assignments of open families)."""
    ids = list(user_ids)
    rows = (
        User.objects.filter(pk__in=ids)
        .annotate(
            n=Count(
                "assignments__family",
                filter=Q(assignments__ended_at__isnull=True) & ~Q(assignments__family__status=Family.Status.CLOSED),
                distinct=True,
            )
        )
        .values_list("pk", "n")
    )
    return dict(rows)


def families_now(n: int) -> str:
    if n == 0:
        return gettext("no families now")
    return ngettext("%(count)s family now", "%(count)s families now", n) % {"count": n}


def times_in_words(codes: Iterable[str]) -> str:
    labels = [str(TIME_LABELS[code]) for code, _label in TIMES if code in set(codes)]
    if len(labels) > 3:
        return gettext("%(first)s and %(count)s more") % {"first": ", ".join(labels[:3]), "count": len(labels) - 3}
    if len(labels) > 1:
        return and_join(", ".join(labels[:-1]), labels[-1])
    return "".join(labels)


@dataclass(frozen=True)
class Suggestion:
    volunteer: User
    reasons: tuple[str, ...]
    score: tuple[int, ...]

    @property
    def why(self) -> str:
        """The reason in words: "reaches CH41, speaks Polish, 1 family now"."""
        return ", ".join(self.reasons)


def suggestions(
    *,
    family: Family,
    volunteers: Iterable[User],
    language: str = "",
    times: Iterable[str] = (),
    on: datetime.date,
) -> list[Suggestion]:
    """The volunteers who may be assigned (a current DBS check), best match first: reaching the
    family's postcode district, speaking the language asked for, free at the times asked for, then
    the lightest caseload; ties by name. A volunteer already supporting the family is left out."""
    people = list(volunteers)
    ids = [p.pk for p in people]
    profiles = profiles_of(scheme=family.scheme, user_ids=ids, on=on)
    loads = caseloads(user_ids=ids)
    current = set(family.assignments.filter(ended_at__isnull=True).values_list("volunteer_id", flat=True))
    wanted_language = language.strip().casefold()
    wanted_times = set(times)
    found = []
    for person in people:
        profile = profiles[person.pk]
        if not profile.dbs_current or person.pk in current:
            continue
        reasons = []
        reaches = bool(family.area) and family.area in profile.areas
        if reaches:
            reasons.append(gettext("reaches %(area)s") % {"area": family.area})
        speaks = next((lang for lang in profile.languages if lang.casefold() == wanted_language), None)
        if wanted_language and speaks:
            reasons.append(gettext("speaks %(language)s") % {"language": speaks})
        overlap = wanted_times & profile.times
        if overlap:
            reasons.append(gettext("free %(times)s") % {"times": times_in_words(overlap)})
        load = loads.get(person.pk, 0)
        reasons.append(families_now(load))
        score = (int(reaches), int(bool(wanted_language and speaks)), len(overlap), -load)
        found.append(Suggestion(person, tuple(reasons), score))
    found.sort(key=lambda s: (tuple(-x for x in s.score), s.volunteer.display_name.casefold(), s.volunteer.pk))
    return found
