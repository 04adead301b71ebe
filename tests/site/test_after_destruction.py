"""Every page keeps working for every role after a family is destroyed (§8.8): the family the
matrices' world is built around (WIR-0001, with its consent, concern, police request, case study,
subject access request, review samples and audit session) is closed, its retention ends, two
people authorise its destruction and it is carried out; then every page of the product is asked
for by every role, with that family's reference in the URL where a URL names one."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.records.destroy import destroy_family
from tests.site.conftest import SHARDS, all_patterns, shard_of, url_for

pytestmark = pytest.mark.policy("8.8")


@pytest.mark.heavy
@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_page_answers_every_role_without_a_server_error_after_a_destruction(world, shard):
    people = world["people"]
    destroy_family(
        world["family"], coordinator=people["coordinator"], manager=people["manager"], trustee=people["trustee"]
    )
    failures = []
    for person, user in people.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for name, pattern in shard_of(all_patterns(), shard):
            url = url_for(pattern, name, world["kwargs"])
            status = client.get(url).status_code
            if status >= 500:
                failures.append((name, person, status))
        for url in (
            ()
            if shard
            else (  # the admin's pages, once
                reverse("admin:families_family_changelist"),
                reverse("admin:families_family_change", args=[world["family"].pk]),
            )
        ):
            status = client.get(url).status_code
            if status >= 500:
                failures.append((url, person, status))
    assert not failures, failures
