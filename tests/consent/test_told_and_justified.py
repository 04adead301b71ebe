"""The "family told / justification" block of every sharing, checked once
(consent.models.told_and_justified) for the forms, the services and the register (§1.5, §2.1, §2.2)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consent.forms import CommunicationForm, DisclosureForm
from consent.models import Disclosure, LegalBasis, RecipientKind, told_and_justified

TOLD, NOT_TOLD = Disclosure.FamilyTold.TOLD, Disclosure.FamilyTold.NOT_TOLD
TODAY = timezone.localdate()


@pytest.mark.policy("1.5", "2.2")
@pytest.mark.parametrize(
    ("told", "on", "reason", "field"),
    [
        (TOLD, None, "", "family_told_on"),
        (NOT_TOLD, None, "   ", "not_told_reason"),
        ("maybe", None, "", "family_told"),
        (TOLD, TODAY + datetime.timedelta(days=1), "", "family_told_on"),
    ],
)
def test_the_family_is_told_with_a_date_or_the_reason_is_recorded(told, on, reason, field):
    assert list(told_and_justified(family_told=told, family_told_on=on, not_told_reason=reason)) == [field]


@pytest.mark.policy("1.5", "2.1", "2.2")
def test_a_complete_block_has_no_errors_and_without_consent_needs_a_justification():
    told = {"family_told": TOLD, "family_told_on": TODAY, "not_told_reason": ""}
    assert told_and_justified(**told) == {}
    assert list(told_and_justified(**told, justification=" ", needs_justification=True)) == ["justification"]
    assert told_and_justified(**told, justification="To protect the child.", needs_justification=True) == {}
    not_told = {"family_told": NOT_TOLD, "family_told_on": None, "not_told_reason": "It puts the baby at risk"}
    assert told_and_justified(**not_told) == {}


def _form_data(**overrides):
    return {
        "recipient_kind": RecipientKind.AGENCY,
        "recipient_name": "Wirral Children's Services",
        "basis": LegalBasis.SAFEGUARDING,
        "scope": "support",
        "summary": "Concern about the toddler left alone.",
        "shared_on": TODAY.isoformat(),
        "family_told": NOT_TOLD,
        "family_told_on": "",
        "not_told_reason": "",
        "justification": "",
        **overrides,
    }


@pytest.mark.policy("1.5", "2.1", "2.2")
def test_the_forms_and_the_register_say_the_same(family):
    """The same message next to the field on the page as the register itself gives."""
    expected = told_and_justified(
        family_told=NOT_TOLD, family_told_on=None, not_told_reason="", justification="", needs_justification=True
    )
    form = DisclosureForm(data=_form_data())
    assert not form.is_valid()
    assert {field: form.errors[field][0] for field in expected} == expected

    # Without a legal basis on the form, only the service knows whether consent was given.
    form = CommunicationForm(data=_form_data(), family=family)
    assert not form.is_valid()
    assert "justification" not in form.errors and form.errors["not_told_reason"][0] == expected["not_told_reason"]

    entry = Disclosure(family=family, basis=LegalBasis.SAFEGUARDING, family_told=NOT_TOLD, not_told_reason="")
    with pytest.raises(ValidationError) as refused:
        entry.clean()
    assert {field: refused.value.message_dict[field][0] for field in expected} == expected
