"""Your account (§8.2, OWASP ASVS 5.0 Level 2): changing your own password, and
recovery codes kept only as hashes, each working once. docs/security.md maps the
requirements to these tests."""

from __future__ import annotations

import importlib
import re
import time

import pytest
from django.apps import apps
from django.contrib.auth.hashers import check_password
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from homestart import security
from homestart.models import RecoveryCode, RecoveryCodeDevice
from tests.factories import TEST_PASSWORD
from tests.homestart.test_security import enrol, sign_in, wait_out_throttling

pytestmark = pytest.mark.policy("8.2")

NEW_PASSWORD = "  a long new passphrase, typed exactly as it is, spaces and all  "


def change(client: Client, old: str = TEST_PASSWORD, new: str = NEW_PASSWORD, again: str | None = None):
    return client.post(
        reverse("password_change"),
        {
            "old_password": old,
            "new_password1": new,
            "new_password2": new if again is None else again,
        },
    )


def field_group(html: str, name: str) -> str:
    """The GOV.UK form group of the input called ``name``, up to the input: its label,
    hint and error message."""
    main = html.split('id="main-content"', 1)[1]
    for chunk in main.split('<div class="govuk-form-group')[1:]:
        if f'name="{name}"' in chunk:
            return chunk[: chunk.index(f'name="{name}"')]
    raise AssertionError(f"no form group for {name}")


# --- changing your own password (ASVS 6.2.2, 6.2.3) ---------------------------------


@pytest.mark.parametrize("person", ["coordinator", "volunteer", "trustee", "admin_user", "sef_coordinator"])
def test_every_signed_in_person_can_change_their_own_password(person, request):
    user = request.getfixturevalue(person)
    client = sign_in(user)
    page = client.get(reverse("account"))
    assert page.status_code == 200
    assert reverse("password_change") in page.content.decode()
    response = change(client)
    assert response.status_code == 302 and response["Location"] == reverse("account")
    assert "Your password has been changed" in client.get(reverse("account")).content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and not user.check_password(TEST_PASSWORD)
    assert sign_in(user, address="198.51.100.1", password=NEW_PASSWORD).get(reverse("account")).status_code == 200


def test_the_header_links_to_your_account(coordinator, client_for):
    page = client_for(coordinator).get(reverse("families:dashboard")).content.decode()
    assert f'href="{reverse("account")}"' in page


def test_the_password_form_is_labelled_and_lets_password_managers_fill_it(coordinator):
    html = sign_in(coordinator).get(reverse("password_change")).content.decode()
    for name, label, autocomplete in [
        ("old_password", "Current password", "current-password"),
        ("new_password1", "New password", "new-password"),
        ("new_password2", "New password again", "new-password"),
    ]:
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert 'type="password"' in field and f'autocomplete="{autocomplete}"' in field
        field_id = re.search(r'id="([^"]+)"', field).group(1)
        assert re.search(rf'<label class="govuk-label" for="{field_id}">{label}</label>', html), name
    assert "at least 12 characters" in html  # the validators' rules, shown as the new password's hint


def test_a_wrong_current_password_changes_nothing_and_says_so_next_to_the_field(coordinator):
    client = sign_in(coordinator)
    response = change(client, old="not-my-password")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Your current password is not right" in field_group(html, "old_password")
    coordinator.refresh_from_db()
    assert coordinator.check_password(TEST_PASSWORD)


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short", "This password is too short"),
        ("1q2w3e4r5t6y", "This password is too common"),
        ("918273645546372819", "This password is entirely numeric"),
    ],
)
def test_the_new_password_must_pass_the_password_rules(coordinator, new, message):
    response = change(sign_in(coordinator), new=new)
    assert response.status_code == 200
    assert message in field_group(response.content.decode(), "new_password2")
    coordinator.refresh_from_db()
    assert coordinator.check_password(TEST_PASSWORD)


def test_the_new_password_must_be_typed_the_same_twice(coordinator):
    response = change(sign_in(coordinator), again=NEW_PASSWORD.strip())
    assert "The two new passwords are not the same" in field_group(response.content.decode(), "new_password2")
    coordinator.refresh_from_db()
    assert coordinator.check_password(TEST_PASSWORD)


def test_long_passwords_are_kept_exactly_as_typed(coordinator):
    """ASVS 6.2.8, 6.2.9: no truncation, no trimming, 64 characters and more."""
    long_one = " " + "correct horse battery staple " * 4 + "\t"
    assert len(long_one) > 64
    assert change(sign_in(coordinator), new=long_one).status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.check_password(long_one)
    assert not coordinator.check_password(long_one.strip())


def test_changing_the_password_signs_the_person_out_everywhere_else(family, coordinator):
    """ASVS 7.4.3: this session stays (with a new key); the others end at their next request."""
    here, elsewhere = sign_in(coordinator), sign_in(coordinator, address="198.51.100.2")
    assert elsewhere.get(reverse("families:dashboard")).status_code == 200
    key_before = here.session.session_key
    assert change(here).status_code == 302
    assert here.session.session_key != key_before
    assert here.get(reverse("families:dashboard")).status_code == 200
    response = elsewhere.get(reverse("families:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_changing_the_password_asks_to_confirm_it_is_you_after_five_minutes(coordinator):
    client = sign_in(coordinator)
    session = client.session
    session[security.SESSION_REAUTH] = time.time() - 6 * 60
    session.save()
    for response in (client.get(reverse("password_change")), change(client)):
        assert response.status_code == 302 and response["Location"].startswith(reverse("reauthenticate"))
    coordinator.refresh_from_db()
    assert coordinator.check_password(TEST_PASSWORD)


def test_wrong_current_passwords_count_towards_the_sign_in_lockout(coordinator):
    """Guessing through the change form is throttled like guessing at sign-in (ASVS 6.3.1)."""
    client = sign_in(coordinator)
    for _ in range(5):
        change(client, old="a-wrong-guess")
    assert change(client).status_code == 429
    locked = Client(REMOTE_ADDR="192.0.2.10").post(
        reverse("login"), {"username": coordinator.username, "password": TEST_PASSWORD}
    )
    assert locked.status_code == 429
    coordinator.refresh_from_db()
    assert coordinator.check_password(TEST_PASSWORD)


def test_only_get_and_post_are_answered(coordinator):
    client = sign_in(coordinator)
    assert client.put(reverse("password_change")).status_code == 405
    assert client.post(reverse("account")).status_code == 405


# --- recovery codes (ASVS 6.5.1, 6.5.2) ------------------------------------------------


def test_recovery_codes_are_stored_only_as_salted_password_hashes(coordinator):
    client = sign_in(coordinator)
    codes = enrol(client, coordinator)
    digests = list(RecoveryCode.objects.filter(device__user=coordinator).values_list("digest", flat=True))
    assert len(digests) == len(set(digests)) == 10
    for code in codes:
        assert not any(code in digest for digest in digests)
    assert sum(check_password(codes[0], digest) for digest in digests) == 1
    # The project's password hasher, with a random salt per issue.
    assert client.post(reverse("recovery_codes")).status_code == 200
    new_digests = RecoveryCode.objects.filter(device__user=coordinator).values_list("digest", flat=True)
    assert {d.split("$")[-2] for d in digests}.isdisjoint({d.split("$")[-2] for d in new_digests})


def test_a_recovery_code_works_once(family, coordinator):
    codes = enrol(sign_in(coordinator), coordinator)
    first = sign_in(coordinator)
    assert first.post(reverse("two_factor_verify"), {"token": codes[3].upper(), "next": "/"})["Location"] == "/"
    assert first.get(reverse("families:dashboard")).status_code == 200
    assert RecoveryCodeDevice.objects.get(user=coordinator).codes.count() == 9
    second = sign_in(coordinator)
    refused = second.post(reverse("two_factor_verify"), {"token": codes[3], "next": "/"})
    assert refused.status_code == 200 and "That code is wrong" in refused.content.decode()
    wait_out_throttling(coordinator)
    assert second.post(reverse("two_factor_verify"), {"token": codes[4], "next": "/"})["Location"] == "/"


def test_wrong_recovery_codes_are_throttled(family, coordinator):
    codes = enrol(sign_in(coordinator), coordinator)
    client = sign_in(coordinator)
    client.post(reverse("two_factor_verify"), {"token": "aaaaaaaa"})
    device = RecoveryCodeDevice.objects.get(user=coordinator)
    assert device.throttling_failure_count == 1
    # Straight after a wrong code even a right recovery code is refused, and not used up.
    response = client.post(reverse("two_factor_verify"), {"token": codes[0], "next": "/"})
    assert "That code is wrong" in response.content.decode()
    assert device.codes.count() == 10
    wait_out_throttling(coordinator)
    assert client.post(reverse("two_factor_verify"), {"token": codes[0], "next": "/"})["Location"] == "/"
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_new_recovery_codes_replace_the_old_ones(family, coordinator):
    client = sign_in(coordinator)
    old = enrol(client, coordinator)
    page = client.get(reverse("recovery_codes"))
    assert page.status_code == 200 and "Your old recovery codes will stop working" in page.content.decode()
    assert RecoveryCodeDevice.objects.get(user=coordinator).codes.count() == 10, "the page alone changes nothing"
    response = client.post(reverse("recovery_codes"))
    new = response.context["codes"]
    assert len(set(new)) == 10 and set(new).isdisjoint(old)
    assert all(code in response.content.decode() for code in new)
    assert "10 of 10 unused" in client.get(reverse("account")).content.decode()
    later = sign_in(coordinator)
    assert "That code is wrong" in later.post(reverse("two_factor_verify"), {"token": old[0]}).content.decode()
    wait_out_throttling(coordinator)
    assert later.post(reverse("two_factor_verify"), {"token": new[0], "next": "/"})["Location"] == "/"


def test_new_recovery_codes_ask_to_confirm_it_is_you_after_five_minutes(coordinator):
    client = sign_in(coordinator)
    enrol(client, coordinator)
    session = client.session
    session[security.SESSION_REAUTH] = time.time() - 6 * 60
    session.save()
    response = client.post(reverse("recovery_codes"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("reauthenticate"))


def test_without_an_authenticator_there_are_no_recovery_codes_to_get(coordinator):
    client = sign_in(coordinator)
    response = client.post(reverse("recovery_codes"))
    assert response.status_code == 200 and "Set up two-factor sign-in" in response.content.decode()
    assert not RecoveryCodeDevice.objects.exists()


def test_removing_the_last_authenticator_removes_the_recovery_codes(coordinator):
    """An administrator removes a lost phone's authenticator: the person enrols afresh."""
    enrol(sign_in(coordinator), coordinator)
    TOTPDevice.objects.filter(user=coordinator).delete()
    assert not RecoveryCodeDevice.objects.filter(user=coordinator).exists()
    assert not RecoveryCode.objects.exists()


@pytest.mark.usefixtures("database_owner")  # it creates the old tables, as a migration (the owner) would
def test_plaintext_recovery_codes_of_the_old_kind_are_hashed_and_deleted(coordinator, manager):
    """Migration 0005: django-otp's StaticToken rows (plaintext) become hashes, and keep working."""
    migration = importlib.import_module("homestart.migrations.0005_hash_existing_recovery_codes")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE otp_static_staticdevice (id integer PRIMARY KEY, user_id integer)")
        cursor.execute(
            "CREATE TABLE otp_static_statictoken (id integer PRIMARY KEY, device_id integer, token varchar(16))"
        )
        cursor.execute("INSERT INTO otp_static_staticdevice VALUES (1, %s), (2, %s)", [coordinator.pk, manager.pk])
        cursor.execute(
            "INSERT INTO otp_static_statictoken VALUES (1, 1, 'abcdefgh'), (2, 1, 'ijklmnop'), (3, 2, 'qrstuvwx')"
        )
    try:
        migration.hash_static_tokens(apps, type("Editor", (), {"connection": connection})())
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM otp_static_statictoken")
            assert cursor.fetchone()[0] == 0
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE otp_static_statictoken")
            cursor.execute("DROP TABLE otp_static_staticdevice")
    device = RecoveryCodeDevice.objects.get(user=coordinator)
    assert device.codes.count() == 2
    assert not RecoveryCode.objects.filter(digest__contains="abcdefgh").exists()
    assert device.verify_token("abcdefgh") and not device.verify_token("abcdefgh")
    assert RecoveryCodeDevice.objects.get(user=manager).verify_token("qrstuvwx")
