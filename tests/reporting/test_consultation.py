"""The safeguarding lead consults a trustee or adviser without identifying the family (§3.5)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reporting import services
from reporting.models import ReportEvent, SafeguardingConsultation
from tests.conftest import CARER_FIRST

pytestmark = pytest.mark.policy("3.5")

NEW = reverse("reporting:consultation_new")
LIST = reverse("reporting:consultation_list")
CLEAN = "A parent disclosed worries about a partner drinking; the children are under three."


def test_the_lead_shares_a_de_identified_summary_with_a_trustee(family, safeguarding_lead, trustee, client_for):
    response = client_for(safeguarding_lead).post(NEW, {"shared_with": trustee.pk, "summary": CLEAN})
    assert response.status_code == 302
    consultation = SafeguardingConsultation.objects.get()
    assert consultation.summary == CLEAN
    page = client_for(trustee).get(LIST)
    assert CLEAN in page.content.decode()
    assert ReportEvent.objects.filter(kind=ReportEvent.Kind.CONSULTATION_READ, user=trustee).exists()


def test_a_summary_that_identifies_the_family_is_refused_and_highlighted(
    family, safeguarding_lead, trustee, client_for
):
    response = client_for(safeguarding_lead).post(
        NEW, {"shared_with": trustee.pk, "summary": f"{CARER_FIRST} disclosed worries."}
    )
    assert response.status_code == 200
    assert f'<mark class="app-identifier">{CARER_FIRST}' in response.content.decode()
    assert not SafeguardingConsultation.objects.exists()


def test_only_the_safeguarding_lead_consults(family, coordinator, trustee, client_for):
    with pytest.raises(services.AccessRefused):
        services.consultation_share(scheme=family.scheme, actor=coordinator, summary=CLEAN, shared_with=trustee)
    assert client_for(coordinator).get(NEW).status_code == 404


def test_others_do_not_see_the_consultation(family, safeguarding_lead, trustee, spotcheck, client_for):
    services.consultation_share(scheme=family.scheme, actor=safeguarding_lead, summary=CLEAN, shared_with=trustee)
    assert CLEAN not in client_for(spotcheck).get(LIST).content.decode()


def test_a_volunteer_cannot_be_consulted(family, safeguarding_lead, volunteer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.consultation_share(scheme=family.scheme, actor=safeguarding_lead, summary=CLEAN, shared_with=volunteer)
