"""Review samples hold volunteer and personnel files as well as family files (§8.3, §8.4, §9.1):
"HSUK personnel sampling family, volunteer and personnel files for the purpose of Quality
Assurance sign and date the Record of Access Form". A trustee's spot check samples family
and volunteer files; personnel files only in an HSUK quality review (§8.4)."""

from __future__ import annotations

import random

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from access_log import gate
from access_log import services as access_services
from access_log.models import RecordOfAccess
from homestart.rules import FileKind, Role
from records.people import services
from tests.factories import MembershipFactory
from tests.helpers import error_summary, field_error, main_content


def _draw(reviewer, scheme, **counts):
    counts.setdefault("sample_size", 1)
    return access_services.review_draw_sample(
        reviewer=reviewer,
        scheme=scheme,
        days=14,
        rng=random.Random(3),
        **counts,  # noqa: S311
    )


@pytest.mark.policy("8.3", "8.4", "9.1")
def test_quality_review_samples_family_volunteer_and_personnel_files_and_opens_each_after_signing(
    family, volunteer_file, personnel_file, wirral, reviewer, client_for
):
    review = _draw(reviewer, wirral, volunteer_files=1, personnel_files=1)
    sampled = {f.file_kind: f.file_reference for f in review.files.all()}
    assert sampled == {
        FileKind.FAMILY: family.reference,
        FileKind.VOLUNTEER: volunteer_file.reference,
        FileKind.PERSONNEL: personnel_file.reference,
    }
    assert review.sample_size == 3

    client = client_for(reviewer)
    page = main_content(client.get(reverse("access_log:review_detail", args=[review.pk])).content.decode())
    for label in ("Family file", "Volunteer file", "Personnel file"):
        assert label in page
    for kind, file, url_name in (
        (FileKind.VOLUNTEER, volunteer_file, "records:volunteer_file"),
        (FileKind.PERSONNEL, personnel_file, "records:personnel_file"),
    ):
        url = reverse(url_name, args=[file.reference])
        sign = reverse("access_log:sign", kwargs={"kind": kind, "reference": file.reference})
        assert sign in page  # "Sign and open", until signed
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(sign)
        response = client.post(sign, {"signed_name": "Rita Reviewer", "declared": "on"})
        assert response["Location"] == url
        record = RecordOfAccess.objects.get(user=reviewer, file_kind=kind)
        assert (record.review, record.role) == (review, Role.REVIEWER)
        body = main_content(client.get(url).content.decode())
        assert file.full_name in body and "Change this file" not in body
    page = main_content(client.get(reverse("access_log:review_detail", args=[review.pk])).content.decode())
    assert reverse("records:volunteer_file", args=[volunteer_file.reference]) in page

    # Closing the review ends access at once.
    access_services.review_close(review=review, actor=reviewer)
    for kind, file in ((FileKind.VOLUNTEER, volunteer_file), (FileKind.PERSONNEL, personnel_file)):
        with pytest.raises(gate.FileHidden):
            gate.open_file(user=reviewer, kind=kind, reference=file.reference)


@pytest.mark.policy("8.3", "8.4", "9.1")
def test_spot_check_samples_volunteer_files_but_never_personnel_files(
    family, volunteer_file, personnel_file, wirral, spotcheck, client_for
):
    with pytest.raises(ValidationError) as refused:
        _draw(spotcheck, wirral, volunteer_files=1, personnel_files=1)
    assert "personnel_files" in refused.value.message_dict
    review = _draw(spotcheck, wirral, sample_size=0, volunteer_files=1)
    assert [(f.file_kind, f.file_reference) for f in review.files.all()] == [
        (FileKind.VOLUNTEER, volunteer_file.reference)
    ]
    access_services.record_of_access_sign(
        user=spotcheck,
        kind=FileKind.VOLUNTEER,
        obj=volunteer_file,
        reference=volunteer_file.reference,
        scheme_id=wirral.pk,
        role=Role.SPOT_CHECK_TRUSTEE,
        signed_name="S",
        declared=True,
        review=review,
    )
    assert gate.open_file(user=spotcheck, kind=FileKind.VOLUNTEER, reference=volunteer_file.reference).full
    # The spot-check form offers no personnel files at all.
    form = client_for(spotcheck).get(reverse("access_log:review_new")).content.decode()
    assert 'name="volunteer_files"' in form and 'name="personnel_files"' not in form


@pytest.mark.policy("9.1")
def test_reviewer_draws_a_mixed_sample_from_the_page_and_bad_counts_are_explained(
    family, volunteer_file, personnel_file, wirral, reviewer, client_for
):
    client = client_for(reviewer)
    url = reverse("access_log:review_new")
    assert 'name="personnel_files"' in client.get(url).content.decode()
    response = client.post(url, {"scheme": wirral.pk, "sample_size": 0, "volunteer_files": 0, "days": 7})
    assert "Choose a sample of 1 to 50 files." in error_summary(response.content.decode())
    response = client.post(url, {"scheme": wirral.pk, "sample_size": 1, "volunteer_files": -1, "days": 7})
    assert field_error(response.content.decode(), "id_volunteer_files")
    response = client.post(
        url, {"scheme": wirral.pk, "sample_size": 0, "volunteer_files": 1, "personnel_files": 1, "days": 7}
    )
    assert response.status_code == 302
    review = reviewer.reviews.get()
    assert {f.file_kind for f in review.files.all()} == {FileKind.VOLUNTEER, FileKind.PERSONNEL}


@pytest.mark.policy("8.3", "9.1")
def test_a_reviewer_never_draws_their_own_file_nor_a_destroyed_one(wirral, spotcheck, coordinator, volunteer_file):
    MembershipFactory(user=spotcheck, scheme=wirral, role=Role.VOLUNTEER)
    own = services.volunteer_file_create(
        scheme=wirral, person=spotcheck, actor=coordinator, full_name="S T", started_on=volunteer_file.started_on
    )
    for _ in range(3):
        review = _draw(spotcheck, wirral, sample_size=0, volunteer_files=5)
        assert [f.file_reference for f in review.files.all()] == [volunteer_file.reference]
        assert own.reference not in {f.file_reference for f in review.files.all()}
        access_services.review_close(review=review, actor=spotcheck)
    volunteer_file.data_key.destroy()
    with pytest.raises(ValidationError):
        _draw(spotcheck, wirral, sample_size=0, volunteer_files=5)
