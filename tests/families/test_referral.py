"""§7.1: the scheme accepts referrals only where the family has consented to the referral.

Opening a file also gives it a pseudonymous reference (§8.6): scheme code and a
sequence number, never anything derived from the family's personal data.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from access_log.models import AccessEvent
from families import services
from families.models import Family, Member, Referral
from homestart.models import DataKey, Scheme
from homestart.rules import Action
from tests.factories import make_family
from tests.helpers import error_summary, field_error

CONSENT_MESSAGE = "The scheme accepts a referral only when the family has consented to it (§7.1)."


def referral_form(scheme: Scheme, **changes) -> dict:
    data = {
        "scheme": str(scheme.pk),
        "source": "health_visitor",
        "referred_on": (timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
        "referrer_name": "Owen Maddock",
        "referrer_organisation": "Health visiting team",
        "referrer_contact": "0151 000 2222",
        "reasons": "Postnatal low mood; would value support getting out to groups.",
        "family_consented": "on",
        "first_name": "Kirsty",
        "last_name": "Penketh",
        "date_of_birth": "1994-02-11",
        "relationship": "mother",
        "address": "7 Laird Street\nBirkenhead",
        "postcode": "ch41 8bz",
        "phone": "07700 900456",
        "confirm": "yes",  # the answers were checked (the check-your-answers page)
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Family, Member, Referral, DataKey, Member.history.model, Referral.history.model)
    } | {"AccessEvent": AccessEvent.objects.filter(action=Action.CREATE).count()}


@pytest.mark.policy("7.1")
def test_referral_without_family_consent_is_refused(wirral, coordinator, client_for):
    before = counts()
    response = client_for(coordinator).post(reverse("families:new"), referral_form(wirral, family_consented=None))

    assert response.status_code == 200
    html = response.content.decode()
    assert CONSENT_MESSAGE in field_error(html, "id_family_consented")
    assert any(CONSENT_MESSAGE in item for item in error_summary(html))
    assert '<a href="#id_family_consented">' in html, "the summary links to the consent box"
    assert "<title>Error: " in html
    assert counts() == before, "nothing may be kept from a referral the family did not consent to"
    assert Scheme.objects.get(pk=wirral.pk).next_family_number == 1
    # What the coordinator typed is still there to correct.
    assert 'value="Kirsty"' in html


@pytest.mark.policy("7.1")
@pytest.mark.parametrize("value", ["", "false", "False"])
def test_consent_box_must_really_be_ticked(wirral, coordinator, client_for, value):
    response = client_for(coordinator).post(reverse("families:new"), referral_form(wirral, family_consented=value))
    assert response.status_code == 200
    assert CONSENT_MESSAGE in field_error(response.content.decode(), "id_family_consented")
    assert not Family.objects.exists()


@pytest.mark.policy("7.1", "8.6")
def test_referral_with_consent_opens_a_file_with_the_next_reference(wirral, coordinator, client_for):
    make_family(wirral, coordinator)
    make_family(wirral, coordinator)
    client = client_for(coordinator)
    response = client.post(reverse("families:new"), referral_form(wirral))

    assert response.status_code == 302
    assert response["Location"] == "/families/WIR-0003/"
    family = Family.objects.get(reference="WIR-0003")
    assert family.scheme == wirral and family.number == 3
    assert family.postcode == "CH41 8BZ", "postcode stored in its standard form"
    carer = family.members.get()
    assert (carer.kind, carer.first_name, carer.last_name) == (Member.Kind.ADULT, "Kirsty", "Penketh")
    referral = family.referrals.get()
    assert referral.family_consented is True
    assert referral.received_by == coordinator
    assert referral.referrer_name == "Owen Maddock"
    assert AccessEvent.objects.filter(file_reference="WIR-0003", action=Action.CREATE, user=coordinator).count() == 1

    page = client.get(response["Location"])
    assert "Family file WIR-0003 opened from the referral." in page.content.decode()


@pytest.mark.policy("7.1")
def test_service_refuses_a_referral_without_consent(wirral, coordinator):
    for consent in (False, None, "yes", 1):
        with pytest.raises(services.ConsentRequired) as refused:
            make_family(wirral, coordinator, family_consented=consent)
        assert "family_consented" in refused.value.message_dict
    assert not Family.objects.exists()
    assert not DataKey.objects.exists()


@pytest.mark.policy("7.1")
def test_database_refuses_a_referral_without_consent(family, coordinator):
    referral = Referral(
        family=family,
        source=Referral.Source.SELF,
        referred_on=timezone.localdate(),
        reasons="x",
        family_consented=False,
        received_by=coordinator,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        referral.save()
    existing = family.referrals.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=existing.pk).update(family_consented=False)
    assert Referral.objects.get(pk=existing.pk).family_consented is True


@pytest.mark.policy("7.2")
def test_only_scheme_staff_take_referrals(wirral, coordinator, volunteer, trustee, sef_coordinator, client_for):
    for person in (volunteer, trustee):
        response = client_for(person).post(reverse("families:new"), referral_form(wirral))
        assert response.status_code == 403, person.username
        assert client_for(person).get(reverse("families:new")).status_code == 403
    # A coordinator of another scheme cannot open a file in ours by choosing our scheme.
    response = client_for(sef_coordinator).post(reverse("families:new"), referral_form(wirral))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    with pytest.raises(services.gate.AccessRefused):
        make_family(wirral, sef_coordinator)
    assert not Family.objects.exists()


@pytest.mark.policy("8.6")
def test_reference_numbers_count_up_per_scheme_independently(wirral, sefton, coordinator, sef_coordinator):
    made = [
        make_family(wirral, coordinator),
        make_family(sefton, sef_coordinator),
        make_family(wirral, coordinator),
        make_family(wirral, coordinator),
        make_family(sefton, sef_coordinator),
    ]
    assert [f.reference for f in made] == ["WIR-0001", "SEF-0001", "WIR-0002", "WIR-0003", "SEF-0002"]


@pytest.mark.policy("8.6")
def test_reference_is_never_derived_from_personal_data(wirral, coordinator):
    same_people = [
        make_family(
            wirral,
            coordinator,
            first_name="Gemma",
            last_name="Rimmer",
            postcode="CH41 1AA",
            date_of_birth=datetime.date(1990, 5, 5),
        )
        for _ in range(2)
    ]
    different = make_family(wirral, coordinator, first_name="Zoe", last_name="Abernethy", postcode="CH63 9ZZ")
    assert [f.reference for f in same_people + [different]] == ["WIR-0001", "WIR-0002", "WIR-0003"]
    for family in same_people + [different]:
        carer = family.members.get()
        for personal in (carer.first_name, carer.last_name, family.postcode.replace(" ", ""), "1990", "Rim", "Abe"):
            assert personal.upper() not in family.reference.upper()
        assert str(family) == family.reference, "__str__ shows the pseudonym, never a name"


@pytest.mark.policy("7.1")
def test_missing_required_referral_details_are_explained_next_to_each_field(wirral, coordinator, client_for):
    data = referral_form(wirral, reasons="", first_name="", referrer_name="", referred_on="")
    html = client_for(coordinator).post(reverse("families:new"), data).content.decode()
    assert field_error(html, "id_reasons") == "Enter the reasons for referral"
    assert field_error(html, "id_first_name") == "Enter the parent or carer's first name"
    assert field_error(html, "id_referred_on") == "Enter the date of referral"
    assert field_error(html, "id_referrer_name") == "Enter the referrer's name, or choose self-referral."
    assert len(error_summary(html)) == 4
    assert not Family.objects.exists()


@pytest.mark.policy("7.1")
def test_self_referral_needs_no_referrer_name(wirral, coordinator, client_for):
    data = referral_form(wirral, source="self", referrer_name="", referrer_organisation="", referrer_contact="")
    response = client_for(coordinator).post(reverse("families:new"), data)
    assert response.status_code == 302
    assert Family.objects.get().referrals.get().source == Referral.Source.SELF


@pytest.mark.policy("7.1", "8.1")
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"referred_on": "2999-12-31"}, "referred_on", "The date of referral must be today or in the past."),
        (
            {"referred_on": "next week"},
            "referred_on",
            "Enter the date of referral as a real date, for example 27 3 2024",
        ),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "Date of birth must be today or in the past."),
        ({"postcode": "NOT A POSTCODE"}, "postcode", "Ensure this value has at most 10 characters (it has 14)."),
        ({"postcode": "12345"}, "postcode", "Enter a real UK postcode, for example CH41 4AB."),
        ({"source": "neighbour"}, "source", "Select a valid choice. neighbour is not one of the available choices."),
        ({"reasons": "r" * 5001}, "reasons", "Ensure this value has at most 5000 characters (it has 5001)."),
        ({"last_name": ""}, "last_name", "Enter the parent or carer's last name"),
    ],
    ids=[
        "future-referral",
        "referral-not-a-date",
        "future-birth",
        "long-postcode",
        "bad-postcode",
        "bad-source",
        "long-reasons",
        "no-surname",
    ],
)
def test_bad_referral_input_is_explained_and_opens_no_file(wirral, coordinator, client_for, changes, field, message):
    before = counts()
    response = client_for(coordinator).post(reverse("families:new"), referral_form(wirral, **changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert field_error(html, f"id_{field}") == message
    assert message in error_summary(html)
    assert counts() == before
