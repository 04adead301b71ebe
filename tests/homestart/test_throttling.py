"""Throttling beyond one username (§8.2; OWASP ASVS 5.0 V2.4.1, V6.3.1, V15.2.2).

Sign-in: 5 wrong passwords lock one username from one address (tests/homestart/
test_security.py), and 20 from one address, whatever the usernames, stop sign-in from
that address. Searches and exports are limited per person; over the limit the person
is told, nothing is done, and a security event is logged."""

from __future__ import annotations

import logging

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from homestart.ratelimit import Action, rate_hit
from records.models import SubjectAccessRequest
from records.subject_access import services as records_services
from reporting.models import ReportEvent
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.policy("8.2")

ADDRESS = "203.0.113.50"


@pytest.fixture
def events(caplog):
    caplog.set_level(logging.INFO, logger="homestart.security")

    def logged(name: str) -> list[dict]:
        return [r.security for r in caplog.records if r.name == "homestart.security" and r.security["event"] == name]

    return logged


def attempt(username: str, password: str = "not-the-password", address: str = ADDRESS):
    return Client(REMOTE_ADDR=address).post(reverse("login"), {"username": username, "password": password})


def wrong_passwords(count: int, *, prefix: str = "guess") -> None:
    """``count`` wrong passwords from ADDRESS, never more than 4 on one username."""
    for n in range(count):
        attempt(f"{prefix}{n // 4}")


# --- sign-in: per address, across usernames ----------------------------------------------


def test_twenty_wrong_passwords_on_many_usernames_stop_sign_in_from_that_address(coordinator, manager, events):
    wrong_passwords(20)
    locked = attempt(coordinator.username, TEST_PASSWORD)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Signing in from this network is paused after 20 wrong passwords" in page
    assert "Other people can still sign in" not in page
    # Someone somewhere else is not affected.
    assert attempt(manager.username, TEST_PASSWORD, address="198.51.100.20").status_code == 302
    assert {e["scope"] for e in events("locked_out")} == {"address"}


def test_nineteen_wrong_passwords_from_one_address_still_let_the_right_one_in(coordinator):
    wrong_passwords(19)
    assert attempt(coordinator.username, TEST_PASSWORD).status_code == 302


def test_five_on_one_username_still_lock_only_that_username(coordinator, manager, events):
    for _ in range(5):
        attempt(coordinator.username)
    page = attempt(coordinator.username, TEST_PASSWORD).content.decode()
    assert "This account is locked on this device after 5 wrong passwords" in page
    assert attempt(manager.username, TEST_PASSWORD).status_code == 302
    assert {e["scope"] for e in events("locked_out")} == {"username"}


def test_signing_in_clears_only_ones_own_failures_not_the_addresses(coordinator, manager):
    for _ in range(4):
        attempt(coordinator.username)
    wrong_passwords(15)
    assert attempt(coordinator.username, TEST_PASSWORD).status_code == 302  # clears the coordinator's 4
    wrong_passwords(5, prefix="more")  # 15 + 5: the address's count was not reset by that success
    assert attempt(manager.username, TEST_PASSWORD).status_code == 429


def test_the_address_limit_cannot_be_set_below_the_username_limit(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import homestart.settings

    monkeypatch.setenv("LOCKOUT_ADDRESS_FAILURE_LIMIT", "3")
    with pytest.raises(ImproperlyConfigured, match="at least 5"):
        importlib.reload(homestart.settings)
    monkeypatch.delenv("LOCKOUT_ADDRESS_FAILURE_LIMIT")
    importlib.reload(homestart.settings)


# --- searches and exports, per person -----------------------------------------------------


def test_the_counter_is_a_fixed_window_per_person_and_action():
    limit, window = 3, 600
    with override_settings(RATE_LIMITS={Action.FAMILY_SEARCH.value: (limit, window)}):
        start = 1_000_000 * window
        assert [rate_hit(user_id=7, action=Action.FAMILY_SEARCH, now=start + i)[0] for i in range(4)] == [
            True,
            True,
            True,
            False,
        ]
        assert rate_hit(user_id=8, action=Action.FAMILY_SEARCH, now=start + 5)[0]  # someone else
        allowed, used, wait = rate_hit(user_id=7, action=Action.FAMILY_SEARCH, now=start + window)
        assert (allowed, used, wait) == (True, 1, window)  # the next window starts again


@override_settings(RATE_LIMITS={"family_search": (3, 600)})
def test_searching_more_than_the_limit_is_refused_with_a_message_and_logged(
    family, coordinator, manager, client_for, events
):
    client = client_for(coordinator)
    for _ in range(3):
        response = client.post(reverse("families:search"), {"q": family.reference})
        assert response.status_code == 200 and family.reference in response.content.decode()
    assert client.get(reverse("families:search")).status_code == 200  # opening the page is not a search
    refused = client.post(reverse("families:search"), {"q": family.reference})
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "You have reached the limit of 3 searches for a family in 10 minutes" in page
    assert family.reference not in page
    assert 0 < int(refused["Retry-After"]) <= 600
    client.post(reverse("families:search"), {"q": family.reference})
    logged = events("rate_limited")
    assert len(logged) == 1 and logged[0]["user_id"] == coordinator.pk and logged[0]["action"] == "family_search"
    # The limit is per person: a colleague searches as usual.
    assert client_for(manager).post(reverse("families:search"), {"q": family.reference}).status_code == 200


@override_settings(RATE_LIMITS={"statistics_export": (2, 3600)})
def test_the_funders_csv_is_limited_and_a_refused_export_is_not_recorded(wirral, trustee, client_for):
    client = client_for(trustee)
    url = f"{reverse('reporting:statistics_csv')}?period=month&scheme=WIR"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    assert ReportEvent.objects.filter(kind=ReportEvent.Kind.STATISTICS_EXPORT).count() == 2


@override_settings(RATE_LIMITS={"subject_access_download": (2, 3600)})
def test_subject_access_responses_share_one_limit_for_the_page_and_the_download(family, wirral, manager, client_for):
    sar = records_services.sar_register(
        scheme=wirral,
        actor=manager,
        subject_kind=SubjectAccessRequest.SubjectKind.FAMILY_MEMBER,
        requester_name="Rosalind Quenby",
        received_on=timezone.localdate(),
        family=family,
        member=family.members.get(kind="adult"),
    )
    client = client_for(manager)
    assert client.get(reverse("records:sar_document", args=[sar.pk])).status_code == 200
    assert client.get(reverse("records:sar_json", args=[sar.pk])).status_code == 200
    refused = client.get(reverse("records:sar_json", args=[sar.pk]))
    assert refused.status_code == 429 and "Content-Disposition" not in refused


@override_settings(RATE_LIMITS={"transfer": (1, 3600)})
def test_transfers_are_limited_but_opening_the_form_is_not(family, coordinator, client_for):
    client = client_for(coordinator)
    url = reverse("consent:transfer_new", kwargs={"reference": family.reference})
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 200  # a form with errors, counted
    refused = client.post(url, {})
    assert refused.status_code == 429 and "transfers to another scheme" in refused.content.decode()


def test_the_default_limits_are_generous_for_a_days_work(settings):
    assert settings.RATE_LIMITS == {
        "family_search": (60, 600),
        "statistics_export": (20, 3600),
        "subject_access_download": (30, 3600),
        "transfer": (10, 3600),
    }
    assert set(settings.RATE_LIMITS) == {a.value for a in Action}
