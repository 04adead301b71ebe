"""Factories for people and schemes, and ``make_family`` for family files.

Family files are never built by a factory: they are opened through
``families.services.family_create_from_referral`` like a coordinator does, so
every test family is encrypted, has history and has a consented referral (§7.1).
"""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import factory
from django.utils import timezone

from families import services
from families.models import Family, Referral
from homestart import services as people_services
from homestart.models import Membership, PolicyVersion, Scheme, User
from homestart.rules import Role
from records.models import VolunteerFile
from records.people import services as records_services

TEST_PASSWORD = "correct-horse-battery-staple"


class SchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scheme
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Home-Start Test {n}")
    code = factory.Sequence(lambda n: "T" + "".join(chr(65 + int(d)) for d in f"{n:03d}"))

    @factory.post_generation
    def staff_group(obj, create, extracted, **kwargs):  # noqa: N805 - factory-boy's hook signature
        """Every scheme has the group that holds its staff's file permissions."""
        if create:
            people_services.scheme_ensure_staff_group(scheme=obj)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@homestart.invalid")
    password = factory.django.Password(TEST_PASSWORD)
    is_active = True

    @factory.post_generation
    def inducted(obj, create, extracted, **kwargs):  # noqa: N805 - factory-boy's hook signature
        """People have acknowledged the current policy at induction unless told otherwise
        (``UserFactory(inducted=False)``), as the demo users have (§3.1, §4.1, §5.1)."""
        current = PolicyVersion.current()
        if create and extracted is not False and current is not None:
            people_services.policy_acknowledge(user=obj, version=current)


class MembershipFactory(factory.django.DjangoModelFactory):
    """Memberships go through the service, which keeps file permissions in step (§8.3)."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    scheme = factory.SubFactory(SchemeFactory)
    role = Role.COORDINATOR

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return people_services.membership_grant_at_setup(**kwargs)


_REFERRAL_KEYS = {
    "source",
    "referrer_name",
    "referrer_organisation",
    "referrer_contact",
    "referred_on",
    "reasons",
    "family_consented",
}
_CARER_KEYS = {"first_name", "last_name", "date_of_birth", "relationship"}
_CONTACT_KEYS = {"address", "postcode", "phone"}
_counter = itertools.count(1)


def make_family(scheme: Scheme, actor: User, **overrides: Any) -> Family:
    """Open a family file through the service, as the coordinator ``actor``.

    Keyword overrides go to the referral, the carer or the contact details by
    name, e.g. ``make_family(wirral, coordinator, last_name="Smith", postcode="CH41 4AB")``.
    Unknown names are an error, so a typo cannot silently do nothing.
    """
    unknown = set(overrides) - _REFERRAL_KEYS - _CARER_KEYS - _CONTACT_KEYS
    if unknown:
        raise TypeError(f"make_family: unknown override(s) {sorted(unknown)}")
    n = next(_counter)
    referral = {
        "source": Referral.Source.HEALTH_VISITOR,
        "referrer_name": f"Referrer {n}",
        "referrer_organisation": "Health visiting team",
        "referrer_contact": "0151 000 0000",
        "referred_on": timezone.localdate() - datetime.timedelta(days=10),
        "reasons": f"Invented reasons for referral number {n}.",
        "family_consented": True,
    }
    carer = {
        "first_name": f"Carer{n}",
        "last_name": f"Surname{n}",
        "date_of_birth": datetime.date(1990, 1, 1),
        "relationship": "mother",
    }
    contact = {"address": f"{n} Test Street\nBirkenhead", "postcode": "CH41 1AA", "phone": "07700 900000"}
    for key, value in overrides.items():
        target = referral if key in _REFERRAL_KEYS else carer if key in _CARER_KEYS else contact
        target[key] = value
    return services.family_create_from_referral(scheme=scheme, actor=actor, referral=referral, carer=carer, **contact)


def dbs_checked(scheme: Scheme, volunteer: User, actor: User, **fields: Any) -> VolunteerFile:
    """The volunteer's file, recording a current DBS check (opened if there is none): nobody is
    assigned to a family without one (issue 15.4, the scheme's safer-recruitment rule)."""
    existing = VolunteerFile.objects.filter(scheme=scheme, person=volunteer).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    fields = {"dbs_checked_on": today - datetime.timedelta(days=50), **fields}
    return records_services.volunteer_file_create(
        scheme=scheme,
        person=volunteer,
        actor=actor,
        full_name=volunteer.display_name,
        started_on=today - datetime.timedelta(days=60),
        **fields,
    )
