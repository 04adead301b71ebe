"""Every URL of the product × every role: the expected answer, and the access events written.

The URL names are read from the root URLconf, walked recursively, so a page added
without a row in ``EXPECTED`` fails this test with a message naming it. Django
admin's own pages (``admin:*``) are left out — they show no family data — except
the Family admin changelist and change page, which are in the matrix because they
open family files (§7.6).

Every request runs inside a savepoint that is rolled back, so one role's request
(closing a review, say) cannot change what the next role sees, and the world is
built once per URL name rather than once per (URL, role). The world, the cast of roles,
``row()``, ``url_for()`` and the request runner are shared with the app matrices: tests/matrix.py.

Codes: "200", "403" (refused outright), "403ro" (the gate: may see, may not change),
"403sec" (the gate: this section is not for the role), "404", "405", and "->x" for
a redirect to x (see ``redirect_target``).
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from families.models import Family
from homestart.models import User
from homestart.rules import Action, FileKind, Outcome, Refusal, Role
from tests.matrix import ROLES, client_as, row, run, url_for, walk

# Admin pages that open family files, and so belong in the matrix (§7.6).
ADMIN_FAMILY_PAGES = {"admin:families_family_changelist", "admin:families_family_change"}


# Apps whose pages have their own URL × role matrix, with the same completeness rule
# (a URL without a row fails there): namespace -> the test module that holds it.
APP_MATRICES = {
    "consent": "tests/safeguarding/test_url_matrix.py",
    "safeguarding": "tests/safeguarding/test_url_matrix.py",
    "records": "tests/records/test_pages.py",
    "reporting": "tests/reporting/test_url_matrix.py",
    "portability": "tests/portability/test_url_matrix.py",
}


def url_names() -> list[str]:
    names = []
    for name, _pattern in walk():
        if name.startswith("admin:") and name not in ADMIN_FAMILY_PAGES:
            continue
        if name.split(":", 1)[0] in APP_MATRICES and ":" in name:
            continue
        if name.startswith("families:group"):
            continue  # groups (§6.1): tests/reporting/test_url_matrix.py
        names.append(name)
    return sorted(set(names))


AUTHENTICATED_200 = row("200", anonymous="->login")
STAFF = {"coordinator": "200", "manager": "200"}
# Readers: open the file read-only once signed; the unsigned are sent to sign first.
READERS_SIGN = {"spotcheck_unsigned": "->sign", "reviewer_unsigned": "->sign", "auditor_unsigned": "->sign"}
READERS_READ_ONLY = {"spotcheck": "403ro", "reviewer": "403ro", "auditor": "403ro", **READERS_SIGN}
# A page that changes a section of the file only coordinators and managers change.
STAFF_CHANGE = row("404", **STAFF, volunteer="403ro", **READERS_READ_ONLY, anonymous="->login")

EXPECTED: dict[str, dict[str, str]] = {
    # Sign in and out, and the policy every user acknowledges (§3.1, §4.1, §5.1).
    "login": row("->home", anonymous="200"),
    "logout": row("405", anonymous="->login"),
    "policy": AUTHENTICATED_200,
    # Two-factor sign-in and re-authentication: every signed-in person, for themselves (§8.2).
    "two_factor_setup": AUTHENTICATED_200,
    "two_factor_verify": AUTHENTICATED_200,
    "reauthenticate": AUTHENTICATED_200,
    # Your account: your own password and recovery codes, whatever your role (§8.2).
    "account": AUTHENTICATED_200,
    "password_change": AUTHENTICATED_200,
    "recovery_codes": AUTHENTICATED_200,
    # The language of the pages (issue 17.8): anyone, signed in or not, chooses it for themselves.
    "language": row("200"),
    # A set-password link (§8.2): anyone may open one; a wrong or used one says it no longer works.
    "password_set": row("200"),
    # Two people for every grant of access (§8.3, §7.6): the scheme's manager and trustees decide
    # Wirral's grants; the administrator who asked, and the person it is for, may not.
    "access_requests": AUTHENTICATED_200,
    "access_request_approve": row(  # POST
        "404",
        manager="->access_requests",
        trustee="->access_requests",
        spotcheck="->access_requests",
        spotcheck_unsigned="->access_requests",
        anonymous="->login",
    ),
    "access_request_refuse": row(
        "404", manager="200", trustee="200", spotcheck="200", spotcheck_unsigned="200", anonymous="->login"
    ),
    "access_holders": row(
        "404", manager="200", trustee="200", spotcheck="200", spotcheck_unsigned="200", anonymous="->login"
    ),
    # Django admin: the undertaking first, even for the list of references (§7.6).
    "admin:families_family_changelist": row(
        "->admin_login", admin_user="->undertaking", admin_signed="200", anonymous="->login"
    ),
    "admin:families_family_change": row(
        "->admin_login", admin_user="->undertaking", admin_signed="200", anonymous="->login"
    ),
    # Reviews: the scheme's spot-check trustee and HSUK reviewers only (§8.3, §9.1).
    "access_log:review_list": row(
        "404",
        spotcheck="200",
        spotcheck_unsigned="200",
        reviewer="200",
        reviewer_unsigned="200",
        anonymous="->login",
    ),
    "access_log:review_new": row(
        "404",
        spotcheck="200",
        spotcheck_unsigned="200",
        reviewer="200",
        reviewer_unsigned="200",
        anonymous="->login",
    ),
    # The spot-check trustee's own review; nobody else's.
    "access_log:review_detail": row("404", spotcheck="200", anonymous="->login"),
    "access_log:review_close": row("404", spotcheck="->review_detail", anonymous="->login"),  # POST
    # The Record of Access page: shows only the reference; those already granted go to the file.
    "access_log:sign": row(
        "404",
        coordinator="->detail",
        manager="->detail",
        volunteer="->detail",
        spotcheck="->detail",
        reviewer="->detail",
        auditor="->detail",
        spotcheck_unsigned="200",
        reviewer_unsigned="200",
        auditor_unsigned="200",
        anonymous="->login",
    ),
    # Who opened this file: the file's coordinator and manager (§9.1).
    "access_log:file_log": row(
        "404",
        **STAFF,
        volunteer="403sec",
        spotcheck="403sec",
        reviewer="403sec",
        auditor="403sec",
        **READERS_SIGN,
        anonymous="->login",
    ),
    # Supervised audit sessions (§10.1): coordinators open them, the auditor attends.
    "access_log:audit_session_list": row(
        "404", **STAFF, sef_coordinator="200", auditor="200", auditor_unsigned="200", anonymous="->login"
    ),
    "access_log:audit_session_new": row("404", **STAFF, sef_coordinator="200", anonymous="->login"),
    "access_log:audit_session_detail": row("404", **STAFF, auditor="200", anonymous="->login"),
    "access_log:audit_session_close": row(  # POST
        "404",
        coordinator="->audit_session_detail",
        manager="->audit_session_detail",
        auditor="->audit_session_detail",
        anonymous="->login",
    ),
    "access_log:my_access": AUTHENTICATED_200,
    # Who held which role in the scheme: its manager and trustees (Policy Statement, §3.8).
    "membership_history": row(
        "404", manager="200", trustee="200", spotcheck="200", spotcheck_unsigned="200", anonymous="->login"
    ),
    # Inductions on the policy: the scheme's manager, coordinators and trustees, each for their own
    # scheme (a coordinator of Sefton sees Sefton's) (§3.1, §3.8, §4.1, §5.1).
    "inductions": row(
        "404",
        coordinator="200",
        manager="200",
        trustee="200",
        spotcheck="200",
        spotcheck_unsigned="200",
        sef_coordinator="200",
        anonymous="->login",
    ),
    "induction_history": row(
        "404",
        coordinator="200",
        manager="200",
        trustee="200",
        spotcheck="200",
        spotcheck_unsigned="200",
        sef_coordinator="200",
        anonymous="->login",
    ),
    # How this system keeps the policy: the manager, trustees, HSUK reviewers and administrators (§3.8).
    "policy_map": row(
        "404",
        manager="200",
        trustee="200",
        spotcheck="200",
        spotcheck_unsigned="200",
        reviewer="200",
        reviewer_unsigned="200",
        admin_user="200",
        admin_signed="200",
        anonymous="->login",
    ),
    "access_log:undertaking": row("404", admin_user="200", admin_signed="200", anonymous="->login"),
    # Approvals (two people): what waits for the manager and the safeguarding lead, and what staff asked for.
    "access_log:approvals": row("404", **STAFF, safeguarding_lead="200", sef_coordinator="200", anonymous="->login"),
    # One approval: the coordinator who asked, and its approvers (manager, safeguarding lead: it rests on
    # a concern); the gate refuses other roles that may open the file, and hides it from everyone else.
    "access_log:approval": row(
        "404",
        **STAFF,
        safeguarding_lead="200",
        volunteer="403sec",
        spotcheck="403sec",
        reviewer="403sec",
        auditor="403sec",
        **READERS_SIGN,
        anonymous="->login",
    ),
    # Family pages.
    # The landing page: a part for each role held; a volunteer and nothing else goes to their families.
    # A volunteer's home is their week (issue 17.2, issue 15.1).
    "home": row("200", volunteer="->this_week", other_volunteer="->this_week", anonymous="->login"),
    "families:dashboard": row("200", volunteer="->my_families", other_volunteer="->my_families", anonymous="->login"),
    "families:display_mode": row("->dashboard", anonymous="->login"),  # POST
    "families:search": AUTHENTICATED_200,
    "families:new": row("403", **STAFF, sef_coordinator="200", anonymous="->login"),
    "families:detail": row(
        "404",
        **STAFF,
        volunteer="200",
        spotcheck="200",
        reviewer="200",
        auditor="200",
        **READERS_SIGN,
        anonymous="->login",
    ),
    "families:history": row(
        "404",
        **STAFF,
        volunteer="403sec",
        spotcheck="403sec",
        reviewer="403sec",
        auditor="403sec",
        **READERS_SIGN,
        anonymous="->login",
    ),
    "families:contact_edit": STAFF_CHANGE,
    "families:member_new": STAFF_CHANGE,
    "families:member_edit": STAFF_CHANGE,
    # Volunteers record their own visits (§8.5).
    "families:visit_new": row("404", **STAFF, volunteer="200", **READERS_READ_ONLY, anonymous="->login"),
    # Planned visits (issue 15): staff plan for the scheme's families, a volunteer their own
    # visits to the families they support, and marks their own missed (§8.5); the visitor's
    # week is everyone's (their own visits), the agenda the scheme's staff's, by reference (§8.6).
    "families:visit_plan": row("404", **STAFF, volunteer="200", **READERS_READ_ONLY, anonymous="->login"),
    "families:visit_missed": row("404", **STAFF, volunteer="200", **READERS_READ_ONLY, anonymous="->login"),
    "families:this_week": AUTHENTICATED_200,
    # (A coordinator of another scheme sees their own scheme's agenda, without WIR-0001.)
    "families:agenda": row("404", **STAFF, sef_coordinator="200", anonymous="->login"),
    "families:assignment_new": STAFF_CHANGE,
    "families:assignment_end": STAFF_CHANGE,
    "families:my_families": AUTHENTICATED_200,
    # Closing support: coordinators and managers; reopening: the scheme manager only (§8.8).
    # WIR-0001 is open, so the manager is sent back to the file ("support is not closed").
    "families:close": row(
        "404",
        **STAFF,
        volunteer="403sec",
        spotcheck="403sec",
        reviewer="403sec",
        auditor="403sec",
        **READERS_SIGN,
        anonymous="->login",
    ),
    # The family's own scores (outcomes/): read as the file is, the volunteer seeing only the needs
    # chosen (§8.5); recorded by the staff and the volunteer at a visit.
    "outcomes:family": row(
        "404",
        **STAFF,
        volunteer="200",
        spotcheck="200",
        reviewer="200",
        auditor="200",
        **READERS_SIGN,
        anonymous="->login",
    ),
    "outcomes:assessment_new": row("404", **STAFF, volunteer="200", **READERS_READ_ONLY, anonymous="->login"),
    "families:reopen": row(
        "404",
        manager="->detail",
        coordinator="403sec",
        volunteer="403sec",
        spotcheck="403sec",
        reviewer="403sec",
        auditor="403sec",
        **READERS_SIGN,
        anonymous="->login",
    ),
}

# Views that only accept POST are requested with POST (in a rolled-back savepoint).
POST_ONLY = {
    "access_log:review_close",
    "access_log:audit_session_close",
    "families:display_mode",
    "access_request_approve",
}

# Pages that open the family file through the gate: each request by a signed-in
# person writes exactly one access event for the family, allowed or refused.
FAMILY_FILE_PAGES = {
    "families:detail",
    "families:history",
    "families:contact_edit",
    "families:member_new",
    "families:member_edit",
    "families:visit_new",
    "families:visit_plan",
    "families:visit_missed",
    "families:assignment_new",
    "families:assignment_end",
    "access_log:file_log",
    "admin:families_family_change",
    "families:close",
    "families:reopen",
    "access_log:approval",
    "outcomes:family",
    "outcomes:assessment_new",
}

# Pages that open no file themselves but record a refusal, like the gate's, when they answer 404:
# the Record of Access page, tried by someone with no sample, review or audit session (§9.1, §10.1).
REFUSAL_PAGES = {"access_log:sign"}

# Lists that show carers' names record a 'listed' event per family shown (§8.3, §8.6):
# the roles whose request lists WIR-0001.
# "My families" shows the first names of the volunteer's families: a listing (issue 15.4, §8.5).
LISTING_PAGES = {
    "families:dashboard": {"coordinator", "manager"},
    "families:my_families": {"volunteer"},
    # The visitor's week shows the first names and address of the families visited (§8.5).
    "families:this_week": {"volunteer"},
    "admin:families_family_changelist": {"admin_signed"},
}

# The role recorded in a family-file event: the user's role in the family's scheme, or national.
RECORDED_ROLE = {
    "coordinator": Role.COORDINATOR,
    "manager": Role.MANAGER,
    "safeguarding_lead": Role.SAFEGUARDING_LEAD,
    "volunteer": Role.VOLUNTEER,
    "other_volunteer": Role.VOLUNTEER,
    "trustee": Role.TRUSTEE,
    "spotcheck": Role.SPOT_CHECK_TRUSTEE,
    "spotcheck_unsigned": Role.SPOT_CHECK_TRUSTEE,
    "reviewer": Role.REVIEWER,
    "reviewer_unsigned": Role.REVIEWER,
    "auditor": Role.AUDITOR,
    "auditor_unsigned": Role.AUDITOR,
    "admin_user": Role.ADMIN,
    "admin_signed": Role.ADMIN,
    "sef_coordinator": "",
    "outsider": "",
}

# The outcome and reason recorded for each expected answer on a family-file page.
EVENT_FOR = {
    "200": (Outcome.ALLOWED, ""),
    "404": (Outcome.REFUSED, Refusal.NO_ACCESS_TO_FILE),
    "403ro": (Outcome.REFUSED, Refusal.READ_ONLY_ACCESS),
    "403sec": (Outcome.REFUSED, Refusal.SECTION_NOT_FOR_ROLE),
    "->sign": (Outcome.REFUSED, Refusal.RECORD_OF_ACCESS_UNSIGNED),
    "->undertaking": (Outcome.REFUSED, Refusal.UNDERTAKING_UNSIGNED),
    "->detail": (Outcome.ALLOWED, ""),  # opened, then sent back to the file (reopening an open file)
}


def test_every_url_pattern_has_a_row_and_every_row_a_pattern():
    from pathlib import Path

    for namespace, module in APP_MATRICES.items():
        assert Path(module).exists(), f"the {namespace} URL matrix {module} is missing"
    names = set(url_names())
    missing = sorted(names - set(EXPECTED))
    stale = sorted(set(EXPECTED) - names)
    assert not missing, f"URL patterns without a row in EXPECTED (add who may open them): {missing}"
    assert not stale, f"Rows in EXPECTED for URL patterns that no longer exist: {stale}"
    assert names >= ADMIN_FAMILY_PAGES


def redirect_target(code: str, world: dict) -> str:
    ref = world["family"].reference
    kw = world["kwargs"]
    return {
        "->login": reverse("login"),
        "->admin_login": reverse("admin:login"),
        "->dashboard": reverse("families:dashboard"),
        "->home": reverse("home"),
        "->my_families": reverse("families:my_families"),
        "->this_week": reverse("families:this_week"),
        "->detail": reverse("families:detail", kwargs={"reference": ref}),
        "->sign": reverse("access_log:sign", kwargs={"kind": FileKind.FAMILY, "reference": ref}),
        "->undertaking": reverse("access_log:undertaking"),
        "->access_requests": reverse("access_requests"),
        "->review_detail": reverse("access_log:review_detail", kwargs={"review_id": kw["review_id"]}),
        "->audit_session_detail": reverse("access_log:audit_session_detail", kwargs={"session_id": kw["session_id"]}),
    }[code]


def _outcome(response) -> str:
    if response.status_code == 302:
        return "->" + response["Location"]
    return str(response.status_code)


@pytest.mark.policy("3.1", "7.6", "8.3", "8.5", "9.1", "10.1")
@pytest.mark.parametrize("name", sorted(set(url_names()) | set(EXPECTED)))
def test_url_answers_each_role_as_the_policy_says(name, world):
    assert name in EXPECTED, f"{name} has no row in EXPECTED: add the expected answer for every role"
    assert name in set(url_names()), f"{name} is in EXPECTED but no longer in the URLconf"
    url = url_for(name, world["kwargs"])
    method = "post" if name in POST_ONLY else "get"
    family: Family = world["family"]
    failures = []
    for role in ROLES:
        expected = EXPECTED[name][role]
        user: User | None = world["people"][role]
        client = client_as(user)
        response, events = run(client, method, url)

        # The answer.
        if expected.startswith("->"):
            target = redirect_target(expected, world)
            location = response.get("Location", "")
            ok = response.status_code == 302 and (
                location == target
                or location.startswith(target + "?")
                or (expected in ("->login", "->admin_login") and location.startswith(target))
            )
        else:
            ok = str(response.status_code) == expected[:3]
        if not ok:
            failures.append(f"{role}: expected {expected}, got {_outcome(response)}")
            continue

        # The access events written.
        if user is None:
            if events:
                failures.append(f"{role}: wrote events {events} for an anonymous request")
            continue
        if role in LISTING_PAGES.get(name, ()):
            got = [(e.user_id, e.role, e.action, e.outcome, e.file_reference) for e in events]
            want = [(user.pk, RECORDED_ROLE[role], Action.LIST, Outcome.ALLOWED, family.reference)]
            if got != want:
                failures.append(f"{role}: listing events {got}, expected {want}")
            continue
        file_page = (name in FAMILY_FILE_PAGES and expected not in ("->admin_login",)) or (
            name in REFUSAL_PAGES and expected == "404"
        )
        if not file_page:
            if events:
                failures.append(f"{role}: this page opens no file but wrote {[str(e) for e in events]}")
            continue
        outcome, reason = EVENT_FOR[expected]
        if role == Role.SAFEGUARDING_LEAD and expected == "404":
            reason = Refusal.SECTION_NOT_READABLE  # the lead opens the safeguarding section only (§2.1)
        got = [(e.user_id, e.role, e.outcome, e.reason, e.file_kind, e.file_reference, e.file_id) for e in events]
        want = [(user.pk, RECORDED_ROLE[role], outcome, reason, FileKind.FAMILY, family.reference, family.pk)]
        if got != want:
            failures.append(f"{role}: events {got}, expected {want}")
    assert not failures, f"{name} ({method.upper()} {url}):\n  " + "\n  ".join(failures)


def test_no_role_is_left_out_of_any_row():
    for name, codes in EXPECTED.items():
        assert list(codes) == ROLES, name


def test_a_review_window_in_the_past_is_refused_in_the_matrix_world_too(world):
    """Sanity check for the fixture: closing the window makes the signed spot-check trustee's file 404."""
    from access_log.models import Review

    Review.objects.filter(reviewer=world["people"]["spotcheck"]).update(
        opens_at=timezone.now() - datetime.timedelta(days=20), closes_at=timezone.now() - datetime.timedelta(days=1)
    )
    client = Client()
    client.force_login(world["people"]["spotcheck"])
    assert client.get(url_for("families:detail", world["kwargs"])).status_code == 404
