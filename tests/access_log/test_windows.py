"""One statement of "window open now" for reviews (§9.1) and audit sessions (§10.1)
(access_log.models.WindowQuerySet): queries, loaded rows and pages give the same answer."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from access_log.models import AuditSession, Review
from homestart.rules import Role
from tests.factories import MembershipFactory, UserFactory

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def review(wirral, reviewer, now):
    return Review.objects.create(
        kind=Review.Kind.QUALITY_REVIEW,
        scheme=wirral,
        reviewer=reviewer,
        opens_at=now - HOUR,
        closes_at=now + HOUR,
        sample_size=1,
    )


@pytest.fixture
def session(wirral, coordinator, now):
    auditor = UserFactory()
    MembershipFactory(user=auditor, scheme=wirral, role=Role.AUDITOR)
    return AuditSession.objects.create(
        scheme=wirral,
        auditor=auditor,
        opened_by=coordinator,
        coordinator_signed_name="Cora Coordinator",
        opened_at=now - HOUR,
        expires_at=now + HOUR,
    )


def _answers(window, model, at):
    return (model.objects.open_now(at).filter(pk=window.pk).exists(), window.is_open(at))


@pytest.mark.policy("9.1", "10.1")
@pytest.mark.parametrize("name", ["review", "session"])
def test_a_window_is_open_from_its_start_until_its_end_and_not_after(name, request, now):
    window = request.getfixturevalue(name)
    model = type(window)
    starts, ends = (window.opens_at, window.closes_at) if name == "review" else (window.opened_at, window.expires_at)
    assert _answers(window, model, starts - datetime.timedelta(seconds=1)) == (False, False)
    assert _answers(window, model, starts) == (True, True)
    assert _answers(window, model, now) == (True, True)
    assert _answers(window, model, ends - datetime.timedelta(seconds=1)) == (True, True)
    assert _answers(window, model, ends) == (False, False)  # a window that has closed is not open
    assert _answers(window, model, ends + HOUR) == (False, False)


@pytest.mark.policy("9.1", "10.1")
@pytest.mark.parametrize("name", ["review", "session"])
def test_a_window_closed_early_is_not_open_though_its_time_has_not_run_out(name, request, now):
    window = request.getfixturevalue(name)
    type(window).objects.filter(pk=window.pk).update(closed_at=now)
    window.refresh_from_db()
    assert _answers(window, type(window), now) == (False, False)
    assert window.status == "Closed"


@pytest.mark.policy("9.1")
def test_the_reviewer_sees_an_ended_review_as_ended(review, reviewer, client_for, now):
    page = reverse("access_log:review_list")
    assert "Open" in client_for(reviewer).get(page).content.decode()
    Review.objects.filter(pk=review.pk).update(opens_at=now - 3 * HOUR, closes_at=now - HOUR)
    body = client_for(reviewer).get(page).content.decode()
    assert "Ended" in body and ">Open<" not in body
