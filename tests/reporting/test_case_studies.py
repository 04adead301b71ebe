"""Case studies: written from a family's file with consent, released only once anonymous (§3.3, §7.5)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from access_log.models import AccessEvent
from homestart.concurrency import row_version
from reporting import services
from reporting.identifiers import find_identifiers
from reporting.models import CaseStudy
from tests.conftest import (
    CARER_DOB,
    CARER_FIRST,
    CARER_LAST,
    CHILD_FIRST,
    PHONE,
    POSTCODE,
    REFERRER_NAME,
)

pytestmark = pytest.mark.policy("3.3", "7.5")

CLEAN = "A mother who felt isolated after a move was matched with a volunteer. Over six months she grew in confidence."


@pytest.fixture
def study(family, coordinator) -> CaseStudy:
    return services.case_study_create(
        family=family,
        actor=coordinator,
        title="Growing in confidence",
        draft=f"{CARER_FIRST} and {CHILD_FIRST} were supported. {CLEAN}",
        family_consented=True,
        consent_recorded_on=timezone.localdate(),
    )


def kinds(text, scheme):
    return {(f.kind, f.text) for f in find_identifiers(text, scheme=scheme)}


@pytest.mark.parametrize(
    "text, kind",
    [
        (f"Then {CARER_FIRST.lower()} smiled.", "name"),
        (f"The {CARER_LAST} family.", "name"),
        (f"Little {CHILD_FIRST} walked.", "child's name"),
        (f"Born {CARER_DOB.day} {CARER_DOB:%B} {CARER_DOB.year}.", "date of birth"),
        ("Born 23/07/1991.", "date"),
        ("They live at 12 Argyle Street now.", "address"),
        ("Off argyle street.", "address"),
        (f"Near {POSTCODE}.", "postcode"),
        ("Near L1 8JQ, a postcode no family has.", "postcode"),
        (f"Call {PHONE}.", "phone number"),
        ("Call 0151 496 0000.", "phone number"),
        ("File WIR-0001 says.", "reference"),
        ("See SEF-0042.", "reference"),
        (f"Referred by {REFERRER_NAME.split()[1]}.", "referrer's name"),
        ("Visited by Vera every week.", "volunteer's or staff member's name"),
    ],
)
def test_the_identifier_check_catches_each_kind_of_identifier(family, volunteer, wirral, text, kind):
    volunteer.first_name = "Vera"
    volunteer.save()
    assert kind in {k for k, _ in kinds(text, wirral)}, kinds(text, wirral)


def test_the_identifier_check_allows_a_clean_text(family, volunteer, wirral):
    assert find_identifiers(CLEAN, scheme=wirral) == []


def test_names_match_whole_words_only(family, wirral):
    assert find_identifiers(f"{CARER_FIRST}ville is a made-up word.", scheme=wirral) == []


def test_identifiers_of_another_schemes_families_are_not_known_but_patterns_still_catch(family, sefton):
    assert find_identifiers(f"{CARER_FIRST} was helped.", scheme=sefton) == []
    assert find_identifiers(f"Near {POSTCODE}.", scheme=sefton)


def _ask(study, user):
    """Ask for the release, with the family file opened through the gate as the page does."""
    from access_log import gate

    access = gate.open_family(user=user, reference=study.family.reference, section="case_studies", for_change=True)
    return services.case_study_release_request(study=study, access=access, actor=user)


def test_release_is_blocked_while_an_identifier_remains(study, coordinator):
    with pytest.raises(services.IdentifiersFound) as error:
        _ask(study, coordinator)
    assert {f.text for f in error.value.found} == {CARER_FIRST, CHILD_FIRST}
    study.refresh_from_db()
    assert study.status == CaseStudy.Status.DRAFT and study.released_text == ""


@pytest.mark.policy("3.3")
def test_a_manager_releases_a_clean_case_study_a_coordinator_asked_for(study, manager, coordinator):
    from tests.approval_helpers import decide

    services.case_study_update(study=study, actor=coordinator, title=study.title, draft=CLEAN)
    decide(_ask(study, coordinator), manager)
    study.refresh_from_db()
    assert study.status == CaseStudy.Status.RELEASED and study.released_text == CLEAN
    assert study.released_by == manager
    assert study.history.count() == 3


@pytest.mark.policy("3.3")
def test_a_coordinator_cannot_approve_a_release_nor_a_manager_their_own(study, coordinator, manager):
    from access_log.gate import AccessRefused
    from tests.approval_helpers import decide

    services.case_study_update(study=study, actor=coordinator, title=study.title, draft=CLEAN)
    asked = _ask(study, manager)
    for person in (coordinator, manager):
        with pytest.raises(AccessRefused):
            decide(asked, person)
    study.refresh_from_db()
    assert study.status == CaseStudy.Status.DRAFT


def test_a_case_study_needs_the_familys_consent(family, coordinator, client_for):
    url = reverse("reporting:case_study_new", kwargs={"reference": family.reference})
    response = client_for(coordinator).post(
        url,
        {
            "title": "T",
            "draft": CLEAN,
            "consent_recorded_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    assert "consent" in response.context["form"].errors["family_consented"][0]
    assert not CaseStudy.objects.exists()


def test_the_draft_is_encrypted_under_the_familys_key(study):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT draft FROM reporting_casestudy")
        stored = bytes(cursor.fetchone()[0])
    assert CARER_FIRST.encode() not in stored


def test_writing_a_case_study_opens_the_family_file_through_the_gate(family, coordinator, client_for):
    url = reverse("reporting:case_study_new", kwargs={"reference": family.reference})
    response = client_for(coordinator).post(
        url,
        {
            "title": "Growing in confidence",
            "draft": f"{CARER_FIRST} was helped.",
            "family_consented": "on",
            "consent_recorded_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        },
    )
    study = CaseStudy.objects.get()
    assert response.status_code == 302
    assert AccessEvent.objects.filter(
        user=coordinator, file_reference=family.reference, section="case_studies"
    ).exists()
    page = client_for(coordinator).get(reverse("reporting:case_study_edit", kwargs={"study_id": study.pk}))
    html = page.content.decode()
    assert f'<mark class="app-identifier">{CARER_FIRST}' in html


@pytest.mark.parametrize("who", ["volunteer", "trustee", "safeguarding_lead", "sef_coordinator", "reviewer"])
def test_only_the_schemes_staff_write_case_studies(request, family, client_for, who):
    url = reverse("reporting:case_study_new", kwargs={"reference": family.reference})
    assert client_for(request.getfixturevalue(who)).get(url).status_code in (403, 404)


@pytest.mark.parametrize("who", ["trustee", "volunteer", "safeguarding_lead", "sef_coordinator"])
def test_drafts_are_hidden_from_everyone_but_staff(request, study, client_for, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("reporting:case_study_edit", kwargs={"study_id": study.pk})).status_code == 404
    assert client.get(reverse("reporting:case_study_detail", kwargs={"study_id": study.pk})).status_code == 404


def test_the_release_page_refuses_a_text_with_identifiers(study, client_for, coordinator, manager):
    from access_log.models import Approval

    url = reverse("reporting:case_study_release", kwargs={"study_id": study.pk})
    response = client_for(manager).post(url, {"version": row_version(study)})
    assert response.status_code == 302
    study.refresh_from_db()
    assert study.status == CaseStudy.Status.DRAFT and not Approval.objects.exists()


def test_trustees_read_only_released_case_studies_with_no_link_to_the_family(
    study, client_for, coordinator, manager, trustee, family
):
    from access_log.models import Approval

    services.case_study_update(study=study, actor=coordinator, title=study.title, draft=CLEAN)
    response = client_for(coordinator).post(
        reverse("reporting:case_study_release", kwargs={"study_id": study.pk}), {"version": row_version(study)}
    )
    assert response.status_code == 302
    approval = Approval.objects.get(subject_id=study.pk)
    client = client_for(trustee)
    # Nothing is visible to trustees before the manager approves (§3.3).
    assert study.title not in client.get(reverse("reporting:case_study_list")).content.decode()
    assert client.get(reverse("reporting:case_study_detail", kwargs={"study_id": study.pk})).status_code == 404
    assert (
        client_for(manager)
        .post(reverse("access_log:approval", kwargs={"approval_id": approval.pk}), {"decision": "approve"})
        .status_code
        == 302
    )
    listing = client.get(reverse("reporting:case_study_list")).content.decode()
    assert study.title in listing and family.reference not in listing
    page = client.get(reverse("reporting:case_study_detail", kwargs={"study_id": study.pk})).content.decode()
    assert CLEAN in page and family.reference not in page and "/families/" not in page
