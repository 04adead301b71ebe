"""Every import and export page × every role: only the scheme manager (§8.3). Everyone else
signed in is refused (403: they know the scheme, not its records' way in or out; 404 for an
upload that is not theirs); a stale sign-in is asked to confirm it is them before an export."""

from __future__ import annotations

import pytest
from django.urls import reverse

from homestart.rules import Role
from portability.models import PendingImport
from tests.matrix import ROLES, client_as, names_in, people, run, url_for

pytestmark = pytest.mark.policy("8.3")

NOT_MANAGER = {role: "403" for role in ROLES if role not in (Role.MANAGER, "anonymous")}
UPLOAD_NOT_THEIRS = {role: "404" for role in ROLES if role not in (Role.MANAGER, "anonymous")}

# name -> (method, expected for each role but anonymous, which is always sent to sign in)
EXPECTED = {
    "portability:index": ("get", {**NOT_MANAGER, "manager": "200"}),
    "portability:upload": ("get", {**NOT_MANAGER, "manager": "200"}),
    "portability:template": ("get", {**NOT_MANAGER, "manager": "200"}),
    "portability:preview": ("get", {**UPLOAD_NOT_THEIRS, "manager": "200"}),
    "portability:errors_file": ("get", {**UPLOAD_NOT_THEIRS, "manager": "200"}),
    "portability:confirm": ("post", {**UPLOAD_NOT_THEIRS, "manager": "302"}),
    "portability:abandon": ("post", {**UPLOAD_NOT_THEIRS, "manager": "302"}),
    # Signed in moments ago in the test: the export form shows; refused to everyone else.
    "portability:export": ("get", {**NOT_MANAGER, "manager": "200"}),
}


def test_every_portability_page_is_in_the_matrix():
    assert names_in("portability") == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_page_answers_each_role(name, world):
    method, expected = EXPECTED[name]
    url = url_for(name, world["kwargs"])
    failures = []
    for role, user in people(world, [r for r in ROLES if r != "anonymous"]):
        response = run(client_as(user), method, url, {} if method == "post" else None)[0]
        if str(response.status_code) != expected[role]:
            failures.append(f"{role}: {response.status_code}, expected {expected[role]}")
    anonymous = run(client_as(None), method, url, {} if method == "post" else None)[0]
    if anonymous.status_code != 302 or not anonymous["Location"].startswith(reverse("login")):
        failures.append(f"anonymous: {anonymous.status_code}")
    assert not failures, f"{name} {url}: " + "; ".join(failures)


def test_actions_refuse_get_and_pages_refuse_other_methods(world, client_for):
    client = client_for(world["people"]["manager"])
    pending = PendingImport.objects.get(pk=world["kwargs"]["pending_id"])
    assert client.get(reverse("portability:confirm", args=[pending.pk])).status_code == 405
    assert client.get(reverse("portability:abandon", args=[pending.pk])).status_code == 405
    assert client.put(reverse("portability:upload")).status_code == 405
