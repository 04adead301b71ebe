"""The issue's "done when", on the seeded demo in a real SQLite file, through the command:
a 2,000-row file with 20 bad rows. The dry run writes nothing (every table's rows counted,
the key store listed); the import adds exactly the good rows and names every bad row by
line; running it again adds nothing; no imported name is readable in the raw database
file; every imported family is found by surname search (§7.1, §8.2, §8.6)."""

from __future__ import annotations

import json
import os
import re

import pytest

from tests.demo.test_seed_demo import _migrated_sqlite_file, _run
from tests.portability.helpers import csv_bytes, family_row

ROWS, BAD_EVERY = 2000, 100

COUNT_EVERY_TABLE = """
import json
from django.db import connection
with connection.cursor() as cursor:
    tables = connection.introspection.table_names(cursor)
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
print(json.dumps(counts))
"""

# Every imported carer's surname is in the blind index that "Find a family" searches (one
# query for all), and Find a family's own selector finds a hundred of them spread through
# the file (each search scans the families the manager may see: 0.2 s a search here).
SEARCH_EVERY_SURNAME = """
import json
from families.models import Member
from families.selectors import family_search
from homestart.crypto import blind_index
from homestart.models import User
manager = User.objects.get(username="manager")
surnames = json.load(open("{path}"))
indexed = set(Member.objects.filter(family__scheme__code="WIR", kind="adult").values_list("surname_index", flat=True))
in_index = [s for s in surnames if blind_index(s, domain="surname") in indexed]
sample = surnames[:: max(1, len(surnames) // 100)]
found = [s for s in sample if family_search(user=manager, term=s).count() == 1]
print(json.dumps({{"in_index": len(in_index), "of": len(surnames), "found": len(found), "searched": len(sample)}}))
"""


BAD = [
    ("carer_last_name", "", "no surname"),
    ("family_consented", "no", "no consent"),
    ("postcode", "CH41 XYZ9", "postcode not valid"),
    ("referral_date", "31/02/2026", "31/02/2026 is not a date"),
    ("family_consented", "perhaps", "'perhaps' is not yes or no"),
]


def name_of(n: int) -> tuple[str, str]:
    return f"Imogenia{n:04d}", f"Quillfeather{n:04d}"


def _rows():
    rows, bad = [], {}
    line = 2  # after the heading; each address spans two lines
    for n in range(1, ROWS + 1):
        first, last = name_of(n)
        changes = {"carer_first_name": first, "carer_last_name": last, "children": f"Tamsinella{n:04d} 01/02/2023"}
        if n % BAD_EVERY == 0:
            column, value, reason = BAD[(n // BAD_EVERY) % len(BAD)]
            changes[column] = value
            bad[line] = reason
        rows.append(family_row(n, **changes))
        line += 2
    return rows, bad


@pytest.mark.policy("7.1", "8.2", "8.6")
@pytest.mark.heavy
def test_two_thousand_rows_on_the_seeded_demo(tmp_path, db):
    """The demo as ``make run`` makes it, a SQLite file whatever the suite runs on: the
    PostgreSQL pass leaves it to the SQLite one, which copies its own migrated test database
    instead of migrating a new file (tests/demo/test_seed_demo.py, ``_migrated_sqlite_file``)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the demo's SQLite file is imported into by the SQLite pass of the suite")
    database = tmp_path / "demo.sqlite3"
    keys = tmp_path / "keystore"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "BACKUP_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{database}",
        HOMESTART_DEV_KEYS_FILE=str(tmp_path / "keys.json"),
        KEY_STORE_DIR=str(keys),
    )
    _migrated_sqlite_file(database)
    _run(["seed_demo"], env)
    rows, bad = _rows()
    source = tmp_path / "families.csv"
    source.write_bytes(csv_bytes(rows))
    command = ["import_families", str(source), "--scheme", "WIR", "--as", "manager", "--no-progress"]

    def counts() -> dict[str, int]:
        return json.loads(_run(["shell", "-c", COUNT_EVERY_TABLE], env).strip().splitlines()[-1])

    def key_files() -> list[str]:
        return sorted(str(p.relative_to(keys)) for p in keys.rglob("*") if p.is_file())

    before, keys_before = counts(), key_files()
    dry = _run([*command, "--dry-run"], env)
    assert f"{ROWS - len(bad)} would be added, 0 already there, {len(bad)} refused" in dry
    assert counts() == before and key_files() == keys_before, "the dry run wrote something"

    done = _run(command, env)
    assert f"{ROWS - len(bad)} added, 0 already there, {len(bad)} refused" in done
    named = dict(re.findall(r"^  line (\d+): (.*)$", done, re.M))
    assert {int(line) for line in named} == set(bad)
    assert all(reason in named[str(line)] for line, reason in bad.items())
    after = counts()
    assert after["families_family"] - before["families_family"] == ROWS - len(bad)
    assert after["families_member"] - before["families_member"] == 2 * (ROWS - len(bad))

    again = _run(command, env)
    assert f"0 added, {ROWS - len(bad)} already there, {len(bad)} refused" in again
    assert counts()["families_family"] == after["families_family"]

    good = [n for n in range(1, ROWS + 1) if n % BAD_EVERY]
    surnames = tmp_path / "surnames.json"
    surnames.write_text(json.dumps([name_of(n)[1] for n in good]))
    found = json.loads(_run(["shell", "-c", SEARCH_EVERY_SURNAME.format(path=surnames)], env).strip().splitlines()[-1])
    assert found["in_index"] == found["of"] == len(good)
    assert found["found"] == found["searched"] >= 100

    files = sorted(p for p in tmp_path.iterdir() if p.name.startswith(database.name))
    raw = b"".join(p.read_bytes() for p in files)
    assert b"Home-Start Wirral" in raw, "the scan reads the stored data"
    # The needles are ten letters or more: by chance in ciphertext about once in 2^80 bytes. One
    # pass over the file finds any of them, of any row, refused rows included (8,000 needles
    # searched one by one took a minute of CPU).
    needles = re.compile(rb"(?:Imogenia|Quillfeather|Tamsinella)\d{4}|\d{1,4} Imported Road")
    leaks = [match.group().decode() for match in needles.finditer(raw)]
    assert leaks == [], f"imported names readable in the database file: {leaks[:10]}"
