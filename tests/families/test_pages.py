"""The coordinator's pages: change a file, and be told clearly when input is wrong.

Bad input never changes the file: the page answers 200 with the message next
to the field (and in the error summary), and the stored values stay as they were.
"""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from families import planning, services
from families.models import Family, Member, PlannedVisit, Visit, VolunteerAssignment
from homestart.rules import Action, Role
from tests.conftest import ADDRESS, CARER_FIRST, CARER_LAST, CHILD_FIRST, PHONE, POSTCODE
from tests.factories import MembershipFactory, UserFactory, dbs_checked, make_family
from tests.helpers import error_summary, family_url_patterns, field_error, main_content, table_cells

TODAY = timezone.localdate


def form_version(client, path: str) -> str:
    """The record version an edit form carries (concurrent-edit protection)."""
    import re

    return re.search(r'name="version" value="([^"]*)"', client.get(path).content.decode()).group(1)


def url(name: str, family: Family, **kwargs) -> str:
    return reverse(f"families:{name}", kwargs={"reference": family.reference, **kwargs})


def snapshot(family: Family) -> dict:
    """Everything a bad request could have changed, as the application reads it."""
    family = Family.objects.get(pk=family.pk)
    return {
        "contact": (family.address, family.postcode, family.phone, family.status),
        "members": sorted(
            (m.kind, m.first_name, m.last_name, m.date_of_birth, m.relationship) for m in family.members.all()
        ),
        "visits": sorted((v.kind, v.visited_on, v.visited_by_id, v.notes) for v in family.visits.all()),
        "assignments": sorted((a.volunteer_id, a.starts_on, a.ends_on, a.ended_at) for a in family.assignments.all()),
        "history": sum(model.history.count() for model in (Family, Member, Visit, VolunteerAssignment)),
    }


def carer(family: Family) -> Member:
    return family.members.get(kind=Member.Kind.ADULT)


# --- changes that work -------------------------------------------------------


@pytest.mark.policy("8.2")
def test_coordinator_adds_a_family_member(family, coordinator, client_for):
    client = client_for(coordinator)
    response = client.post(
        url("member_new", family),
        {
            "kind": "child",
            "first_name": "Esme",
            "last_name": CARER_LAST,
            "date_of_birth": "2024-03-27",
            "relationship": "daughter",
        },
    )
    assert response.status_code == 302 and response["Location"] == url("detail", family)
    (esme,) = [m for m in family.members.all() if m.first_name == "Esme"]
    assert (esme.kind, esme.date_of_birth, esme.relationship) == ("child", datetime.date(2024, 3, 27), "daughter")
    assert Member.history.get(id=esme.pk).history_user == coordinator
    page = client.get(url("detail", family)).content.decode()
    assert "Family member saved." in page
    assert "Esme " + CARER_LAST in table_cells(page)


@pytest.mark.policy("4.2")
def test_manager_edits_a_member_and_history_records_the_editor(family, coordinator, manager, client_for):
    member = carer(family)
    client = client_for(manager)
    edit = url("member_edit", family, member_id=member.pk)
    response = client.post(
        edit,
        {
            "kind": "adult",
            "first_name": "Rosamund",
            "last_name": CARER_LAST,
            "date_of_birth": "1991-07-23",
            "relationship": "mother",
            "version": form_version(client, edit),
        },
    )
    assert response.status_code == 302
    assert carer(family).first_name == "Rosamund"
    latest = Member.history.filter(id=member.pk).latest("history_date")
    assert latest.history_user == manager
    assert latest.history_type == "~"
    assert latest.first_name == "Rosamund"
    assert Member.history.filter(id=member.pk).earliest("history_date").history_user == coordinator


@pytest.mark.policy("8.2")
def test_coordinator_changes_contact_details(family, coordinator, client_for):
    client = client_for(coordinator)
    edit = url("contact_edit", family)
    response = client.post(
        edit,
        {
            "address": "3 Church Road\nWallasey",
            "postcode": "ch44 0aa",
            "phone": "0151 111",
            "version": form_version(client, edit),
        },
    )
    assert response.status_code == 302
    family = Family.objects.get(pk=family.pk)
    assert (family.address, family.postcode, family.phone) == ("3 Church Road\nWallasey", "CH44 0AA", "0151 111")
    assert Family.history.filter(id=family.pk).latest("history_date").history_user == coordinator


@pytest.mark.policy("8.2")
def test_coordinator_records_a_visit(family, coordinator, volunteer, assignment, client_for):
    visited_on = TODAY() - datetime.timedelta(days=1)
    response = client_for(coordinator).post(
        url("visit_new", family),
        {
            "kind": "support",
            "visited_on": visited_on.isoformat(),
            "visited_by": volunteer.pk,
            "notes": "Went to the library group together.",
        },
    )
    assert response.status_code == 302
    visit = family.visits.get(kind="support")
    assert (visit.visited_on, visit.visited_by, visit.recorded_by) == (visited_on, volunteer, coordinator)
    assert visit.notes == "Went to the library group together."


@pytest.mark.policy("8.5")
def test_coordinator_assigns_and_ends_an_assignment(family, coordinator, volunteer, volunteer_file, client_for):
    client = client_for(coordinator)
    starts = TODAY() - datetime.timedelta(days=1)
    response = client.post(url("assignment_new", family), {"volunteer": volunteer.pk, "starts_on": starts.isoformat()})
    assert response.status_code == 302
    assignment = family.assignments.get()
    assert (assignment.volunteer, assignment.starts_on, assignment.ended_at) == (volunteer, starts, None)
    assert Family.objects.get(pk=family.pk).status == Family.Status.ACTIVE
    assert client_for(volunteer).get(url("detail", family)).status_code == 200

    confirm = client.get(url("assignment_end", family, assignment_id=assignment.pk))
    assert "The volunteer will no longer be able to open this family" in confirm.content.decode()
    assert VolunteerAssignment.objects.get(pk=assignment.pk).ended_at is None, "GET only asks"

    response = client.post(url("assignment_end", family, assignment_id=assignment.pk))
    assert response.status_code == 302
    ended = VolunteerAssignment.objects.get(pk=assignment.pk)
    assert ended.ended_at is not None and ended.ended_by == coordinator
    assert client_for(volunteer).get(url("detail", family)).status_code == 404
    # Ending it twice is not possible: the assignment is no longer open.
    assert client.post(url("assignment_end", family, assignment_id=assignment.pk)).status_code == 404


@pytest.mark.policy("8.1")
def test_volunteer_cannot_be_assigned_twice_at_once(family, coordinator, volunteer, assignment, client_for):
    before = snapshot(family)
    html = (
        client_for(coordinator)
        .post(url("assignment_new", family), {"volunteer": volunteer.pk, "starts_on": TODAY().isoformat()})
        .content.decode()
    )
    assert "This volunteer is already assigned to this family." in field_error(html, "id_volunteer")
    assert snapshot(family) == before


# --- bad input ---------------------------------------------------------------

LONG = "x" * 5001


@pytest.mark.parametrize(
    ("page", "data", "field", "message"),
    [
        pytest.param(
            "member_new",
            {"kind": "child", "first_name": "Ada", "date_of_birth": "2999-01-01"},
            "date_of_birth",
            "Date of birth must be today or in the past.",
            id="future-birth",
        ),
        pytest.param(
            "member_new",
            {"kind": "child", "first_name": "Ada", "date_of_birth": "yesterday"},
            "date_of_birth",
            "Enter the date of birth as a real date, for example 27 3 2024",
            id="birth-not-a-date",
        ),
        pytest.param(
            "member_new",
            {"kind": "child", "first_name": "Ada", "date_of_birth": "2023-02-30"},
            "date_of_birth",
            "Enter the date of birth as a real date, for example 27 3 2024",
            id="birth-impossible-date",
        ),
        pytest.param(
            "member_new",
            {"kind": "child", "first_name": ""},
            "first_name",
            "Enter the first name",
            id="member-no-name",
        ),
        pytest.param("member_new", {"first_name": "Ada"}, "kind", "Select parent, carer or child", id="member-no-kind"),
        pytest.param(
            "member_new",
            {"kind": "pet", "first_name": "Rex"},
            "kind",
            "Select a valid choice. pet is not one of the available choices.",
            id="member-bad-kind",
        ),
        pytest.param(
            "member_new",
            {"kind": "child", "first_name": "A" * 101},
            "first_name",
            "Ensure this value has at most 100 characters (it has 101).",
            id="member-long-name",
        ),
        pytest.param(
            "contact_edit",
            {"address": "", "postcode": "XYZ 123", "phone": ""},
            "postcode",
            "Enter a real UK postcode, for example CH41 4AB.",
            id="bad-postcode",
        ),
        pytest.param(
            "contact_edit",
            {"address": "", "postcode": "CH41 4AB EXTRA", "phone": ""},
            "postcode",
            "Ensure this value has at most 10 characters (it has 14).",
            id="long-postcode",
        ),
        pytest.param(
            "contact_edit",
            {"address": LONG, "postcode": "", "phone": ""},
            "address",
            "Ensure this value has at most 500 characters (it has 5001).",
            id="long-address",
        ),
        pytest.param(
            "contact_edit",
            {"address": "", "postcode": "", "phone": "0" * 33},
            "phone",
            "Ensure this value has at most 32 characters (it has 33).",
            id="long-phone",
        ),
        pytest.param(
            "visit_new",
            {"kind": "support", "visited_on": "2999-01-01", "visited_by": "{coordinator}"},
            "visited_on",
            "The date of the visit must be today or in the past.",
            id="future-visit",
        ),
        pytest.param(
            "visit_new",
            {"kind": "support", "visited_on": "last tuesday", "visited_by": "{coordinator}"},
            "visited_on",
            "Enter the date of visit as a real date, for example 27 3 2024",
            id="visit-not-a-date",
        ),
        pytest.param(
            "visit_new",
            {"kind": "support", "visited_on": "{today}", "visited_by": "999999"},
            "visited_by",
            "Select a valid choice. That choice is not one of the available choices.",
            id="unknown-visitor",
        ),
        pytest.param(
            "visit_new",
            {"kind": "support", "visited_on": "{today}", "visited_by": "{coordinator}", "notes": "n" * 10001},
            "notes",
            "Ensure this value has at most 10000 characters (it has 10001).",
            id="long-notes",
        ),
        pytest.param(
            "assignment_new",
            {"volunteer": "{volunteer}", "starts_on": "2024-05-10", "ends_on": "2024-05-09"},
            "ends_on",
            "The last day must be on or after the first day.",
            id="ends-before-start",
        ),
        pytest.param(
            "assignment_new",
            {"volunteer": "999999", "starts_on": "{today}"},
            "volunteer",
            "Select a valid choice. That choice is not one of the available choices.",
            id="unknown-volunteer-id",
        ),
        pytest.param(
            "assignment_new",
            {"volunteer": "99999999999999999999999999", "starts_on": "{today}"},
            "volunteer",
            "Select a valid choice. That choice is not one of the available choices.",
            id="overflowing-volunteer-id",
        ),
        pytest.param(
            "assignment_new",
            {"volunteer": "not-a-number", "starts_on": "{today}"},
            "volunteer",
            "Select a valid choice. That choice is not one of the available choices.",
            id="non-numeric-volunteer-id",
        ),
        pytest.param(
            "assignment_new",
            {"volunteer": "{coordinator}", "starts_on": "{today}"},
            "volunteer",
            "Select a valid choice. That choice is not one of the available choices.",
            id="staff-member-is-not-a-volunteer",
        ),
        pytest.param(
            "assignment_new",
            {"volunteer": "{sef_volunteer}", "starts_on": "{today}"},
            "volunteer",
            "Select a valid choice. That choice is not one of the available choices.",
            id="volunteer-of-another-scheme",
        ),
        pytest.param(
            "assignment_new",
            {"volunteer": "{volunteer}", "starts_on": "10/05/2024 10:00"},
            "starts_on",
            "Enter the first day as a real date, for example 27 3 2024",
            id="start-not-a-date",
        ),
        pytest.param(
            "assignment_new",
            {"volunteer": "{volunteer}", "starts_on": "{today}", "ends_on": "soon"},
            "ends_on",
            "Enter the last day as a real date, for example 27 3 2024",
            id="end-not-a-date",
        ),
        pytest.param(
            "assignment_new", {"volunteer": "{volunteer}"}, "starts_on", "Enter the first day", id="start-missing"
        ),
    ],
)
@pytest.mark.policy("8.1")
def test_bad_input_is_explained_next_to_the_field_and_changes_nothing(
    family, coordinator, volunteer, sefton, client_for, page, data, field, message
):
    sef_volunteer = UserFactory(username="sefvolunteer")
    MembershipFactory(user=sef_volunteer, scheme=sefton, role=Role.VOLUNTEER)
    values = {
        "coordinator": coordinator.pk,
        "volunteer": volunteer.pk,
        "sef_volunteer": sef_volunteer.pk,
        "today": TODAY().isoformat(),
    }
    data = {k: v.format(**values) for k, v in data.items()}
    before = snapshot(family)

    response = client_for(coordinator).post(url(page, family), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert field_error(html, f"id_{field}") == message
    assert message in error_summary(html)
    assert "<title>Error: " in html
    assert snapshot(family) == before


@pytest.mark.policy("8.1")
def test_bad_edit_of_a_member_keeps_the_stored_values(family, coordinator, client_for):
    member = carer(family)
    before = snapshot(family)
    html = (
        client_for(coordinator)
        .post(
            url("member_edit", family, member_id=member.pk),
            {"kind": "adult", "first_name": "", "last_name": "L" * 150, "date_of_birth": "1991-02-31"},
        )
        .content.decode()
    )
    assert field_error(html, "id_first_name") == "Enter the first name"
    assert field_error(html, "id_last_name") == "Ensure this value has at most 100 characters (it has 150)."
    assert field_error(html, "id_date_of_birth") == "Enter the date of birth as a real date, for example 27 3 2024"
    assert snapshot(family) == before
    assert carer(family).first_name == CARER_FIRST


def test_unknown_member_or_assignment_id_is_404(family, coordinator, client_for):
    import uuid

    client = client_for(coordinator)
    assert client.get(url("member_edit", family, member_id=uuid.uuid4())).status_code == 404
    assert client.post(url("assignment_end", family, assignment_id=uuid.uuid4())).status_code == 404


@pytest.mark.policy("8.3")
def test_member_of_another_family_cannot_be_edited_through_this_one(family, wirral, coordinator, client_for):
    other = make_family(wirral, coordinator, first_name="Stacey")
    other_carer = carer(other)
    response = client_for(coordinator).post(
        url("member_edit", family, member_id=other_carer.pk), {"kind": "adult", "first_name": "Hijacked"}
    )
    assert response.status_code == 404
    assert carer(other).first_name == "Stacey"


# --- methods -----------------------------------------------------------------

ALLOWED_METHODS = {
    "dashboard": {"GET"},
    "display_mode": {"POST"},
    "search": {"GET", "POST"},
    "new": {"GET", "POST"},
    "detail": {"GET"},
    "history": {"GET"},
    "contact_edit": {"GET", "POST"},
    "member_new": {"GET", "POST"},
    "member_edit": {"GET", "POST"},
    "visit_new": {"GET", "POST"},
    "visit_plan": {"GET", "POST"},
    "visit_missed": {"GET", "POST"},
    "this_week": {"GET"},
    "agenda": {"GET"},
    "assignment_new": {"GET", "POST"},
    "assignment_end": {"GET", "POST"},
    "my_families": {"GET"},
    "group_list": {"GET", "POST"},
    "group_detail": {"GET"},
    "group_history": {"GET"},
    "group_member_add": {"GET", "POST"},
    "group_session_new": {"GET", "POST"},
    "close": {"GET", "POST"},
    "reopen": {"GET", "POST"},
}


def test_every_families_url_states_its_methods():
    from django.urls import get_resolver

    (families,) = [p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "families"]
    assert {p.name for p in families.url_patterns} == set(ALLOWED_METHODS), "add the new URL to ALLOWED_METHODS"


@pytest.mark.parametrize("name", sorted(ALLOWED_METHODS))
def test_wrong_http_method_is_405(name, assigned_family, assignment, coordinator, client_for):
    converters = {
        "reference": assigned_family.reference,
        "member_id": carer(assigned_family).pk,
        "assignment_id": assignment.pk,
        "group_id": services.group_create(scheme=assigned_family.scheme, actor=coordinator, name="A group").pk,
        "planned_id": uuid.uuid4(),
    }
    (families,) = [p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "families"]
    pattern = next(p for p in families.url_patterns if p.name == name)
    kwargs = {k: v for k, v in converters.items() if pattern and k in pattern.pattern.converters}
    path = reverse(f"families:{name}", kwargs=kwargs)
    before = snapshot(assigned_family)
    client = client_for(coordinator)
    for method in {"GET", "POST", "PUT", "PATCH", "DELETE"} - ALLOWED_METHODS[name]:
        response = client.generic(method, path)
        assert response.status_code == 405, f"{method} {path}"
        assert set(response["Allow"].split(", ")) == ALLOWED_METHODS[name]
    assert snapshot(assigned_family) == before


@pytest.mark.policy("8.1")
def test_the_date_format_the_messages_suggest_is_accepted(family, coordinator, client_for):
    response = client_for(coordinator).post(
        url("member_new", family), {"kind": "child", "first_name": "Otis", "date_of_birth": "27/03/2024"}
    )
    assert response.status_code == 302
    (otis,) = [m for m in family.members.all() if m.first_name == "Otis"]
    assert otis.date_of_birth == datetime.date(2024, 3, 27)


# --- the list on a screen others can see (§8.6) --------------------------------


@pytest.mark.policy("8.6")
def test_references_only_display_hides_every_name_from_the_dashboard(family, wirral, coordinator, client_for):
    make_family(wirral, coordinator, first_name="Marek", last_name="Kowalczyk")
    client = client_for(coordinator)
    shown = main_content(client.get(reverse("families:dashboard")).content.decode())
    assert f"{CARER_FIRST} {CARER_LAST}" in shown and "Marek Kowalczyk" in shown

    response = client.post(reverse("families:display_mode"), {"references_only": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("families:dashboard")
    hidden = main_content(client.get(reverse("families:dashboard")).content.decode())
    assert "WIR-0001" in hidden and "WIR-0002" in hidden
    for personal in (CARER_FIRST, CARER_LAST, "Marek", "Kowalczyk", POSTCODE, PHONE, ADDRESS.split("\n")[0]):
        assert personal not in hidden
    assert "Showing references only" in hidden

    # A GET cannot flip it back (405), only the form's POST can.
    assert client.get(reverse("families:display_mode") + "?references_only=0").status_code == 405
    assert CARER_LAST not in client.get(reverse("families:dashboard")).content.decode()
    client.post(reverse("families:display_mode"), {"references_only": "0"})
    assert CARER_LAST in client.get(reverse("families:dashboard")).content.decode()


@pytest.mark.policy("8.6")
def test_references_only_is_per_session_not_for_everyone(family, coordinator, manager, client_for):
    client_for(coordinator).post(reverse("families:display_mode"), {"references_only": "1"})
    assert CARER_LAST in client_for(manager).get(reverse("families:dashboard")).content.decode()


@pytest.mark.policy("8.6")
def test_dashboard_never_shows_contact_details_or_children(family, coordinator, client_for):
    shown = main_content(client_for(coordinator).get(reverse("families:dashboard")).content.decode())
    for personal in (CHILD_FIRST, POSTCODE, PHONE, "Argyle"):
        assert personal not in shown


# --- history -----------------------------------------------------------------


@pytest.mark.policy("4.2")
def test_history_page_lists_who_made_each_change(family, coordinator, manager, volunteer, client_for):
    for person, first, last in ((coordinator, "Carol", "Coordinator"), (manager, "Mandy", "Manager")):
        person.first_name, person.last_name = first, last
        person.save(update_fields=["first_name", "last_name"])
    services.member_update(member=carer(family), actor=manager, first_name="Rosamund", relationship="aunt")
    dbs_checked(family.scheme, volunteer, manager)
    services.volunteer_assign(family=family, actor=manager, volunteer=volunteer, starts_on=TODAY())

    html = client_for(coordinator).get(url("history", family)).content.decode()
    cells = table_cells(html)
    rows = [cells[i : i + 4] for i in range(0, len(cells), 4)]
    entries = [(who, what, " ".join(change.split())) for _when, who, what, change in rows]

    # People by name, never by username; each change in words, with the values staff may see.
    member_change = next(
        change
        for who, what, change in entries
        if what == "Family member (parent or carer)" and change.startswith("Changed")
    )
    assert f"First name: was {CARER_FIRST}, now Rosamund" in member_change
    assert "Relationship: was mother, now aunt" in member_change
    assert ("Mandy Manager (scheme manager)", "Volunteer assignment") in [(who, what) for who, what, _ in entries]
    assert ("Mandy Manager (scheme manager)", "Family details", "Changed Status: was Referred, now Active") in entries
    assert ("Carol Coordinator (coordinator)", "Family details") in [(who, what) for who, what, _ in entries]
    assert ("Carol Coordinator (coordinator)", "Referral") in [(who, what) for who, what, _ in entries]
    assert ("Carol Coordinator (coordinator)", "Visit (initial visit)") in [(who, what) for who, what, _ in entries]
    assert [what for _, what, _ in entries].count("Family member (child)") == 1
    assert not {"manager", "coordinator"} & {who for who, _, _ in entries}
    # Internal fields never: no blind index, no data key.
    assert "index" not in main_content(html).lower() and "data key" not in main_content(html).lower()
    # Newest first.
    assert rows[0][1] == "Mandy Manager (scheme manager)"


@pytest.mark.policy("8.2", "8.6")
def test_pages_with_family_data_are_not_cached_framed_or_leaked_by_referrer(
    assigned_family, assignment, coordinator, manager, volunteer, client_for
):
    client = client_for(coordinator)
    planned = planning.planned_visit_plan(
        family=assigned_family,
        actor=coordinator,
        visitor=volunteer,
        kind=PlannedVisit.Kind.SUPPORT,
        planned_on=TODAY(),
        planned_at=datetime.time(10),
    )
    paths = [reverse("families:dashboard"), reverse("families:search"), reverse("families:new")]
    paths += [reverse("families:agenda"), reverse("families:this_week")]
    paths += [
        reverse(
            f"families:{p.name}",
            kwargs={
                k: v
                for k, v in {
                    "reference": assigned_family.reference,
                    "member_id": carer(assigned_family).pk,
                    "assignment_id": assignment.pk,
                    "planned_id": planned.pk,
                }.items()
                if k in p.pattern.converters
            },
        )
        for p in family_url_patterns()
        if p.name != "reopen"  # the manager's, on a closed file: below
    ]
    responses = [client.get(path) for path in paths]
    closed = make_family(assigned_family.scheme, coordinator)
    services.family_close(family=closed, actor=coordinator, closed_on=TODAY(), reason="completed")
    responses.append(client_for(manager).get(url("reopen", closed)))
    responses.append(client_for(volunteer).get(reverse("families:my_families")))
    responses.append(client_for(volunteer).get(url("detail", assigned_family)))
    for response in responses:
        assert response.status_code == 200, response.wsgi_request.path
        assert "no-store" in response["Cache-Control"], f"{response.wsgi_request.path} may be kept by the browser"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin", "family references in URLs must not leak to other sites"


@pytest.mark.policy("8.3", "8.6")
def test_dashboard_records_each_family_whose_name_it_shows_and_none_by_reference_only(family, coordinator, client_for):
    from access_log.models import AccessEvent

    client = client_for(coordinator)
    assert CARER_FIRST in client.get(reverse("families:dashboard")).content.decode()
    listed = AccessEvent.objects.filter(action=Action.LIST, file_reference=family.reference)
    assert [(e.user, e.role, e.section, e.outcome) for e in listed] == [(coordinator, "coordinator", "list", "allowed")]

    client.post(reverse("families:display_mode"), {"references_only": "1"})
    html = client.get(reverse("families:dashboard")).content.decode()
    assert family.reference in html and CARER_FIRST not in html
    assert listed.count() == 1, "a list of references alone reads no personal data"
