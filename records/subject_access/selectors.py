"""Reads of the subject access register that depend on who asks (§1.6, §8.7)."""

from __future__ import annotations

from django.db.models import QuerySet

from homestart.models import User, schemes_where
from records.models import SubjectAccessRequest
from records.subject_access.services import SAR_ROLES


def sars_for(*, user: User) -> QuerySet[SubjectAccessRequest]:
    return SubjectAccessRequest.objects.filter(scheme__in=schemes_where(user, SAR_ROLES)).select_related("scheme")
