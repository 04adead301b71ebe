"""Passwords are stored with Argon2id in production, and older hashes are upgraded at sign-in (§8.2).

The suite itself keeps a fast hasher (settings_test); these tests switch the production
list on where they need it."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, identify_hasher, make_password
from django.test import Client, override_settings
from django.urls import reverse

from homestart.hashers import HomestartArgon2PasswordHasher
from tests.factories import TEST_PASSWORD
from tests.homestart.test_settings import GOOD, run_settings, settings_of

PRODUCTION_HASHERS = [
    "homestart.hashers.HomestartArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


class OlderArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with weaker parameters, as an earlier release might have stored (the hash names its
    parameters, so the production hasher checks it and sees that it must be upgraded)."""

    time_cost = 1
    memory_cost = 8 * 1024
    parallelism = 1


@pytest.mark.policy("8.2")
def test_production_settings_hash_new_passwords_with_argon2id(tmp_path):
    code = "import json; from homestart import settings as s; print(json.dumps({'H': s.PASSWORD_HASHERS}))"
    hashers = settings_of(run_settings(tmp_path, code, DEBUG="0", **GOOD))["H"]
    assert hashers[0] == "homestart.hashers.HomestartArgon2PasswordHasher"
    assert "django.contrib.auth.hashers.MD5PasswordHasher" not in hashers, "no fast hasher in production"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in hashers, "passwords stored before still verify"
    assert json.dumps(hashers)  # plain strings, as Django expects


def test_the_chosen_parameters_are_in_each_new_hash():
    with override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS):
        encoded = make_password("a-long-enough-passphrase")
        assert identify_hasher(encoded).__class__ is HomestartArgon2PasswordHasher
    assert encoded.startswith("argon2$argon2id$v=19$m=47104,t=1,p=1$")


def _sign_in(user) -> int:
    response = Client(REMOTE_ADDR="192.0.2.20").post(
        reverse("login"), {"username": user.username, "password": TEST_PASSWORD}
    )
    return response.status_code


@pytest.mark.policy("8.2")
@pytest.mark.parametrize("older", ["pbkdf2_sha256", "argon2-weaker"])
def test_an_older_hash_is_upgraded_when_its_owner_signs_in(coordinator, older):
    with override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS):
        if older == "argon2-weaker":
            weaker = OlderArgon2PasswordHasher()
            coordinator.password = weaker.encode(TEST_PASSWORD, weaker.salt())
        else:
            coordinator.password = make_password(TEST_PASSWORD, hasher=older)
        coordinator.save(update_fields=["password"])
        before = coordinator.password
        assert _sign_in(coordinator) == 302
        coordinator.refresh_from_db()
        assert coordinator.password != before
        assert coordinator.password.startswith("argon2$argon2id$v=19$m=47104,t=1,p=1$")
        assert coordinator.check_password(TEST_PASSWORD)


def test_a_wrong_password_upgrades_nothing(coordinator):
    with override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS):
        coordinator.password = make_password(TEST_PASSWORD, hasher="pbkdf2_sha256")
        coordinator.save(update_fields=["password"])
        before = coordinator.password
        response = Client(REMOTE_ADDR="192.0.2.21").post(
            reverse("login"), {"username": coordinator.username, "password": "not-the-password"}
        )
        assert response.status_code == 200
        coordinator.refresh_from_db()
        assert coordinator.password == before
