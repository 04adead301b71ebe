"""Security events (§8.2; OWASP ASVS 16.2.1, 16.3.1, 16.3.3): failed and passed
second factors, re-authentication, lockouts, password changes, recovery codes,
enrolment and removal of two-factor sign-in are logged by ``homestart.security``
with the user's id, the client address and the request id, and nothing personal.

Also: which X-Request-ID is believed (ASVS 4.1.3, 16.4.1)."""

from __future__ import annotations

import logging

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from homestart import security
from homestart.request_id import request_id_for
from tests.factories import TEST_PASSWORD
from tests.homestart.test_security import current_code, enrol, sign_in, wait_out_throttling

pytestmark = pytest.mark.policy("8.2")


@pytest.fixture
def events(caplog):
    caplog.set_level(logging.INFO, logger="homestart.security")

    def logged(name: str | None = None) -> list[dict]:
        found = [r.security for r in caplog.records if r.name == "homestart.security"]
        return [e for e in found if name is None or e["event"] == name]

    return logged


def the_one(events, name: str) -> dict:
    found = events(name)
    assert len(found) == 1, (name, events())
    return found[0]


def test_a_wrong_second_factor_code_is_logged_with_who_where_and_which_request(family, coordinator, events, caplog):
    enrol(sign_in(coordinator), coordinator)
    client = sign_in(coordinator, address="203.0.113.50")
    response = client.post(reverse("two_factor_verify"), {"token": "000000"})
    event = the_one(events, "second_factor_failed")
    assert event == {
        "event": "second_factor_failed",
        "user_id": coordinator.pk,
        "client": "203.0.113.50",
        "request_id": response["X-Request-ID"],
        "during": "sign_in",
        "throttled": True,
    }
    record = next(r for r in caplog.records if getattr(r, "security", {}).get("event") == "second_factor_failed")
    assert record.levelno == logging.WARNING
    assert f"user_id={coordinator.pk} client=203.0.113.50" in record.getMessage()


def test_a_right_code_and_a_recovery_code_are_logged(family, coordinator, events):
    codes = enrol(sign_in(coordinator), coordinator)
    TOTPDevice.objects.filter(user=coordinator).update(last_t=-1)
    device = TOTPDevice.objects.get(user=coordinator)
    sign_in(coordinator).post(reverse("two_factor_verify"), {"token": current_code(device)})
    assert the_one(events, "second_factor_passed")["user_id"] == coordinator.pk
    sign_in(coordinator).post(reverse("two_factor_verify"), {"token": codes[0]})
    used = the_one(events, "recovery_code_used")
    assert (used["user_id"], used["codes_left"], used["during"]) == (coordinator.pk, 9, "sign_in")


def test_enrolment_recovery_codes_and_removal_are_logged(coordinator, events):
    client = sign_in(coordinator)
    enrol(client, coordinator)
    assert the_one(events, "two_factor_enrolled")["user_id"] == coordinator.pk
    assert the_one(events, "recovery_codes_issued")["during"] == "enrolment"
    response = client.post(reverse("recovery_codes"))
    renewed = events("recovery_codes_issued")[-1]
    assert (renewed["during"], renewed["request_id"]) == ("regeneration", response["X-Request-ID"])
    TOTPDevice.objects.filter(user=coordinator).delete()
    assert the_one(events, "two_factor_removed")["user_id"] == coordinator.pk


def test_failed_and_passed_reauthentication_is_logged(coordinator, events):
    client = sign_in(coordinator)
    client.post(reverse("reauthenticate"), {"password": "not-it", "next": "/"})
    failed = the_one(events, "reauthentication_failed")
    assert (failed["user_id"], failed["reason"]) == (coordinator.pk, "password")
    client.post(reverse("reauthenticate"), {"password": TEST_PASSWORD, "next": "/"})
    assert the_one(events, "reauthenticated")["user_id"] == coordinator.pk


def test_a_wrong_code_at_reauthentication_is_logged(coordinator, events):
    client = sign_in(coordinator)
    enrol(client, coordinator)
    wait_out_throttling(coordinator)
    client.post(reverse("reauthenticate"), {"password": TEST_PASSWORD, "token": "000000", "next": "/"})
    assert the_one(events, "reauthentication_failed")["reason"] == "code"
    assert the_one(events, "second_factor_failed")["during"] == "reauthentication"


def test_password_change_and_a_wrong_current_password_are_logged(coordinator, events):
    client = sign_in(coordinator)
    client.post(reverse("password_change"), {"old_password": "wrong", "new_password1": "x", "new_password2": "x"})
    assert the_one(events, "password_change_refused")["user_id"] == coordinator.pk
    new = "a perfectly fine new passphrase"
    client.post(reverse("password_change"), {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new})
    changed = the_one(events, "password_changed")
    assert (changed["user_id"], changed["client"]) == (coordinator.pk, "192.0.2.10")


def test_a_lockout_is_logged_with_the_user_id_and_never_the_username(coordinator, events, caplog):
    for _ in range(6):
        sign_in(coordinator, address="198.51.100.9", password="not-the-password")
    locked = events("locked_out")
    assert locked and {(e["user_id"], e["client"], e["known_user"]) for e in locked} == {
        (coordinator.pk, "198.51.100.9", True)
    }
    # A username that is nobody's (perhaps a name, or a password typed in the wrong box).
    for _ in range(6):
        Client(REMOTE_ADDR="198.51.100.10").post(reverse("login"), {"username": "Quorblewick", "password": "x"})
    unknown = [e for e in events("locked_out") if e["client"] == "198.51.100.10"]
    assert unknown and all(e["user_id"] == "-" and e["known_user"] is False for e in unknown)
    security_lines = "".join(r.getMessage() for r in caplog.records if r.name == "homestart.security")
    assert coordinator.username not in security_lines and "Quorblewick" not in security_lines


# --- X-Request-ID (ASVS 4.1.3, 16.4.1) -------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "header", "kept"),
    [
        (0, "lb-2f9c1e7a-0001", False),  # no trusted proxy: a client could choose its own id
        (1, "lb-2f9c1e7a-0001", True),
        (2, "0f3c9a7e-1b2d-4c5e-8f90-a1b2c3d4e5f6", True),
        (1, "lb-2f9c1e7a-0001\n", False),  # a trailing newline would split a log line
        (1, "lb-2f9c1e7a-0001 forged=1", False),
        (1, "-leading-hyphen", False),
        (1, "short", False),
        (1, "x" * 65, False),
        (1, "", False),
    ],
)
def test_request_id_is_taken_from_the_header_only_behind_trusted_proxies(settings, proxies, header, kept):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", HTTP_X_REQUEST_ID=header)
    request_id = request_id_for(request)
    if kept:
        assert request_id == header
    else:
        assert request_id != header and len(request_id) == 32 and int(request_id, 16) >= 0


def test_a_client_cannot_choose_the_request_id_of_its_own_events_without_a_proxy(coordinator, client_for, events):
    response = client_for(coordinator).get(reverse("account"), headers={"X-Request-ID": "chosen-by-client-01"})
    assert response["X-Request-ID"] != "chosen-by-client-01"


def test_security_event_outside_a_request_still_names_the_user(events):
    security.security_event("two_factor_removed", user_id=7)
    assert the_one(events, "two_factor_removed") == {
        "event": "two_factor_removed",
        "user_id": 7,
        "client": "-",
        "request_id": "-",
    }
