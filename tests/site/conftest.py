"""A small world in which every page of the product can be reached: a family with
a volunteer, an open review with a signed Record of Access, an open audit session,
and every role. Used by the cross-cutting suites of this folder."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from access_log import services as access_services
from access_log.models import RecordOfAccess
from safeguarding import services as safeguarding_services
from safeguarding.models import ExternalRequest
from tests.sharing_fixtures import *  # noqa: F403
from tests.sharing_fixtures import OBSERVED


def all_patterns() -> list[tuple[str, URLPattern]]:
    """(name, pattern) for every named URL of the product, Django admin excepted."""
    found: list[tuple[str, URLPattern]] = []

    def walk(patterns, namespace: str = "") -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif p.name:
                found.append((f"{namespace}{p.name}", p))

    walk(get_resolver().url_patterns)
    return found


@pytest.fixture
def world(assigned_family, assignment, coordinator, manager, safeguarding_lead, volunteer, trustee, spotcheck,
          reviewer, auditor, admin_user, sef_coordinator, outsider, wirral, open_as, give_consent):
    family = assigned_family
    from django.utils import timezone

    consent = give_consent(family)
    concern = safeguarding_services.concern_raise(
        access=open_as(safeguarding_lead, family, "safeguarding", change=True), category="neglect",
        observed=OBSERVED, observed_on=timezone.localdate(), actor=safeguarding_lead,
    )
    import uuid

    from records import services as records_services
    from records.models import SubjectAccessRequest

    sar = records_services.sar_register(
        scheme=wirral, actor=manager, subject_kind=SubjectAccessRequest.SubjectKind.FAMILY_MEMBER,
        requester_name="Requester", received_on=timezone.localdate(), family=family,
        member=family.members.order_by("created_at").first(),
    )
    breach = records_services.breach_record(
        scheme=wirral, actor=coordinator, found_at=timezone.now(), found_by=coordinator,
        description="Email sent to the wrong address", data_affected="One address",
    )
    from families import services as family_services
    from reporting import services as reporting_services

    study = reporting_services.case_study_create(
        family=family, actor=coordinator, title="Growing in confidence", draft="A clean text.",
        family_consented=True, consent_recorded_on=timezone.localdate(),
    )
    meeting = reporting_services.meeting_record(
        scheme=wirral, actor=manager, held_on=timezone.localdate(), minutes="Budget approved."
    )
    group = family_services.group_create(scheme=wirral, actor=coordinator, name="Stay and play")
    external = safeguarding_services.request_log(
        access=open_as(safeguarding_lead, family, "safeguarding", change=True), kind=ExternalRequest.Kind.POLICE,
        received_on=timezone.localdate(), requester="DC Example", details="Request", actor=safeguarding_lead,
    )
    review = access_services.review_draw_sample(reviewer=reviewer, scheme=wirral, sample_size=1, days=7)
    access_services.record_of_access_sign(
        user=reviewer, kind="family", obj=family, reference=family.reference, scheme_id=family.scheme_id,
        role="reviewer", signed_name="Rita Reviewer", declared=True, review=review,
    )
    session = access_services.audit_session_open(
        coordinator=coordinator, auditor=auditor, scheme=wirral, references=[family.reference],
        signed_name="Cora Ordinator", declared=True,
    )
    assert RecordOfAccess.objects.filter(review=review).exists()
    people = {
        "coordinator": coordinator, "manager": manager, "safeguarding_lead": safeguarding_lead,
        "volunteer": volunteer, "trustee": trustee, "spotcheck": spotcheck, "reviewer": reviewer,
        "auditor": auditor, "admin_user": admin_user, "sef_coordinator": sef_coordinator, "outsider": outsider,
    }
    # Values for every URL keyword the product uses. A URL with a keyword missing
    # here fails the suites, so a new page cannot slip past them.
    kwargs = {
        "reference": family.reference,
        "member_id": family.members.first().pk,
        "assignment_id": assignment.pk,
        "review_id": review.pk,
        "session_id": session.pk,
        "kind": "family",
        "consent_id": consent.pk,
        "concern_id": concern.pk,
        "request_id": external.pk,
        "sar_id": sar.pk,
        "study_id": study.pk,
        "meeting_id": meeting.pk,
        "group_id": group.pk,
        "breach_id": breach.pk,
        # POST-only retention actions: a GET answers 405 whatever the id.
        "hold_id": 1,
        "destruction_id": uuid.uuid4(),
    }
    return {"family": family, "people": people, "kwargs": kwargs}


def url_for(pattern: URLPattern, name: str, kwargs: dict) -> str:
    from django.urls import reverse

    needed = set(pattern.pattern.converters)
    missing = needed - set(kwargs)
    assert not missing, f"tests/site/conftest.py: add a value for {sorted(missing)} (URL {name})"
    return reverse(name, kwargs={k: kwargs[k] for k in needed})
