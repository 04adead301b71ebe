"""`manage.py seed_demo`: invented demo data, idempotent, refused in production,
and — like real data — never stored in plaintext (§8.2)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.test import RequestFactory

from access_log.models import AccessEvent
from demo.management.commands import seed_demo
from families.models import Family, Member, Referral, Visit, VolunteerAssignment
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


def test_seed_demo_creates_the_named_demo_people_with_the_demo_password(seeded_demo):
    output = seeded_demo
    assert sorted(User.objects.values_list("username", flat=True)) == sorted(DEMO_USERNAMES)
    for username in DEMO_USERNAMES:
        assert sign_in(username) is not None, username
        assert username in output
    roles = {(m.user.username, m.scheme.code if m.scheme else None, m.role) for m in Membership.objects.all()}
    assert (Role.COORDINATOR, "WIR", Role.COORDINATOR) in roles
    assert ("coordinator2", "SEF", Role.COORDINATOR) in roles
    assert ("spotcheck", "WIR", Role.TRUSTEE) in roles and ("spotcheck", "WIR", Role.SPOT_CHECK_TRUSTEE) in roles
    assert (Role.REVIEWER, None, Role.REVIEWER) in roles and (Role.ADMIN, None, Role.ADMIN) in roles
    assert Membership.objects.get(user__username="coordinator").line_manager.username == "manager"
    assert User.objects.get(username="admin").is_staff
    assert not User.objects.filter(is_superuser=True).exists(), "no superuser: nobody bypasses the gate"
    wirral = seed_demo.FAMILIES_PER_SCHEME["WIR"] + seed_demo.HISTORY_FAMILIES  # with the history for the charts
    assert Family.objects.filter(scheme__code="WIR").count() == wirral
    assert Family.objects.filter(scheme__code="SEF").count() == seed_demo.FAMILIES_PER_SCHEME["SEF"]
    assert all(f.referrals.get().family_consented for f in Family.objects.all()), "§7.1 holds for demo data too"


def test_seed_demo_twice_changes_nothing(seeded_demo):
    first = counts()
    hashes = dict(User.objects.values_list("username", "password"))
    seed(allow_production=True)
    assert counts() == first
    assert dict(User.objects.values_list("username", "password")) == hashes


def test_seed_demo_repairs_a_changed_demo_password(seeded_demo):
    coordinator = User.objects.get(username="coordinator")
    coordinator.set_password("something-else-entirely")
    coordinator.save()
    seed(allow_production=True)
    assert sign_in("coordinator") is not None


@pytest.mark.policy("8.5")
def test_demo_volunteers_support_the_stated_families(seeded_demo):
    active = VolunteerAssignment.objects.active()
    mine = {a.family.reference for a in active.filter(volunteer__username="volunteer")}
    theirs = {a.family.reference for a in active.filter(volunteer__username="volunteer2")}
    assert len(mine) == 2 and all(ref.startswith("WIR-") for ref in mine)
    assert len(theirs) == 1 and not theirs & mine
    assert active.count() == 3
    per_family = Family.objects.annotate(n=Count("assignments", filter=Q(assignments__ended_at__isnull=True)))
    assert max(f.n for f in per_family) == 1


def test_demo_has_a_volunteer_who_reads_the_pages_in_welsh(seeded_demo, client):
    """A newcomer sees Welsh by signing in as volunteer2 (issue 17.8)."""
    wes = User.objects.get(username="volunteer2")
    assert wes.language == "cy"
    client.force_login(wes)
    assert '<html lang="cy"' in client.get("/account/").content.decode()


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


def _random_material(database: Path, raw: bytes) -> Callable[[int, int], bool]:
    """Where in the file random-looking material lies: ciphertext, wrapped keys, password hashes.

    A short name may turn up by chance inside such bytes; anywhere else it is a leak. Returns
    ``inside(at, end)``: whether ``raw[at:end]`` lies within one copy of such material.
    """
    material: set[bytes] = set()
    with closing(sqlite3.connect(database)) as db:  # the connection's own `with` does not close it
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]
            for row in db.execute(f'SELECT * FROM "{table}"'):  # noqa: S608
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, bytes) and len(value) >= 29:
                        material.add(value)
                    elif column == "password" and value:
                        material.add(value.encode())
    # Looked up by their first bytes at the few places a name turns up, rather than searching
    # the whole file for every piece of material.
    by_prefix: dict[bytes, list[bytes]] = {}
    for chunk in material:
        by_prefix.setdefault(chunk[:PREFIX], []).append(chunk)
    longest = max((len(chunk) for chunk in material), default=0)

    def inside(at: int, end: int) -> bool:
        for start in range(max(0, end - longest), at + 1):
            for chunk in by_prefix.get(raw[start : start + PREFIX], ()):
                if start + len(chunk) >= end and raw.startswith(chunk, start):
                    return True
        return False

    return inside


PREFIX = 12
# The shortest value looked for. Old copies of pages (the write-ahead log, pages freed when a row
# was rewritten) hold ciphertext that no row holds any more, so it cannot be recognised as
# random material; a three-letter name turns up by chance about once in 16 million bytes of it,
# often enough to fail one run in a few ("Ada", a child's first name, did). Four letters are 256
# times rarer; every three-letter name in the demo is stored beside longer ones (a child's
# surname, date of birth), which are still looked for.
SHORTEST = 4


def _migrated_sqlite_file(database: Path) -> None:
    """A migrated, empty SQLite database at ``database``: a page-by-page copy (SQLite's backup,
    as Django copies a test database for parallel runs) of this test's database, which
    pytest-django has migrated already and this test has not written to, so the migrations
    are not run a second time."""
    from django.db import connection

    assert not Family.objects.exists() and not User.objects.exists(), "the test database is not empty"
    target = sqlite3.connect(database)
    try:
        connection.connection.backup(target)
        # Rebuilt: no free page keeps what earlier tests committed and deleted.
        target.execute("VACUUM")
    finally:
        target.close()


@pytest.mark.policy("8.2")
@pytest.mark.heavy
def test_seeded_names_never_reach_the_database_file_in_plaintext(tmp_path, db):
    """The demo as ``make run`` makes it (a SQLite file, DEBUG on, the development keys): a
    file of SQLite's format whatever the suite runs on, so the PostgreSQL pass leaves it to the
    SQLite one."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the demo's SQLite file is checked by the SQLite pass of the suite")
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

    _migrated_sqlite_file(database)
    _run(["seed_demo"], env)
    decrypted = json.loads(_run(["shell", "-c", DECRYPT_EVERYTHING], env).strip().splitlines()[-1])

    needles: set[str] = set()
    for values in decrypted.values():
        for row in values:
            for value in row:
                needles.update(part.strip() for part in [value, *value.splitlines()] if len(part.strip()) >= SHORTEST)
    for family in decrypted["families"]:
        needles.add(family[1].replace(" ", ""))
    assert len(decrypted["members"]) > 40 and len(decrypted["families"]) == 20 + seed_demo.HISTORY_FAMILIES
    assert {"Brennan", "Leanne"} <= needles, "the shell saw the seeded names"
    needles |= {
        name
        for name in seed_demo.ADULT_FIRST
        + seed_demo.SURNAMES
        + seed_demo.CHILD_FIRST
        + seed_demo.REFERRER_NAMES
        + seed_demo.WIRRAL_STREETS
        + seed_demo.SEFTON_STREETS
        + seed_demo.REASONS
        if len(name) >= SHORTEST
    }

    files = sorted(p for p in tmp_path.iterdir() if p.name.startswith(database.name))
    raw = b"".join(p.read_bytes() for p in files)
    assert b"coordinator2" in raw and b"Home-Start Wirral" in raw, "the scan reads the stored data"
    inside_random = _random_material(database, raw)

    leaks = []
    for needle in sorted(needles):
        encoded = needle.encode()
        at = raw.find(encoded)
        while at != -1:
            if not inside_random(at, at + len(encoded)):
                leaks.append(needle)
                break
            at = raw.find(encoded, at + 1)
    assert leaks == [], f"plaintext personal data in {[p.name for p in files]}: {leaks}"
