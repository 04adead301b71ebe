"""Two people editing the same record: the second is told, nothing is silently
overwritten (§8.2: records kept accurately and securely)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from families.models import Family, Member
from tests.conftest import CARER_FIRST

pytestmark = pytest.mark.policy("8.2")


def version_in(html: str) -> str:
    return re.search(r'name="version" value="([^"]*)"', html).group(1)


def carer(family: Family) -> Member:
    return family.members.filter(kind=Member.Kind.ADULT).get()


def test_second_editor_of_a_member_is_told_and_the_first_edit_stands(family, coordinator, manager, client_for):
    member = carer(family)
    url = reverse("families:member_edit", kwargs={"reference": family.reference, "member_id": member.pk})
    first, second = client_for(coordinator), client_for(manager)
    form_first, form_second = first.get(url).content.decode(), second.get(url).content.decode()
    fields = {"kind": "adult", "last_name": member.last_name, "relationship": "mother", "date_of_birth": ""}

    saved = first.post(url, {**fields, "first_name": "Rosamund", "version": version_in(form_first)})
    assert saved.status_code == 302
    clash = second.post(url, {**fields, "first_name": "Rosalie", "version": version_in(form_second)})

    assert clash.status_code == 200
    html = clash.content.decode()
    assert "Someone else changed this record while you were editing it" in html
    assert 'value="Rosamund"' in html, "the form shows the other person's version"
    member.refresh_from_db()
    assert member.first_name == "Rosamund"
    # Now working from the current version, the second person's change is saved.
    again = second.post(url, {**fields, "first_name": "Rosalie", "version": version_in(html)})
    assert again.status_code == 302
    member.refresh_from_db()
    assert member.first_name == "Rosalie"


def test_second_editor_of_contact_details_is_told(family, coordinator, manager, client_for):
    url = reverse("families:contact_edit", kwargs={"reference": family.reference})
    first, second = client_for(coordinator), client_for(manager)
    v1, v2 = version_in(first.get(url).content.decode()), version_in(second.get(url).content.decode())
    saved = first.post(url, {"address": "1 New Road", "postcode": "CH41 1AA", "phone": "", "version": v1})
    assert saved.status_code == 302
    clash = second.post(url, {"address": "2 Other Road", "postcode": "CH41 1AA", "phone": "", "version": v2})
    assert "Someone else changed this record" in clash.content.decode()
    family.refresh_from_db()
    assert family.address == "1 New Road"


def test_a_form_without_a_version_cannot_overwrite(family, coordinator, client_for):
    member = carer(family)
    url = reverse("families:member_edit", kwargs={"reference": family.reference, "member_id": member.pk})
    response = client_for(coordinator).post(url, {"kind": "adult", "first_name": "Nobody"})
    assert "Someone else changed this record" in response.content.decode()
    member.refresh_from_db()
    assert member.first_name == CARER_FIRST
