"""Exact-match search by reference, surname or postcode through a blind index (§8.2, §8.3).

No plaintext surname or postcode column exists; results are limited to the
files the searcher may open.
"""

from __future__ import annotations

import hashlib
import re

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from families import selectors
from families.models import Family, Member
from homestart import crypto
from homestart.fields import BlindIndexField, EncryptedField
from tests.conftest import CARER_LAST, POSTCODE
from tests.factories import make_family
from tests.helpers import raw_value


def refs(queryset) -> list[str]:
    return sorted(f.reference for f in queryset)


@pytest.fixture
def three_families(family, wirral, coordinator):
    """WIR-0001 (Quenby, CH41 7QZ), WIR-0002 (O'Neill-Smith, CH43 5RT), WIR-0003 (Smith, CH41 7QA)."""
    second = make_family(wirral, coordinator, last_name="O'Neill-Smith", postcode="CH43 5RT")
    third = make_family(wirral, coordinator, last_name="Smith", postcode="CH41 7QA")
    return family, second, third


def search(user, term):
    return refs(selectors.family_search(user=user, term=term))


def found_by(user, terms: list[str]) -> dict[str, list[str]]:
    """What each spelling of a term finds: one fixture setup checks every variant."""
    return {term: search(user, term) for term in terms}


@pytest.mark.policy("8.6")
def test_search_by_reference_is_exact_and_ignores_case(three_families, coordinator):
    terms = ["WIR-0002", "wir-0002", "  Wir-0002 "]
    assert found_by(coordinator, terms) == dict.fromkeys(terms, ["WIR-0002"])


@pytest.mark.policy("8.2")
def test_search_by_surname_ignores_case_and_surrounding_space(three_families, coordinator):
    terms = ["Quenby", "quenby", "QUENBY", "  Quenby  ", "\tquenby\n"]
    assert found_by(coordinator, terms) == dict.fromkeys(terms, ["WIR-0001"])


@pytest.mark.policy("8.2")
def test_search_by_surname_normalises_inner_spaces_and_apostrophes(three_families, coordinator):
    terms = ["o’neill-smith", "O'Neill-Smith", "O'NEILL-SMITH"]
    assert found_by(coordinator, terms) == dict.fromkeys(terms, ["WIR-0002"])


@pytest.mark.policy("8.2")
def test_search_by_postcode_ignores_spacing_and_case(three_families, coordinator):
    terms = ["CH41 7QZ", "ch417qz", "Ch41  7qz", " CH41 7QZ "]
    assert found_by(coordinator, terms) == dict.fromkeys(terms, ["WIR-0001"])


@pytest.mark.policy("8.2")
def test_search_finds_a_family_by_a_childs_surname(family, coordinator):
    from families import services

    services.member_add(
        family=family, actor=coordinator, kind=Member.Kind.CHILD, first_name="Nell", last_name="Birtwistle"
    )
    assert search(coordinator, "birtwistle") == ["WIR-0001"]


@pytest.mark.policy("8.3")
def test_partial_terms_match_nothing(three_families, coordinator):
    terms = [
        "Quen",
        "uenby",
        "Smit",
        "O'Neill",
        "CH41",
        "CH41 7Q",
        "7QZ",
        "WIR-000",
        "WIR-00011",
        "WIR",
        "0001",
        "Q*",
        "%",
        "_",
        "Quenby Smith",
    ]
    assert found_by(coordinator, terms) == dict.fromkeys(terms, [])


def test_same_surname_finds_every_family_with_it(three_families, wirral, coordinator):
    make_family(wirral, coordinator, last_name="smith", postcode="CH49 1AA")
    assert search(coordinator, "Smith") == ["WIR-0003", "WIR-0004"]


@pytest.mark.policy("8.3", "9.2")
def test_coordinator_of_another_scheme_finds_nothing_of_ours(three_families, sef_coordinator, sefton):
    make_family(sefton, sef_coordinator, last_name="Quenby", postcode="L20 3AB")
    assert search(sef_coordinator, "Quenby") == ["SEF-0001"]
    assert search(sef_coordinator, POSTCODE) == []
    assert search(sef_coordinator, "WIR-0001") == []
    assert search(sef_coordinator, "Smith") == []


@pytest.mark.policy("8.5")
def test_volunteer_finds_only_assigned_families(three_families, assigned_family, volunteer, other_volunteer):
    assert search(volunteer, CARER_LAST) == ["WIR-0001"]
    assert search(volunteer, "Smith") == []
    assert search(volunteer, "CH43 5RT") == []
    assert search(other_volunteer, CARER_LAST) == []


@pytest.mark.policy("8.3")
def test_people_without_family_access_find_nothing(
    three_families, trustee, spotcheck, reviewer, auditor, admin_user, safeguarding_lead, outsider
):
    for person in (trustee, spotcheck, reviewer, auditor, admin_user, safeguarding_lead, outsider):
        assert search(person, CARER_LAST) == [], person.username
        assert search(person, "WIR-0001") == [], person.username


@pytest.mark.policy("8.6")
def test_search_page_lists_matching_references_only(three_families, coordinator, client_for):
    response = client_for(coordinator).post(reverse("families:search"), {"q": "smith"})
    assert response.status_code == 200
    html = response.content.decode()
    found = re.findall(r'<a class="govuk-link app-reference" href="([^"]+)">([^<]+)</a>', html)
    assert found == [("/families/WIR-0003/", "WIR-0003")]
    assert "1 family found" in html


def test_search_page_says_when_nothing_matches(three_families, coordinator, client_for):
    html = client_for(coordinator).post(reverse("families:search"), {"q": "Quen"}).content.decode()
    assert "0 families found" in html
    assert "WIR-0001" not in html


@pytest.mark.policy("8.3")
def test_search_page_for_another_scheme_lists_nothing(three_families, sef_coordinator, client_for):
    html = client_for(sef_coordinator).post(reverse("families:search"), {"q": CARER_LAST}).content.decode()
    assert "0 families found" in html
    assert "WIR-0001" not in html


def test_search_page_refuses_an_overlong_term_with_a_message(coordinator, client_for, family):
    html = client_for(coordinator).post(reverse("families:search"), {"q": "x" * 101}).content.decode()
    assert "Ensure this value has at most 100 characters" in html
    assert "found" not in html


@pytest.mark.policy("8.2")
def test_no_plaintext_surname_or_postcode_column_exists(family):
    searchable = {"last_name", "first_name", "postcode", "address", "phone", "date_of_birth"}
    for model in (Member, Family, Member.history.model, Family.history.model):
        for field in model._meta.concrete_fields:
            if field.name in searchable:
                assert isinstance(field, EncryptedField), f"{model.__name__}.{field.name} is not encrypted"
                assert field.get_internal_type() == "BinaryField"
        with connection.cursor() as cursor:
            columns = [c.name for c in connection.introspection.get_table_description(cursor, model._meta.db_table)]
        by_column = {f.column: f for f in model._meta.concrete_fields}
        for column in columns:
            if any(word in column for word in ("name", "postcode", "address", "phone", "birth")):
                field = by_column[column]
                assert isinstance(field, EncryptedField | BlindIndexField), (
                    f"{model._meta.db_table}.{column} holds plaintext"
                )

    member = Member.objects.get(family=family, kind=Member.Kind.ADULT)
    stored_index = raw_value(Member, "surname_index", member.pk)
    assert re.fullmatch(r"[0-9a-f]{32}", stored_index)
    assert CARER_LAST.lower() not in stored_index
    assert raw_value(Family, "postcode_index", family.pk) == crypto.blind_index(POSTCODE, domain="postcode")


@pytest.mark.policy("8.2")
def test_blind_index_is_keyed_and_separated_by_domain():
    surname = crypto.blind_index("Quenby", domain="surname")
    assert surname != hashlib.sha256(b"quenby").hexdigest()[:32], "an unkeyed hash can be reversed by guessing"
    assert surname != crypto.blind_index("Quenby", domain="postcode")
    with override_settings(BLIND_INDEX_KEY=b"k" * 32):
        assert crypto.blind_index("Quenby", domain="surname") != surname
    assert crypto.blind_index("", domain="surname") == ""
    assert crypto.blind_index(None, domain="postcode") == ""


@pytest.mark.policy("8.2")
def test_changing_a_surname_moves_the_family_in_search(family, coordinator):
    from families import services

    member = Member.objects.get(family=family, kind=Member.Kind.ADULT)
    services.member_update(member=member, actor=coordinator, last_name="Ashworth")
    services.family_update_contact(family=family, actor=coordinator, address="", postcode="CH46 2BB", phone="")
    assert search(coordinator, "Ashworth") == ["WIR-0001"]
    assert search(coordinator, "CH46 2BB") == ["WIR-0001"]
    assert search(coordinator, POSTCODE) == []
