"""The demo shows outcomes: families with start and end scores whose change the trustees see,
and a small group (signposted to housing) that the figures hide (§3.2, §8.9)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from homestart.models import Scheme
from outcomes.models import Assessment, Occasion
from reporting.outcome_statistics import outcome_statistics, year_start

pytestmark = pytest.mark.policy("3.2", "8.9")


def test_the_demo_has_journeys_to_count_and_a_small_group_to_hide(seeded_demo):
    wirral = Scheme.objects.get(code="WIR")
    stats = outcome_statistics(scheme=wirral, year=year_start(timezone.localdate()))
    both = dict(stats.table("outcome_families").rows)["Scored at the start and at the end of support"][0]
    assert not both.hidden and both.value >= 5
    housing = dict(stats.table("outcome_signposting").rows)["Housing support"][0]
    assert housing.hidden and housing.primary
    assert any(row.share_improving.endswith("%") for row in stats.summary)
    # The volunteer's family has a start and a review: its journey shows both.
    assert Assessment.objects.filter(family__reference="WIR-0001", occasion=Occasion.REVIEW).exists()
