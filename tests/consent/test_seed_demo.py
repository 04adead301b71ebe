"""The demo data gains statements, consents, one concern and one disclosure, idempotently."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from consent.models import ConfidentialityStatement, Consent, Disclosure
from safeguarding.models import Concern

MODELS = [ConfidentialityStatement, Consent, Concern, Disclosure]


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS} | {f"h{m.__name__}": m.history.count() for m in MODELS}


@pytest.mark.policy("1.2", "2.1")
def test_seed_demo_records_consents_a_concern_and_a_disclosure_once(seeded_demo):
    first = counts()
    assert first["Consent"] >= 4 and first["Concern"] == 1 and first["Disclosure"] == 1
    disclosure = Disclosure.objects.get()
    assert disclosure.basis == "safeguarding" and disclosure.family_told == "not_told" and disclosure.not_told_reason
    assert Consent.objects.due_for_review().exists()
    call_command("seed_demo", allow_production=True, stdout=StringIO())
    assert counts() == first
