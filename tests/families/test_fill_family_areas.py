"""Families recorded before the postcode district existed get it once (§3.2)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from families.models import Family

pytestmark = pytest.mark.policy("3.2")


def test_fill_family_areas_sets_the_district_of_older_families(family):
    Family.objects.filter(pk=family.pk).update(area="")
    out = StringIO()
    call_command("fill_family_areas", stdout=out)
    assert Family.objects.get(pk=family.pk).area == "CH41"
    assert "1 families" in out.getvalue()
    call_command("fill_family_areas", stdout=StringIO())
    assert Family.objects.get(pk=family.pk).area == "CH41"
