"""Properties of every page (§8.2; OWASP ASVS V1 input handling, V8 data protection,
V16 logging): a GET changes nothing but the access log, hostile form input never
causes a server error or a half-saved record, and logs carry no personal data."""

from __future__ import annotations

import datetime
import hashlib
import logging
import re

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.site.conftest import SHARDS, all_patterns, shard_of, url_for

pytestmark = pytest.mark.policy("8.2")

# Bookkeeping that a GET or a refused POST may write: the access log (§9.1) and the
# minutes' read log (§3.7), sessions, sign-in throttling and lockout counters.
BOOKKEEPING = {
    "access_log_accessevent",
    "reporting_reportevent",
    "django_session",
    "axes_accessattempt",
    "axes_accesslog",
    "axes_accessfailurelog",
    "otp_totp_totpdevice",
    "homestart_recoverycodedevice",
}


def _tables() -> list[str]:
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if not model._meta.proxy and model._meta.db_table not in BOOKKEEPING
        }
    )


def snapshot() -> dict[str, str]:
    """A digest of every row of every table but the bookkeeping ones.

    On PostgreSQL the server digests each table's rows, every table in one statement (the hostile
    sweep takes a snapshot after each of some 300 posts: a hundred round trips each, before); on
    SQLite, in the test's own process, each table is read and digested here."""
    tables = _tables()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            quote = connection.ops.quote_name
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT %s, md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), '')) FROM {quote(t)} AS r"  # noqa: S608 - names from the models
                    for t in tables
                ),
                tables,
            )
            return dict(cursor.fetchall())
        digests = {}
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = sorted(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)) for r in cursor)
            digests[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        return digests


def test_the_snapshot_sees_any_change_to_a_row_and_nothing_else(world):
    """The sweeps below rest on it: a digest that missed a change would pass them all."""
    from families.models import Family

    before = snapshot()
    assert snapshot() == before and len(before) > 50
    Family.objects.filter(pk=world["family"].pk).update(closed_on=datetime.date(2020, 1, 2))
    changed = snapshot()
    assert [t for t in before if before[t] != changed[t]] == [Family._meta.db_table]
    Family.objects.filter(pk=world["family"].pk).update(closed_on=None)
    assert snapshot() == before, "the same rows, the same digest"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def get_requests_change_nothing(world, shard: int) -> list[tuple[str, str, object, list[str]]]:
    """Every page of the shard asked for by every person: no server error, no GOV.UK pattern
    broken, nothing changed but the access log (a digest of every other table before and after).
    Returns (name, url, person, field names) for each page that shows a form, with the first
    person to see one and its largest form."""
    clients = {person: signed_in(user) for person, user in world["people"].items()}
    before = snapshot()
    pages = []
    for name, pattern in shard_of(all_patterns(), shard):
        url = url_for(pattern, name, world["kwargs"])
        form_found = False
        for person, client in clients.items():
            response = client.get(url)
            assert response.status_code < 500, (name, person)
            # GOV.UK patterns (issue 17): no "---------" choice, no browser date picker.
            assert b"---------" not in response.content and b'type="date"' not in response.content, (name, person)
            if response.status_code == 200 and not form_found:
                forms = [f for f in post_forms(response.content.decode()) if f]
                if forms:
                    pages.append((name, url, world["people"][person], max(forms, key=len)))
                    form_found = True
        assert Client().get(url).status_code in (200, 302), name
    after = snapshot()
    changed = [table for table in before if before[table] != after[table]]
    assert not changed, f"GET requests changed {changed}"
    return pages


HOSTILE = [
    "",
    " ",
    "\x00",
    "\x00abc",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '"; DROP TABLE x; --',
    "a" * 5000,
    "-1",
    "0",
    "99999999999999999999999",
    "2024-02-30",
    "9999-12-31",
    "0000-00-00",
    "31/12/1899",
    "../../etc/passwd",
    "%s%s%n",
    "\r\n",
    "null",
    "[]",
    "{}",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✓",
    "\u202e",
    "WIR-0001",
    "SEF-9999",
    "00000000-0000-0000-0000-000000000000",
    "on",
    "yes",
    "adult",
    "child",
    "support",
]
VALUE = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=200), st.integers().map(str), st.dates().map(str))

FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', re.I)
POST_FORM = re.compile(r'<form[^>]*method="post"(?![^>]*logout)[^>]*>(.*?)</form>', re.I | re.S)


def post_forms(html: str) -> list[list[str]]:
    main = html.split('id="main-content"', 1)[-1]
    return [sorted(set(FIELD.findall(body)) - {"csrfmiddlewaretoken"}) for body in POST_FORM.findall(main)]


@pytest.mark.heavy
@pytest.mark.parametrize("shard", range(SHARDS))
def test_get_changes_nothing_and_hostile_input_never_fails_or_half_saves(world, shard):
    """Every page of the shard, as every person: a GET changes nothing but the access log; then
    each page that shows someone a form is sent hostile input as the first person to see it, and
    never answers with a server error nor saves half of what it was sent. One walk of the pages
    finds the forms for the second part (a walk of its own to find them cost as much as the first)."""
    pages = get_requests_change_nothing(world, shard)
    # Each part has forms (a page with a form the regular expressions cannot see would not be tried).
    assert len(pages) >= 2, [p[0] for p in pages]

    for name, url, user, fields in pages:
        # Signed in afresh for each page: hostile answers to one page's form (a password asked
        # again, say) must not leave the next page's tried by someone signed out.
        hostile_posts(signed_in(user), url, name, fields)()


def hostile_posts(client: Client, url: str, name: str, fields: list[str]):
    # The data as it stands before the next post: each post's "after" is the next one's "before",
    # so a post costs one digest of every table, not two.
    data_now = {"digest": snapshot()}

    @settings(
        max_examples=8,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.fixed_dictionaries({f: VALUE for f in fields}))
    def post_hostile(data):
        response = client.post(url, data)
        assert response.status_code < 500, name
        after = snapshot()
        if response.status_code != 302:
            assert after == data_now["digest"], f"{name}: a refused form changed the data"
        data_now["digest"] = after

    return post_hostile


def test_logs_carry_no_personal_data(world, caplog, client_for):
    """Sentinel values typed into forms never reach a log line, whatever happens."""
    sentinel = {"first_name": "Zebedeeqx", "last_name": "Quorblewick", "postcode": "CH99 9ZZ", "phone": "07700 123987"}
    coordinator = world["people"]["coordinator"]
    client = signed_in(coordinator)
    caplog.set_level(logging.DEBUG)
    form = {
        "scheme": coordinator.memberships.first().scheme_id,
        "source": "self",
        "referred_on": "2024-01-02",
        "reasons": "Sentinel reasons Xylophonica",
        "family_consented": "on",
        "confirm": "yes",
        **sentinel,
    }
    created = client.post(reverse("families:new"), form)
    assert created.status_code == 302
    reference = created["Location"].rstrip("/").rsplit("/", 1)[-1]
    client.post(reverse("families:search"), {"q": sentinel["last_name"]})
    client.post(reverse("families:search"), {"q": sentinel["postcode"]})
    client.post(reverse("families:new"), {**form, "family_consented": ""})  # refused: form errors
    signed_in(world["people"]["sef_coordinator"]).get(reverse("families:detail", kwargs={"reference": reference}))
    Client().post(
        reverse("login"),
        {"username": sentinel["last_name"], "password": sentinel["first_name"]},
        REMOTE_ADDR="192.0.2.77",
    )
    text = caplog.text + "".join(str(r.args) for r in caplog.records)
    for value in [*sentinel.values(), "Xylophonica"]:
        assert value not in text, f"{value!r} reached the logs"
