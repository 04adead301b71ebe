"""The interim access gate: who may open which family file, and the record of it.

Interim rule (access_log/gate.py): coordinators and scheme managers open their
own scheme's files (§8.3); a volunteer opens the families currently assigned to
them, in the minimal view (§8.5); nobody else opens any family file yet — not
trustees, reviewers or auditors (they will need a signed Record of Access, §9.1,
§10.1), nor administrators (§7.6). A file the user may not know exists answers
404, never 403; every opening and every refusal is recorded (§9.1).
"""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from access_log import services as access_services
from access_log.models import AccessEvent, AppendOnlyError
from families import services
from families.models import Family, Member, PlannedVisit, Visit, VolunteerAssignment
from homestart.rules import Action, FileKind, Outcome, Purpose, Refusal, Role, Section
from tests.conftest import (
    ADDRESS,
    CARER_DOB,
    CARER_FIRST,
    CARER_LAST,
    CHILD_AGE,
    CHILD_FIRST,
    PHONE,
    POSTCODE,
    REASONS,
    REFERRER_CONTACT,
    REFERRER_NAME,
    REFERRER_ORG,
    VISIT_NOTES,
)
from tests.factories import dbs_checked, make_family
from tests.helpers import family_url_patterns, main_content, raw_rows

TODAY = timezone.localdate

# The section each family page records in its access events.
SECTIONS = {
    "detail": Section.FILE,
    "history": Section.HISTORY,
    "contact_edit": Section.CONTACT,
    "member_new": Section.MEMBERS,
    "member_edit": Section.MEMBERS,
    "visit_new": Section.VISITS,
    "visit_plan": Section.VISITS,
    "visit_missed": Section.VISITS,
    "assignment_new": Section.ASSIGNMENTS,
    "assignment_end": Section.ASSIGNMENTS,
    "close": Section.SUPPORT,
    "reopen": Section.SUPPORT,
}


def section_of(name: str) -> str:
    assert name in SECTIONS, f"families:{name} is new: add the section it records to SECTIONS"
    return SECTIONS[name]


def family_urls(family: Family, assignment_id=None) -> dict[str, str]:
    """Every family page of families/urls.py that takes a reference, for this family."""
    member = family.members.order_by("created_at").first()
    urls = {}
    for pattern in family_url_patterns():
        kwargs = {"reference": family.reference}
        for name in pattern.pattern.converters:
            if name == "member_id":
                kwargs[name] = member.pk
            elif name == "assignment_id":
                kwargs[name] = assignment_id or uuid.uuid4()
            elif name == "planned_id":
                kwargs[name] = planned_visit_of(family).pk
            elif name != "reference":
                raise AssertionError(f"{pattern.name}: teach this test what to put in <{name}>")
        urls[pattern.name] = reverse(f"families:{pattern.name}", kwargs=kwargs)
    assert "detail" in urls and len(urls) >= 8
    return urls


def planned_visit_of(family: Family) -> PlannedVisit:
    """A visit planned for today in the family, by its volunteer if it has one (else its coordinator)."""
    planned = family.planned_visits.first()
    if planned is None:
        active = VolunteerAssignment.objects.active().filter(family=family).first()
        staff = family.referrals.first().received_by
        planned = PlannedVisit.objects.create(
            family=family,
            kind=PlannedVisit.Kind.SUPPORT,
            planned_on=TODAY(),
            planned_at=datetime.time(10),
            visitor=active.volunteer if active else staff,
            planned_by=staff,
        )
    return planned


def change_data(name: str, volunteer) -> dict:
    """A POST that would change the file if it were let through."""
    today = TODAY().isoformat()
    return {
        "contact_edit": {"address": "1 Intruder Way", "postcode": "CH41 1AA", "phone": "000"},
        "member_new": {"kind": "child", "first_name": "Intruder"},
        "member_edit": {"kind": "adult", "first_name": "Intruder"},
        "visit_new": {"kind": "support", "visited_on": today, "visited_by": volunteer.pk, "notes": "Intruder"},
        "assignment_new": {"volunteer": volunteer.pk, "starts_on": today},
    }.get(name, {})


def allows_post(client, url: str) -> bool:
    return "POST" in client.options(url).get("Allow", "POST")


def file_state(family: Family) -> tuple:
    family = Family.objects.get(pk=family.pk)
    return (
        family.address,
        family.postcode,
        family.phone,
        family.status,
        sorted((m.first_name, m.last_name) for m in family.members.all()),
        Visit.objects.filter(family=family).count(),
        sorted((str(a.volunteer_id), a.ended_at) for a in family.assignments.all()),
    )


def without_csrf_token(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def event_for(response) -> AccessEvent:
    """The one access event the request wrote (matched by the response's X-Request-ID)."""
    (event,) = AccessEvent.objects.filter(request_id=response["X-Request-ID"])
    return event


# --- scheme staff ------------------------------------------------------------


@pytest.mark.policy("8.3", "4.2")
@pytest.mark.parametrize("who", ["coordinator", "manager"])
def test_scheme_staff_open_every_page_of_their_schemes_files(request, who, assigned_family, assignment, client_for):
    user = request.getfixturevalue(who)
    client = client_for(user)
    for name, url in family_urls(assigned_family, assignment.pk).items():
        if name == "reopen":
            continue  # the scheme manager's, on a closed file only (tests/families/test_closing.py)
        response = client.get(url)
        assert response.status_code == 200, f"{who} {name}"
        event = event_for(response)
        assert (event.user, event.role, event.file_reference, event.file_id, event.scheme_id) == (
            user,
            who,
            "WIR-0001",
            assigned_family.pk,
            assigned_family.scheme_id,
        )
        assert (event.section, event.action, event.outcome) == (section_of(name), Action.VIEW, Outcome.ALLOWED), name
        assert event.purpose == Purpose.CASEWORK
    detail = main_content(client.get(family_urls(assigned_family)["detail"]).content.decode())
    for shown in (CARER_FIRST, CARER_LAST, CHILD_FIRST, POSTCODE, PHONE, REASONS, REFERRER_NAME, VISIT_NOTES):
        assert shown in detail


@pytest.mark.policy("8.3")
def test_scheme_staff_change_is_recorded_with_the_opening(family, coordinator, client_for):
    from homestart.concurrency import row_version

    response = client_for(coordinator).post(
        family_urls(family)["contact_edit"],
        {"address": ADDRESS, "postcode": "CH43 1AB", "phone": PHONE, "version": row_version(family)},
    )
    assert response.status_code == 302
    events = AccessEvent.objects.filter(request_id=response["X-Request-ID"])
    assert sorted((e.action, e.section, e.outcome, e.user_id) for e in events) == [
        ("change", "contact", "allowed", coordinator.pk),
        ("view", "contact", "allowed", coordinator.pk),
    ]


@pytest.mark.policy("8.3", "9.2")
def test_coordinator_of_another_scheme_gets_404_on_every_family_page(
    assigned_family, assignment, volunteer, sef_coordinator, client_for
):
    client = client_for(sef_coordinator)
    before = file_state(assigned_family)
    for name, url in family_urls(assigned_family, assignment.pk).items():
        response = client.get(url)
        assert response.status_code == 404, f"GET {name}"
        event = event_for(response)
        assert (event.user, event.file_reference, event.outcome, event.reason) == (
            sef_coordinator,
            "WIR-0001",
            Outcome.REFUSED,
            Refusal.NO_ACCESS_TO_FILE,
        )
        assert event.section == section_of(name)
        if allows_post(client, url):
            response = client.post(url, change_data(name, volunteer))
            assert response.status_code == 404, f"POST {name}"
            assert AccessEvent.objects.get(request_id=response["X-Request-ID"]).outcome == Outcome.REFUSED
    assert file_state(assigned_family) == before


@pytest.mark.policy("8.3")
def test_a_hidden_file_looks_exactly_like_one_that_does_not_exist(family, sef_coordinator, client_for):
    client = client_for(sef_coordinator)
    hidden = client.get(reverse("families:detail", kwargs={"reference": "WIR-0001"}))
    missing = client.get(reverse("families:detail", kwargs={"reference": "WIR-0999"}))
    assert hidden.status_code == missing.status_code == 404
    assert without_csrf_token(hidden) == without_csrf_token(missing)
    assert "WIR-0001" not in hidden.content.decode()
    assert AccessEvent.objects.get(request_id=missing["X-Request-ID"]).reason == Refusal.NO_SUCH_FILE


@pytest.mark.policy("8.3", "9.2")
def test_dashboard_lists_only_the_users_own_scheme(family, sefton, sef_coordinator, coordinator, client_for):
    make_family(sefton, sef_coordinator, last_name="Szymanska")
    sef_page = main_content(client_for(sef_coordinator).get(reverse("families:dashboard")).content.decode())
    assert "SEF-0001" in sef_page and "Szymanska" in sef_page
    assert "WIR-0001" not in sef_page and CARER_LAST not in sef_page
    wir_page = main_content(client_for(coordinator).get(reverse("families:dashboard")).content.decode())
    assert "WIR-0001" in wir_page and "SEF-0001" not in wir_page and "Szymanska" not in wir_page


# --- everyone else -----------------------------------------------------------

NO_FAMILY_ACCESS = [
    "trustee",
    "spotcheck",
    "reviewer",
    "auditor",
    "admin_user",
    "outsider",
    "safeguarding_lead",
    "other_volunteer",
]


@pytest.mark.policy("8.3", "9.1", "10.1", "7.6", "3.2")
@pytest.mark.parametrize("who", NO_FAMILY_ACCESS)
def test_roles_without_family_access_get_404_on_every_family_page(
    request, who, assigned_family, assignment, volunteer, client_for
):
    user = request.getfixturevalue(who)
    client = client_for(user)
    before = file_state(assigned_family)
    for name, url in family_urls(assigned_family, assignment.pk).items():
        response = client.get(url)
        assert response.status_code == 404, f"{who} GET {name}"
        assert event_for(response).outcome == Outcome.REFUSED
        if allows_post(client, url):
            assert client.post(url, change_data(name, volunteer)).status_code == 404, f"{who} POST {name}"
    assert file_state(assigned_family) == before
    dashboard = main_content(client.get(reverse("families:dashboard"), follow=True).content.decode())
    assert "WIR-0001" not in dashboard and CARER_LAST not in dashboard


@pytest.mark.policy("7.6")
def test_superuser_gets_no_bypass(family, admin_user, client_for):
    admin_user.is_superuser = True
    admin_user.save()
    assert client_for(admin_user).get(family_urls(family)["detail"]).status_code == 404


@pytest.mark.policy("8.3")
@pytest.mark.parametrize("path_name", ["dashboard", "search", "new", "my_families", "detail", "contact_edit"])
def test_anonymous_users_are_sent_to_sign_in(family, client, path_name):
    url = family_urls(family).get(path_name) or reverse(f"families:{path_name}")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    assert not AccessEvent.objects.exclude(action=Action.CREATE).exists()


@pytest.mark.policy("8.3")
def test_anonymous_post_changes_nothing(family, client, volunteer):
    before = file_state(family)
    for name, url in family_urls(family).items():
        response = client.post(url, change_data(name, volunteer))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), name
    assert client.post(reverse("families:display_mode"), {"references_only": "1"}).status_code == 302
    assert file_state(family) == before


@pytest.mark.policy("8.3")
def test_deactivated_coordinator_is_signed_out(family, coordinator, client_for):
    client = client_for(coordinator)
    assert client.get(family_urls(family)["detail"]).status_code == 200
    coordinator.is_active = False
    coordinator.save()
    response = client.get(family_urls(family)["detail"])
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- volunteers --------------------------------------------------------------


@pytest.mark.policy("8.5")
def test_volunteer_lists_only_assigned_families(assigned_family, wirral, coordinator, volunteer, client_for):
    make_family(wirral, coordinator)
    client = client_for(volunteer)
    assert client.get(reverse("families:dashboard"))["Location"] == reverse("families:my_families")
    page = main_content(client.get(reverse("families:my_families")).content.decode())
    assert "WIR-0001" in page and "WIR-0002" not in page
    assert CARER_LAST not in page, "the list shows references, not names (§8.6)"


@pytest.mark.policy("8.5")
def test_volunteer_sees_the_minimal_view_of_an_assigned_family(
    assigned_family, coordinator, volunteer, other_volunteer, client_for
):
    dbs_checked(assigned_family.scheme, other_volunteer, coordinator)
    services.volunteer_assign(family=assigned_family, actor=coordinator, volunteer=other_volunteer, starts_on=TODAY())
    for visitor, notes in ((volunteer, "Read stories with the children"), (other_volunteer, "Helped with shopping")):
        services.visit_record(
            family=assigned_family,
            actor=coordinator,
            kind=Visit.Kind.SUPPORT,
            visited_on=TODAY(),
            visited_by=visitor,
            notes=notes,
        )

    response = client_for(volunteer).get(family_urls(assigned_family)["detail"])
    assert response.status_code == 200
    page = main_content(response.content.decode())
    for shown in (
        f"{CARER_FIRST} {CARER_LAST}",
        f"{CHILD_FIRST}, {CHILD_AGE} years",
        "12 Argyle Street",
        POSTCODE,
        PHONE,
        "Read stories with the children",
    ):
        assert shown in page, shown
    for hidden in (
        REASONS,
        REFERRER_NAME,
        REFERRER_ORG,
        REFERRER_CONTACT,
        VISIT_NOTES,
        "Helped with shopping",
        CARER_DOB.isoformat(),
        CARER_DOB.strftime("%-d %B %Y"),
        "Health visitor",
        "History of changes",
        "Change contact details",
        "Add a family member",
        "Assign a volunteer",
    ):
        assert hidden not in page, hidden
    child = assigned_family.members.get(kind=Member.Kind.CHILD)
    assert child.date_of_birth.strftime("%-d %B %Y") not in page and child.date_of_birth.isoformat() not in page
    event = event_for(response)
    assert (event.user, event.role, event.section, event.action, event.outcome) == (
        volunteer,
        Role.VOLUNTEER,
        Section.FILE,
        Action.VIEW,
        Outcome.ALLOWED,
    )


@pytest.mark.policy("8.5")
def test_volunteer_gets_403_on_every_change_page_of_an_assigned_family(
    assigned_family, assignment, volunteer, client_for
):
    client = client_for(volunteer)
    before = file_state(assigned_family)
    for name, url in family_urls(assigned_family, assignment.pk).items():
        if name in ("detail", "visit_new", "visit_plan", "visit_missed"):
            continue  # the minimal view, and recording, planning and missing their own visits (§8.5)
        response = client.get(url)
        assert response.status_code == 403, f"GET {name}"
        event = event_for(response)
        assert (event.user, event.role, event.outcome) == (volunteer, Role.VOLUNTEER, Outcome.REFUSED), name
        assert event.reason in (Refusal.READ_ONLY_ACCESS, Refusal.SECTION_NOT_FOR_ROLE), name
        if allows_post(client, url):
            assert client.post(url, change_data(name, volunteer)).status_code == 403, f"POST {name}"
    assert file_state(assigned_family) == before
    assert VolunteerAssignment.objects.get(pk=assignment.pk).ended_at is None


@pytest.mark.policy("8.5")
def test_volunteer_gets_404_on_every_page_of_an_unassigned_family(
    assigned_family, wirral, coordinator, volunteer, client_for
):
    unassigned = make_family(wirral, coordinator)
    client = client_for(volunteer)
    for name, url in family_urls(unassigned).items():
        response = client.get(url)
        assert response.status_code == 404, name
        assert event_for(response).reason == Refusal.NO_ACCESS_TO_FILE


@pytest.mark.policy("8.5")
def test_ending_the_assignment_ends_access_on_the_next_request(
    assigned_family, assignment, volunteer, coordinator, client_for
):
    client = client_for(volunteer)
    url = family_urls(assigned_family)["detail"]
    assert client.get(url).status_code == 200

    client_for(coordinator).post(family_urls(assigned_family, assignment.pk)["assignment_end"])

    response = client.get(url)
    assert response.status_code == 404
    assert event_for(response).outcome == Outcome.REFUSED
    assert "WIR-0001" not in client.get(reverse("families:my_families")).content.decode()


@pytest.mark.policy("8.5")
@pytest.mark.parametrize(("starts", "ends"), [(1, None), (-30, -1)], ids=["not-started-yet", "past-its-last-day"])
def test_assignment_outside_its_dates_gives_no_access(family, coordinator, volunteer, client_for, starts, ends):
    dbs_checked(family.scheme, volunteer, coordinator)
    services.volunteer_assign(
        family=family,
        actor=coordinator,
        volunteer=volunteer,
        starts_on=TODAY() + datetime.timedelta(days=starts),
        ends_on=None if ends is None else TODAY() + datetime.timedelta(days=ends),
    )
    client = client_for(volunteer)
    assert client.get(family_urls(family)["detail"]).status_code == 404
    assert "WIR-0001" not in client.get(reverse("families:my_families")).content.decode()


@pytest.mark.policy("8.5")
def test_assignment_in_one_scheme_gives_nothing_after_the_volunteer_leaves_it(assigned_family, volunteer, client_for):
    volunteer.memberships.all().delete()
    assert client_for(volunteer).get(family_urls(assigned_family)["detail"]).status_code == 404


# --- the record of access ----------------------------------------------------


@pytest.mark.policy("9.1")
def test_request_id_from_a_trusted_proxy_is_kept_and_a_bad_one_replaced(family, coordinator, client_for, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # behind a proxy that sets X-Request-ID
    client = client_for(coordinator)
    url = family_urls(family)["detail"]
    response = client.get(url, headers={"X-Request-ID": "lb-2f9c1e7a-0001"})
    assert response["X-Request-ID"] == "lb-2f9c1e7a-0001"
    assert event_for(response).request_id == "lb-2f9c1e7a-0001"
    response = client.get(url, headers={"X-Request-ID": "<script>"})
    assert response["X-Request-ID"] != "<script>" and len(response["X-Request-ID"]) == 32
    assert event_for(response).request_id == response["X-Request-ID"]


@pytest.mark.policy("9.1")
def test_access_events_hold_no_personal_values(
    assigned_family, assignment, coordinator, volunteer, sef_coordinator, client_for
):
    urls = family_urls(assigned_family, assignment.pk)
    for user in (coordinator, volunteer, sef_coordinator):
        client = client_for(user)
        for url in urls.values():
            client.get(url)
    client_for(coordinator).post(urls["contact_edit"], {"address": ADDRESS, "postcode": POSTCODE, "phone": PHONE})
    client_for(coordinator).post(
        urls["member_edit"],
        {"kind": "adult", "first_name": CARER_FIRST, "last_name": CARER_LAST, "relationship": "mother"},
    )
    assert AccessEvent.objects.count() > 20
    personal = [
        CARER_FIRST,
        CARER_LAST,
        CHILD_FIRST,
        POSTCODE,
        POSTCODE.replace(" ", ""),
        PHONE,
        "Argyle",
        REFERRER_NAME,
        "isolated",
    ]
    for row in raw_rows(AccessEvent):
        for value in row:
            text = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
            for word in personal:
                assert word.lower() not in text.lower(), f"access event holds {word!r}"


@pytest.mark.policy("9.1")
def test_access_events_cannot_be_changed_or_deleted(family, coordinator, client_for):
    client_for(coordinator).get(family_urls(family)["detail"])
    event = AccessEvent.objects.filter(action=Action.VIEW).get()
    original = (event.user_id, event.outcome, event.reason, event.at)

    event.outcome = Outcome.REFUSED
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).update(outcome=Outcome.REFUSED)
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AccessEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AccessEvent.objects.bulk_update([event], ["outcome"])

    stored = AccessEvent.objects.get(pk=event.pk)
    assert (stored.user_id, stored.outcome, stored.reason, stored.at) == original
    assert AccessEvent.objects.count() == 2  # the creation and the opening


@pytest.mark.policy("9.1")
def test_an_access_event_cannot_be_overwritten_by_a_new_object_with_its_id(family, coordinator, client_for):
    client_for(coordinator).get(family_urls(family)["detail"])
    event = AccessEvent.objects.filter(action=Action.VIEW).get()
    forged = AccessEvent(
        pk=event.pk,
        user=None,
        role="",
        file_kind=FileKind.FAMILY,
        file_reference=event.file_reference,
        section=Section.FILE,
        action=Action.VIEW,
        purpose=Purpose.CASEWORK,
        outcome=Outcome.REFUSED,
        reason="forged",
    )
    with pytest.raises((AppendOnlyError, IntegrityError)), transaction.atomic():
        forged.save()
    stored = AccessEvent.objects.get(pk=event.pk)
    assert (stored.user_id, stored.outcome, stored.reason) == (coordinator.pk, Outcome.ALLOWED, "")


@pytest.mark.policy("9.1")
def test_a_person_with_access_events_cannot_be_deleted(family, coordinator):
    with pytest.raises(ProtectedError), transaction.atomic():
        AccessEvent.objects.filter(user=coordinator).first().user.delete()
    assert AccessEvent.objects.filter(user=coordinator).exists()


@pytest.mark.policy("7.6")
def test_django_admin_shows_family_references_only_until_an_undertaking_is_signed(family, admin_user, client_for):
    admin_user.is_superuser = True
    admin_user.save()
    client = client_for(admin_user)
    assert client.get("/admin/homestart/scheme/").status_code == 200, "the administrator does administer"
    index = client.get("/admin/").content.decode()
    # Not even the list of references before the undertaking (§7.6).
    assert client.get("/admin/families/family/")["Location"] == reverse("access_log:undertaking")
    change = client.get(f"/admin/families/family/{family.pk}/change/")
    assert change.status_code == 302 and change["Location"] == reverse("access_log:undertaking")
    refused = AccessEvent.objects.filter(file_reference="WIR-0001", purpose=Purpose.ADMINISTRATION).get()
    assert (refused.outcome, refused.reason) == (Outcome.REFUSED, Refusal.UNDERTAKING_UNSIGNED)
    for path in (
        "/admin/families/member/",
        "/admin/families/referral/",
        "/admin/families/visit/",
        "/admin/homestart/datakey/",
    ):
        assert client.get(path).status_code == 404, path
        assert path not in index
    assert client.get("/admin/access_log/accessevent/")["Location"] == reverse("access_log:undertaking")
    access_services.undertaking_sign(user=admin_user, signed_name="Ada Admin", organisation="", declared=True)
    listing = client.get("/admin/families/family/").content.decode()
    assert "WIR-0001" in listing
    assert CARER_FIRST not in listing and POSTCODE not in listing
    events = client.get("/admin/access_log/accessevent/")
    assert events.status_code == 200 and "WIR-0001" in events.content.decode()
    event = AccessEvent.objects.first()
    assert client.post(f"/admin/access_log/accessevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AccessEvent.objects.filter(pk=event.pk).exists()
