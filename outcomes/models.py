"""The family's own scores over its support (Home-Start's outcome measure, "MESH").

At the start of support, at each formal review and at the end, the family scores how well
it is coping in four headline areas, from 0 (not coping at all) to 5 (coping very well),
chooses the needs it wants help with and may say, in its own words, how things are; the
scheme records where it signposted the family.

What is kept, and how:

* The scores, the occasion, its date, the needs chosen and the services signposted are
  codes and small numbers from fixed lists: they name nobody, and the trustees' figures are
  counted from them in the database without opening a family's file (§3.2, §8.9), as the
  statistics count visit kinds and postcode districts.
* The family's own words and any "other" service, typed freely, are sealed with the family's
  key (§8.2): destroying the family (§8.8) leaves only numbers attached to a tombstone.
* An assessment is written once (append-only): a later one is a new row, so the journey
  and who recorded each step stay on record.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from homestart.fields import EncryptedCharField, EncryptedTextField
from homestart.models import AppendOnlyModel, EncryptedModel, FamilyKey

LOWEST, HIGHEST = 0, 5


class Occasion(models.TextChoices):
    START = "start", _("Start of support")
    REVIEW = "review", _("Review")
    END = "end", _("End of support")


class Area(models.TextChoices):
    """The four headline areas the family scores itself in. Each value is also the name of
    the assessment's score field."""

    PARENTING = "parenting", _("Parenting skills")
    PARENT_WELLBEING = "parent_wellbeing", _("Parental well-being")
    CHILDREN_WELLBEING = "children_wellbeing", _("Children's well-being")
    FAMILY_MANAGEMENT = "family_management", _("Family management")


class Need(models.TextChoices):
    """The 13 specific needs a family may choose to work on (docs/outcomes.md), each in one area."""

    # Parenting skills
    BOUNDARIES = "boundaries", _("Parenting skills and boundaries")
    ROUTINES = "routines", _("Children's routines")
    PARENT_CHILD = "parent_child", _("The parent–child relationship")
    # Parental well-being
    PARENT_PHYSICAL = "parent_physical", _("Parent's physical health")
    PARENT_EMOTIONAL = "parent_emotional", _("Parent's emotional well-being and mental health")
    ISOLATION = "isolation", _("Feeling less isolated")
    SELF_ESTEEM = "self_esteem", _("Self-esteem and confidence")
    # Children's well-being
    CHILD_PHYSICAL = "child_physical", _("Children's physical health")
    CHILD_EMOTIONAL = "child_emotional", _("Children's emotional well-being")
    CHILD_BEHAVIOUR = "child_behaviour", _("Children's behaviour")
    # Family management
    HOME = "home", _("Managing the home")
    MONEY = "money", _("Managing money")
    SERVICES = "services", _("Using other services")


NEED_AREA: dict[str, str] = {
    Need.BOUNDARIES: Area.PARENTING,
    Need.ROUTINES: Area.PARENTING,
    Need.PARENT_CHILD: Area.PARENTING,
    Need.PARENT_PHYSICAL: Area.PARENT_WELLBEING,
    Need.PARENT_EMOTIONAL: Area.PARENT_WELLBEING,
    Need.ISOLATION: Area.PARENT_WELLBEING,
    Need.SELF_ESTEEM: Area.PARENT_WELLBEING,
    Need.CHILD_PHYSICAL: Area.CHILDREN_WELLBEING,
    Need.CHILD_EMOTIONAL: Area.CHILDREN_WELLBEING,
    Need.CHILD_BEHAVIOUR: Area.CHILDREN_WELLBEING,
    Need.HOME: Area.FAMILY_MANAGEMENT,
    Need.MONEY: Area.FAMILY_MANAGEMENT,
    Need.SERVICES: Area.FAMILY_MANAGEMENT,
}


class Service(models.TextChoices):
    """Where the scheme signposted the family: counted for funders (§8.9), never named with it."""

    HEALTH_VISITOR = "health_visitor", _("Health visitor or GP")
    FAMILY_HUB = "family_hub", _("Family hub or children's centre")
    MENTAL_HEALTH = "mental_health", _("Mental health support")
    MONEY_ADVICE = "money_advice", _("Debt, benefits or money advice")
    HOUSING = "housing", _("Housing support")
    FOOD = "food", _("Food bank or baby bank")
    DOMESTIC_ABUSE = "domestic_abuse", _("Domestic abuse support")
    CHILDCARE = "childcare", _("Nursery, childcare or early education")
    PARENTING_COURSE = "parenting_course", _("Parenting course or group")
    OTHER = "other", _("Another service")


def _codes(value: str) -> list[str]:
    return [code for code in value.split(",") if code]


def pack(codes: list[str]) -> str:
    """Codes stored between commas (",money,home,"), so that ``__contains=",money,"`` finds one
    exactly, on SQLite and PostgreSQL alike."""
    return f",{','.join(codes)}," if codes else ""


def score_message(area: Area) -> str:
    """What to do about a missing score, naming the area in the reader's language."""
    return gettext("Choose a score from %(lowest)s to %(highest)s for %(area)s.") % {
        "lowest": LOWEST,
        "highest": HIGHEST,
        "area": str(area.label).lower(),
    }


def score_field(label: StrOrPromise) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, validators=[MinValueValidator(LOWEST), MaxValueValidator(HIGHEST)])


class Assessment(FamilyKey, EncryptedModel, AppendOnlyModel):
    """One scoring by the family, at one occasion of its support. Written once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey("families.Family", on_delete=models.PROTECT, related_name="outcome_assessments")
    occasion = models.CharField(max_length=8, choices=Occasion.choices)
    assessed_on = models.DateField(_("date the family scored"))
    parenting = score_field(Area.PARENTING.label)
    parent_wellbeing = score_field(Area.PARENT_WELLBEING.label)
    children_wellbeing = score_field(Area.CHILDREN_WELLBEING.label)
    family_management = score_field(Area.FAMILY_MANAGEMENT.label)
    needs = models.CharField(_("needs chosen"), max_length=300, blank=True)
    signposting = models.CharField(_("services signposted to"), max_length=300, blank=True)
    signposting_other = EncryptedCharField(_("another service"), max_length=200, blank=True)
    own_words = EncryptedTextField(_("in the family's own words"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["assessed_on", "recorded_at"]
        verbose_name = _("outcome scoring")
        verbose_name_plural = _("outcome scores")
        indexes = [models.Index(fields=["family", "occasion", "assessed_on"], name="outcome_family_occasion")]
        constraints = [
            models.CheckConstraint(
                condition=Q(parenting__lte=HIGHEST)
                & Q(parent_wellbeing__lte=HIGHEST)
                & Q(children_wellbeing__lte=HIGHEST)
                & Q(family_management__lte=HIGHEST),
                name="outcome_scores_0_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_occasion_display()} scores for {self.family_id and self.family.reference}"

    def score(self, area: str) -> int:
        return int(getattr(self, Area(area).value))

    @property
    def scores(self) -> list[tuple[str, int]]:
        """(area in words, score) in the order of the areas."""
        return [(str(area.label), self.score(area)) for area in Area]

    @property
    def need_codes(self) -> list[str]:
        return _codes(self.needs)

    @property
    def needs_by_area(self) -> list[tuple[str, list[str]]]:
        """The needs chosen, in words, under their area; areas with none left out."""
        chosen = set(self.need_codes)
        grouped = [
            (str(area.label), [str(n.label) for n in Need if n in chosen and NEED_AREA[n] == area]) for area in Area
        ]
        return [(area, needs) for area, needs in grouped if needs]

    @property
    def service_codes(self) -> list[str]:
        return _codes(self.signposting)

    @property
    def service_labels(self) -> list[str]:
        """The services signposted to, from the list (_("Another service") not named)."""
        chosen = set(self.service_codes)
        return [str(s.label) for s in Service if s in chosen]

    @property
    def services(self) -> list[str]:
        """The services signposted to, in words, the other one by its own name (sealed)."""
        labels = self.service_labels
        if Service.OTHER in self.service_codes and self.signposting_other:
            labels[-1] = f"{Service.OTHER.label}: {self.signposting_other}"
        return labels
