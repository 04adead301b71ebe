"""Fixtures shared by the consent and safeguarding suites (imported by their conftest files)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.utils import timezone

from access_log import gate
from access_log.gate import FileAccess
from consent import services as consent_services
from consent.models import Consent, RecipientKind, Scope
from families.models import Family, Member
from homestart.models import User

TODAY = timezone.localdate
SUMMARY = "Attending the baby group weekly; volunteer visiting on Tuesdays"
OBSERVED = "Child said he was left alone overnight with no food in the house"


@pytest.fixture
def open_as() -> Callable[..., FileAccess]:
    """``open_as(user, family, "consent", change=True)``: open a section through the gate."""

    def opener(user: User, family: Family, section: str, change: bool = False) -> FileAccess:
        return gate.open_family(user=user, reference=family.reference, section=section, for_change=change)

    return opener


@pytest.fixture
def carer(family) -> Member:
    return family.members.get(kind=Member.Kind.ADULT)


@pytest.fixture
def give_consent(open_as, coordinator, carer) -> Callable[..., Consent]:
    def give(
        family: Family,
        scope: str = Scope.GENERAL,
        recipient_kind: str = RecipientKind.REFERRER,
        recipient_name: str = "",
        given_on: datetime.date | None = None,
    ) -> Consent:
        given_on = given_on or TODAY() - datetime.timedelta(days=10)
        return consent_services.consent_record(
            access=open_as(coordinator, family, "consent", change=True),
            given_by=carer,
            scope=scope,
            recipient_kind=recipient_kind,
            recipient_name=recipient_name,
            method=Consent.Method.WRITTEN,
            given_on=given_on,
            review_on=given_on + datetime.timedelta(days=180),
            actor=coordinator,
        )

    return give
