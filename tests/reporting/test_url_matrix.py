"""Every statistics, case study, board minutes, consultation and group page × role:
who gets it, and that everyone else gets 404 (or 403 where they know the family file)
(§3.2–§3.7, §6.1, §7.5, §8.9). A page added without a row fails here."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.matrix import client_as, names_in, people, run, url_for

pytestmark = pytest.mark.policy("3.2", "3.3", "3.6", "3.7", "6.1")

ROLES = [
    "coordinator",
    "manager",
    "safeguarding_lead",
    "volunteer",
    "trustee",
    "spotcheck",
    "reviewer",
    "auditor",
    "admin_user",
    "sef_coordinator",
    "outsider",
]
FIGURES = {"coordinator", "manager", "trustee", "spotcheck", "sef_coordinator"}
STAFF = {"coordinator", "manager"}
# The readers here hold no sample or session (tests/matrix.py).
CAST = {"spotcheck": "spotcheck_no_sample", "reviewer": "reviewer_no_sample", "auditor": "auditor_no_session"}
BOARD = {"coordinator", "manager", "trustee", "spotcheck", "safeguarding_lead"}

# name -> (roles answered 200, roles answered 403; everyone else signed in gets 404)
EXPECTED = {
    "reporting:statistics": (FIGURES, set()),
    "reporting:statistics_csv": (FIGURES, set()),
    # Outcome figures: the same readers as the other statistics (§3.2, §8.9).
    "reporting:outcome_statistics": (FIGURES, set()),
    "reporting:outcome_statistics_csv": (FIGURES, set()),
    "reporting:case_study_list": (FIGURES, set()),
    # A draft is read and changed on its edit page; the detail page shows released studies
    # only (tests/reporting/test_case_studies.py: trustees read only released ones).
    "reporting:case_study_detail": (set(), set()),
    "reporting:case_study_edit": (STAFF, set()),
    # Drafts may still identify the family: the history is the staff's, as the draft is (§3.3).
    "reporting:case_study_history": (STAFF, set()),
    "reporting:case_study_release": "405",  # POST only; who may release: test_case_studies.py
    "reporting:case_study_new": (STAFF, {"volunteer"}),  # the volunteer knows the file, may not write
    # Sefton has no minutes yet: its coordinator is told so, not answered 404 by the menu's link.
    "reporting:minutes_list": (BOARD | {"sef_coordinator"}, set()),
    "reporting:minutes_new": ({"manager"}, set()),
    "reporting:minutes_detail": (BOARD, set()),
    # Board readers know the minutes exist, but only the manager adds a confidential item.
    "reporting:confidential_item_new": ({"manager"}, BOARD - {"manager"}),
    "reporting:consultation_list": ({"safeguarding_lead", "trustee", "spotcheck", "reviewer"}, set()),
    "reporting:consultation_new": ({"safeguarding_lead"}, set()),
    "families:group_list": (STAFF | {"sef_coordinator"}, set()),
    "families:group_detail": (STAFF, set()),
    "families:group_history": (STAFF, set()),
    "families:group_member_add": (STAFF, set()),
    "families:group_session_new": (STAFF, set()),
}


def _names() -> set[str]:
    return names_in("reporting") | {name for name in names_in("families") if name.startswith("families:group")}


def test_every_reporting_and_group_page_is_in_the_matrix():
    assert _names() == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_page_answers_each_role(name, world):
    url = url_for(name, world["kwargs"])
    expected = EXPECTED[name]
    allowed, forbidden = (set(), set()) if expected == "405" else expected
    failures = []
    for role, user in people(world, ROLES, CAST):
        status = run(client_as(user), "get", url)[0].status_code
        want = 405 if expected == "405" else 200 if role in allowed else 403 if role in forbidden else 404
        if status != want:
            failures.append(f"{role}: {status}, expected {want}")
    anonymous = run(client_as(None), "get", url)[0]
    if expected != "405" and anonymous.status_code != 302 or not anonymous["Location"].startswith(reverse("login")):
        failures.append(f"anonymous: {anonymous.status_code}")
    assert not failures, f"{name} {url}: " + "; ".join(failures)
