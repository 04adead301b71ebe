"""Two people working on the same case study draft: the second is told and nothing is
overwritten; a manager releases only the text they read (§3.3, §8.2; OWASP ASVS 2.3.4)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from homestart.concurrency import row_version
from reporting import services
from reporting.models import CaseStudy
from tests.helpers import banner, conflict_at_top, version_in

pytestmark = pytest.mark.policy("3.3", "8.2")

CLEAN = "A mother who felt isolated after a move was matched with a volunteer. Over six months she grew in confidence."
LATER = "A parent new to the area found company and confidence through weekly visits."


@pytest.fixture
def study(family, coordinator) -> CaseStudy:
    return services.case_study_create(
        family=family,
        actor=coordinator,
        title="Growing in confidence",
        draft=CLEAN,
        family_consented=True,
        consent_recorded_on=timezone.localdate(),
    )


def test_second_editor_of_a_draft_is_told_and_the_first_edit_stands(study, coordinator, manager, client_for):
    url = reverse("reporting:case_study_edit", kwargs={"study_id": study.pk})
    first, second = client_for(coordinator), client_for(manager)
    v1, v2 = version_in(first.get(url).content.decode()), version_in(second.get(url).content.decode())

    assert first.post(url, {"title": "Finding company", "draft": LATER, "version": v1}).status_code == 302
    clash = second.post(url, {"title": "Growing in confidence", "draft": CLEAN + " Edited.", "version": v2})

    html = clash.content.decode()
    assert clash.status_code == 200 and conflict_at_top(html)
    assert 'value="Finding company"' in html and LATER in html
    study.refresh_from_db()
    assert (study.title, study.draft) == ("Finding company", LATER)
    assert [h.history_user for h in study.history.order_by("history_id")] == [coordinator, coordinator]


def test_a_manager_cannot_release_a_draft_changed_after_they_read_it(study, coordinator, manager, client_for):
    reader = client_for(manager)
    edit = reverse("reporting:case_study_edit", kwargs={"study_id": study.pk})
    read_version = version_in(reader.get(edit).content.decode())
    services.case_study_update(study=study, actor=coordinator, title=study.title, draft=LATER)

    release = reverse("reporting:case_study_release", kwargs={"study_id": study.pk})
    response = reader.post(release, {"version": read_version})
    assert response["Location"] == edit
    assert "so it was not released" in banner(reader.get(edit).content.decode())
    study.refresh_from_db()
    assert study.status == CaseStudy.Status.DRAFT and study.released_text == ""
    # Having read the text as it is now, the manager asks for the release of exactly that, and
    # another manager's approval releases it (access_log/approvals.py).
    reader.post(release, {"version": row_version(study)})
    from access_log.models import Approval
    from homestart.rules import Role
    from tests.approval_helpers import decide
    from tests.conftest import _member

    decide(Approval.objects.get(subject_id=study.pk), _member(study.scheme, Role.MANAGER, "manager2"))
    study.refresh_from_db()
    assert study.status == CaseStudy.Status.RELEASED and study.released_text == LATER
