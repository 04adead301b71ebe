"""The gate filters lists in the database: the coordinator's family list and the
volunteer's list cost the same number of queries for 10 families and for 1,000.

A list whose queries grow with the scheme gets slow exactly when a scheme grows,
and tempts people to work around the application (§8.2, §8.3, §8.5).

The 1,000 families are written in bulk (rows, members, object permissions and
assignments), not through a thousand service calls, to keep the test fast; the
object permissions are the same rows the services grant.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from families.models import (
    Family,
    FamilyGroupObjectPermission,
    FamilyUserObjectPermission,
    Member,
    VolunteerAssignment,
)
from homestart.models import DataKey, Scheme, User


def _perm(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="families", codename=codename)


def bulk_families(scheme: Scheme, coordinator: User, volunteer: User, upto: int) -> None:
    """Add families until the scheme has ``upto``, each with a carer, the staff group's
    permissions and an active assignment to ``volunteer`` with its object permission."""
    start = Family.objects.filter(scheme=scheme).count() + 1
    families = [
        Family(
            scheme=scheme,
            number=n,
            reference=Family.format_reference(scheme.code, n),
            data_key=DataKey.generate(),
            address=f"{n} Bulk Street",
            postcode="CH41 1AA",
            phone="07700 900000",
        )
        for n in range(start, upto + 1)
    ]
    Family.objects.bulk_create(families)
    Member.objects.bulk_create(
        Member(
            family=f,
            kind=Member.Kind.ADULT,
            first_name=f"Carer{f.number}",
            last_name="Bulk",
            date_of_birth=datetime.date(1990, 1, 1),
            relationship="mother",
        )
        for f in families
    )
    group = scheme.staff_group
    staff_perms = [_perm("view_family"), _perm("change_family")]
    FamilyGroupObjectPermission.objects.bulk_create(
        FamilyGroupObjectPermission(group=group, permission=perm, content_object=f)
        for f in families
        for perm in staff_perms
    )
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    VolunteerAssignment.objects.bulk_create(
        VolunteerAssignment(family=f, volunteer=volunteer, starts_on=yesterday, created_by=coordinator)
        for f in families
    )
    minimal = _perm("view_family_minimal")
    FamilyUserObjectPermission.objects.bulk_create(
        FamilyUserObjectPermission(user=volunteer, permission=minimal, content_object=f) for f in families
    )
    Scheme.objects.filter(pk=scheme.pk).update(next_family_number=upto + 1)


def queries_for(client, url: str, *, expect: list[str], absent: list[str] = (), events_batched: bool = False) -> int:
    """The page's queries. ``events_batched``: the listing's access events are one INSERT on
    PostgreSQL but one per ~76 rows on SQLite (its 999 variables a statement), so they are
    counted as one whatever the number of files listed."""
    client.get(url)  # warm per-process caches, so that only the page itself is counted
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for text in expect:
        assert text in html, text
    for text in absent:
        assert text not in html, text
    sql = [q["sql"] for q in captured]
    if events_batched:
        inserts = [q for q in sql if q.startswith('INSERT INTO "access_log_accessevent"')]
        return len(sql) - len(inserts) + min(len(inserts), 1)
    return len(sql)


@pytest.mark.policy("8.3")
def test_family_list_costs_the_same_for_10_and_1000_families(wirral, coordinator, volunteer, client_for):
    client = client_for(coordinator)
    url = reverse("families:dashboard")
    bulk_families(wirral, coordinator, volunteer, 10)
    with_10 = queries_for(client, url, expect=["WIR-0010", "WIR-0001", "Carer10"])

    bulk_families(wirral, coordinator, volunteer, 1000)
    # Newest first, a page at a time: the newest file leads, the oldest is on a later page.
    with_1000 = queries_for(client, url, expect=["WIR-1000", "Carer1000"], absent=["WIR-0001<"])

    assert with_1000 == with_10, f"{with_10} queries for 10 families but {with_1000} for 1,000"


@pytest.mark.policy("8.5")
def test_volunteers_list_costs_the_same_for_10_and_1000_families(wirral, coordinator, volunteer, client_for):
    client = client_for(volunteer)
    url = reverse("families:my_families")
    bulk_families(wirral, coordinator, volunteer, 10)
    # "My families" shows first names: reading each file, so each is recorded (issue 15.4).
    with_10 = queries_for(client, url, expect=["WIR-0001", "WIR-0010"], events_batched=True)

    bulk_families(wirral, coordinator, volunteer, 1000)
    # 25 a page, found by key (issue 18): the first page ends at WIR-0025 and the next follows it.
    with_1000 = queries_for(client, url, expect=["WIR-0001", "WIR-0025", "after=WIR-0025"], events_batched=True)
    assert "WIR-0026" not in client.get(url).content.decode()
    assert "WIR-0026" in client.get(url + "?after=WIR-0025&at=26").content.decode()

    assert with_1000 == with_10, f"{with_10} queries for 10 families but {with_1000} for 1,000"


@pytest.mark.policy("8.5")
def test_volunteers_list_shows_only_their_families_among_1000(
    wirral, coordinator, volunteer, other_volunteer, client_for
):
    """The same 1,000 files: another volunteer of the scheme, assigned to none, lists none of them."""
    bulk_families(wirral, coordinator, volunteer, 1000)
    response = client_for(other_volunteer).get(reverse("families:my_families"))
    assert response.status_code == 200
    assert "WIR-0" not in response.content.decode() and "WIR-1000" not in response.content.decode()
