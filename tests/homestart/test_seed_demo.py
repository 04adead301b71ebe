"""`manage.py seed_demo`: invented demo data, idempotent, refused in production,
and — like real data — never stored in plaintext (§8.2)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.test import RequestFactory

from access_log.models import AccessEvent
from families.models import Family, Member, Referral, Visit, VolunteerAssignment
from homestart.management.commands import seed_demo
from homestart.models import DataKey, Membership, Scheme, User
from homestart.rules import Role

REPO = Path(__file__).resolve().parents[2]


def sign_in(username: str):
    """Authenticate as the sign-in page does (django-axes needs the request)."""
    return authenticate(RequestFactory().post("/sign-in/"), username=username, password="homestart-demo")


DEMO_USERNAMES = [
    "admin2",
    "manager",
    "coordinator",
    "safeguarding",
    "volunteer",
    "volunteer2",
    "trustee",
    "spotcheck",
    "reviewer",
    "auditor",
    "admin",
    "coordinator2",
]
COUNTED = [Scheme, User, Membership, Family, Member, Referral, Visit, VolunteerAssignment, DataKey, AccessEvent]


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    result = {model.__name__: model.objects.count() for model in COUNTED}
    for model in COUNTED:
        if hasattr(model, "history"):
            result[f"history of {model.__name__}"] = model.history.count()
    return result


@pytest.mark.policy("8.2")
@pytest.mark.django_db
def test_seed_demo_is_refused_with_debug_off():
    with pytest.raises(CommandError, match="refused with DEBUG off"):
        seed()
    assert not User.objects.exists() and not Family.objects.exists()


@pytest.mark.django_db
def test_seed_demo_creates_the_named_demo_people_with_the_demo_password():
    output = seed(allow_production=True)
    assert sorted(User.objects.values_list("username", flat=True)) == sorted(DEMO_USERNAMES)
    for username in DEMO_USERNAMES:
        assert sign_in(username) is not None, username
        assert username in output
    roles = {(m.user.username, m.scheme.code if m.scheme else None, m.role) for m in Membership.objects.all()}
    assert ("coordinator", "WIR", Role.COORDINATOR) in roles
    assert ("coordinator2", "SEF", Role.COORDINATOR) in roles
    assert ("spotcheck", "WIR", Role.TRUSTEE) in roles and ("spotcheck", "WIR", Role.SPOT_CHECK_TRUSTEE) in roles
    assert ("reviewer", None, Role.REVIEWER) in roles and ("admin", None, Role.ADMIN) in roles
    assert Membership.objects.get(user__username="coordinator").line_manager.username == "manager"
    assert User.objects.get(username="admin").is_staff
    assert not User.objects.filter(is_superuser=True).exists(), "no superuser: nobody bypasses the gate"
    wirral = seed_demo.FAMILIES_PER_SCHEME["WIR"] + seed_demo.HISTORY_FAMILIES  # with the history for the charts
    assert Family.objects.filter(scheme__code="WIR").count() == wirral
    assert Family.objects.filter(scheme__code="SEF").count() == seed_demo.FAMILIES_PER_SCHEME["SEF"]
    assert all(f.referrals.get().family_consented for f in Family.objects.all()), "§7.1 holds for demo data too"


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing():
    seed(allow_production=True)
    first = counts()
    hashes = dict(User.objects.values_list("username", "password"))
    seed(allow_production=True)
    assert counts() == first
    assert dict(User.objects.values_list("username", "password")) == hashes


@pytest.mark.django_db
def test_seed_demo_repairs_a_changed_demo_password():
    seed(allow_production=True)
    coordinator = User.objects.get(username="coordinator")
    coordinator.set_password("something-else-entirely")
    coordinator.save()
    seed(allow_production=True)
    assert sign_in("coordinator") is not None


@pytest.mark.policy("8.5")
@pytest.mark.django_db
def test_demo_volunteers_support_the_stated_families():
    seed(allow_production=True)
    active = VolunteerAssignment.objects.active()
    mine = {a.family.reference for a in active.filter(volunteer__username="volunteer")}
    theirs = {a.family.reference for a in active.filter(volunteer__username="volunteer2")}
    assert len(mine) == 2 and all(ref.startswith("WIR-") for ref in mine)
    assert len(theirs) == 1 and not theirs & mine
    assert active.count() == 3
    per_family = Family.objects.annotate(n=Count("assignments", filter=Q(assignments__ended_at__isnull=True)))
    assert max(f.n for f in per_family) == 1


# --- the demo database file itself -----------------------------------------------


def _run(args: list[str], env: dict) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stderr}"
    return result.stdout


DECRYPT_EVERYTHING = """
import json
from families.models import Family, Member, Referral, Visit
print(json.dumps({
    "members": [[m.first_name, m.last_name] for m in Member.objects.select_related("family__data_key")],
    "families": [[f.address, f.postcode, f.phone] for f in Family.objects.with_keys()],
    "referrals": [[r.referrer_name, r.referrer_contact, r.reasons]
                  for r in Referral.objects.select_related("family__data_key")],
    "visits": [[v.notes] for v in Visit.objects.select_related("family__data_key")],
}))
"""


def _random_spans(database: Path, raw: bytes) -> list[tuple[int, int]]:
    """Where in the file random-looking material lies: ciphertext, wrapped keys, password hashes.

    A short name may turn up by chance inside such bytes; anywhere else it is a leak.
    """
    material: set[bytes] = set()
    with sqlite3.connect(database) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]
            for row in db.execute(f'SELECT * FROM "{table}"'):  # noqa: S608
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, bytes) and len(value) >= 29:
                        material.add(value)
                    elif column == "password" and value:
                        material.add(value.encode())
    spans = []
    for chunk in material:
        start = raw.find(chunk)
        while start != -1:
            spans.append((start, start + len(chunk)))
            start = raw.find(chunk, start + 1)
    return spans


@pytest.mark.policy("8.2")
def test_seeded_names_never_reach_the_database_file_in_plaintext(tmp_path):
    database = tmp_path / "demo.sqlite3"
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "FIELD_ENCRYPTION_KEYS",
            "BLIND_INDEX_KEY",
            "BACKUP_KEY",
            "DJANGO_SETTINGS_MODULE",
            "KEY_STORE_DIR",
        }
    }
    env.update(DEBUG="1", DATABASE_URL=f"sqlite:///{database}", HOMESTART_DEV_KEYS_FILE=str(tmp_path / "keys.json"))

    _run(["migrate", "--noinput"], env)
    _run(["seed_demo"], env)
    decrypted = json.loads(_run(["shell", "-c", DECRYPT_EVERYTHING], env).strip().splitlines()[-1])

    needles: set[str] = set()
    for values in decrypted.values():
        for row in values:
            for value in row:
                needles.update(part.strip() for part in [value, *value.splitlines()] if len(part.strip()) >= 3)
    for family in decrypted["families"]:
        needles.add(family[1].replace(" ", ""))
    assert len(decrypted["members"]) > 40 and len(decrypted["families"]) == 20 + seed_demo.HISTORY_FAMILIES
    assert {"Brennan", "Leanne"} <= needles, "the shell saw the seeded names"
    needles |= set(
        seed_demo.ADULT_FIRST
        + seed_demo.SURNAMES
        + seed_demo.CHILD_FIRST
        + seed_demo.REFERRER_NAMES
        + seed_demo.WIRRAL_STREETS
        + seed_demo.SEFTON_STREETS
        + seed_demo.REASONS
    )

    files = sorted(p for p in tmp_path.iterdir() if p.name.startswith(database.name))
    raw = b"".join(p.read_bytes() for p in files)
    assert b"coordinator2" in raw and b"Home-Start Wirral" in raw, "the scan reads the stored data"
    spans = _random_spans(database, raw)

    leaks = []
    for needle in sorted(needles):
        encoded = needle.encode()
        at = raw.find(encoded)
        while at != -1:
            if not any(start <= at and at + len(encoded) <= end for start, end in spans):
                leaks.append(needle)
                break
            at = raw.find(encoded, at + 1)
    assert leaks == [], f"plaintext personal data in {[p.name for p in files]}: {leaks}"
