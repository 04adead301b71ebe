"""Every statistics, case study, board minutes, consultation and group page × role:
who gets it, and that everyone else gets 404 (or 403 where they know the family file)
(§3.2–§3.7, §6.1, §7.5, §8.9). A page added without a row fails here."""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from families import services as family_services
from reporting import services

pytestmark = pytest.mark.policy("3.2", "3.3", "3.6", "3.7", "6.1")

ROLES = ["coordinator", "manager", "safeguarding_lead", "volunteer", "trustee", "spotcheck", "reviewer",
         "auditor", "admin_user", "sef_coordinator", "outsider"]
FIGURES = {"coordinator", "manager", "trustee", "spotcheck", "sef_coordinator"}
STAFF = {"coordinator", "manager"}
BOARD = {"coordinator", "manager", "trustee", "spotcheck", "safeguarding_lead"}

# name -> (roles answered 200, roles answered 403; everyone else signed in gets 404)
EXPECTED = {
    "reporting:statistics": (FIGURES, set()),
    "reporting:statistics_csv": (FIGURES, set()),
    "reporting:case_study_list": (FIGURES, set()),
    # A draft is read and changed on its edit page; the detail page shows released studies
    # only (tests/reporting/test_case_studies.py: trustees read only released ones).
    "reporting:case_study_detail": (set(), set()),
    "reporting:case_study_edit": (STAFF, set()),
    "reporting:case_study_release": "405",  # POST only; who may release: test_case_studies.py
    "reporting:case_study_new": (STAFF, {"volunteer"}),  # the volunteer knows the file, may not write
    "reporting:minutes_list": (BOARD, set()),  # Sefton has no minutes yet: nothing to list
    "reporting:minutes_new": ({"manager"}, set()),
    "reporting:minutes_detail": (BOARD, set()),
    # Board readers know the minutes exist, but only the manager adds a confidential item.
    "reporting:confidential_item_new": ({"manager"}, BOARD - {"manager"}),
    "reporting:consultation_list": ({"safeguarding_lead", "trustee", "spotcheck", "reviewer"}, set()),
    "reporting:consultation_new": ({"safeguarding_lead"}, set()),
    "families:group_list": (STAFF | {"sef_coordinator"}, set()),
    "families:group_detail": (STAFF, set()),
    "families:group_member_add": (STAFF, set()),
    "families:group_session_new": (STAFF, set()),
}


def _names() -> set[str]:
    names = set()
    for p in get_resolver().url_patterns:
        if getattr(p, "namespace", None) == "reporting":
            names |= {f"reporting:{q.name}" for q in p.url_patterns}
        if getattr(p, "namespace", None) == "families":
            names |= {f"families:{q.name}" for q in p.url_patterns if q.name.startswith("group")}
    return names


def test_every_reporting_and_group_page_is_in_the_matrix():
    assert _names() == set(EXPECTED)


@pytest.fixture
def objects(family, coordinator, manager, wirral, assignment):
    study = services.case_study_create(
        family=family, actor=coordinator, title="Growing in confidence", draft="A clean text.",
        family_consented=True, consent_recorded_on=timezone.localdate(),
    )
    meeting = services.meeting_record(scheme=wirral, actor=manager, held_on=timezone.localdate(), minutes="Budget.")
    group = family_services.group_create(scheme=wirral, actor=coordinator, name="Stay and play")
    return {"study_id": study.pk, "meeting_id": meeting.pk, "group_id": group.pk, "reference": family.reference}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_page_answers_each_role(name, objects, request, client_for, client):
    pattern_kwargs = get_resolver().reverse_dict
    url = None
    for keys in ([], ["study_id"], ["meeting_id"], ["group_id"], ["reference"]):
        try:
            url = reverse(name, kwargs={k: objects[k] for k in keys})
            break
        except Exception:  # noqa: BLE001, S112 - try the next set of keywords
            continue
    assert url, (name, pattern_kwargs)
    expected = EXPECTED[name]
    allowed, forbidden = (set(), set()) if expected == "405" else expected
    failures = []
    for role in ROLES:
        status = client_for(request.getfixturevalue(role)).get(url).status_code
        want = 405 if expected == "405" else 200 if role in allowed else 403 if role in forbidden else 404
        if status != want:
            failures.append(f"{role}: {status}, expected {want}")
    anonymous = client.get(url)
    if expected != "405" and anonymous.status_code != 302 or not anonymous["Location"].startswith(reverse("login")):
        failures.append(f"anonymous: {anonymous.status_code}")
    assert not failures, f"{name} {url}: " + "; ".join(failures)
