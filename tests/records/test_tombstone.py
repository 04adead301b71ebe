"""What remains of a family destroyed through the product's own process (§8.8): every page that
used to read it keeps working, and shows its reference as destroyed (date and certificate number)
where it would have appeared. One test per consumer."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from access_log.models import AccessEvent
from families.models import Family, Member
from homestart.models import User
from homestart.rules import FileKind, Outcome, Refusal, Section
from records.models import Destruction, SubjectAccessRequest
from records.retention import selectors
from records.retention import services as retention_services
from records.subject_access import services as sar_services
from reporting import services as reporting_services
from reporting.identifiers import known_identifiers
from reporting.statistics import Period, scheme_statistics
from tests.factories import dbs_checked, make_family
from tests.records.destroy import destroy_family

pytestmark = pytest.mark.policy("8.8")


@pytest.fixture
def destroyed(wirral, coordinator, manager, trustee):
    """WIR-0001, destroyed; its certificate."""
    family = make_family(wirral, coordinator, last_name="Gonewell", postcode="CH43 2XY")
    certificate = destroy_family(family, coordinator=coordinator, manager=manager, trustee=trustee)
    return family, certificate


def detail(family, name="families:detail"):
    return reverse(name, kwargs={"reference": family.reference})


def test_demo_family_past_retention_destroyed_through_the_commands_leaves_every_staff_page_working(seeded_demo):
    """The reported failure: the demo's family past retention, destroyed by the product's own
    process (proposal, two authorisations, ``run_retention``), made the Families page, the file,
    its history, the case-study editor and the consultation form answer 500."""
    manager, trustee = User.objects.get(username="manager"), User.objects.get(username="trustee")
    due = selectors.due_for_destruction(user=manager)[0]
    family = Family.objects.get(pk=due.file_id)
    destruction = retention_services.destruction_propose(kind=FileKind.FAMILY, obj=family, actor=manager)
    retention_services.destruction_authorise(destruction=destruction, actor=manager)
    retention_services.destruction_authorise(destruction=destruction, actor=trustee)
    call_command("run_retention", "--as", "manager", stdout=io.StringIO())
    assert Destruction.objects.get(pk=destruction.pk).status == Destruction.Status.DONE
    study = reporting_services.case_study_create(
        family=Family.objects.get(reference="WIR-0001"),
        actor=User.objects.get(username="coordinator"),
        title="A story",
        draft="Plain text.",
        family_consented=True,
        consent_recorded_on=timezone.localdate(),
    )
    for username in ("coordinator", "manager"):
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username=username))
        assert client.get(reverse("families:dashboard") + "?show=all").status_code == 200
        assert client.get(detail(family)).status_code == 410
        assert client.get(detail(family, "families:history")).status_code == 410
        assert client.get(reverse("reporting:case_study_edit", kwargs={"study_id": study.pk})).status_code == 200
    lead = Client(raise_request_exception=False)
    lead.force_login(User.objects.get(username="safeguarding"))
    assert lead.get(reverse("reporting:consultation_new")).status_code == 200


def test_the_family_list_shows_the_tombstone_with_date_and_certificate(destroyed, client_for, coordinator, manager):
    family, certificate = destroyed
    for user in (coordinator, manager):
        html = client_for(user).get(reverse("families:dashboard"), {"show": "closed"}).content.decode()
        assert family.reference in html and "Destroyed" in html
        assert f"certificate no. {certificate.pk}" in html
        assert f"{certificate.destroyed_at:%-d %B %Y}" in html
        assert "Gonewell" not in html
        assert detail(family) not in html  # no link to a file that is gone


def test_the_family_list_records_no_reading_of_a_destroyed_family(destroyed, client_for, coordinator):
    family, _ = destroyed
    client_for(coordinator).get(reverse("families:dashboard"), {"show": "all"})
    assert not AccessEvent.objects.filter(file_id=family.pk, section=Section.LIST).exists()


@pytest.mark.parametrize(
    "name",
    [
        "families:detail",
        "families:history",
        "families:contact_edit",
        "families:visit_new",
        "families:member_new",
        "families:assignment_new",
        "families:close",
        "families:reopen",
        "reporting:case_study_new",
    ],
)
def test_the_familys_own_pages_answer_its_tombstone_with_410(destroyed, client_for, manager, coordinator, name):
    family, certificate = destroyed
    for user in (coordinator, manager):
        response = client_for(user).get(detail(family, name))
        assert response.status_code == 410, (name, user)
        html = response.content.decode()
        assert f"{family.reference} was destroyed" in html and f"No. {certificate.pk}" in html


@pytest.mark.parametrize("who", ["sef_coordinator", "outsider", "other_volunteer", "trustee"])
def test_roles_that_could_not_have_seen_the_family_still_get_404(destroyed, client_for, request, who):
    family, _ = destroyed
    assert client_for(request.getfixturevalue(who)).get(detail(family)).status_code == 404


def test_the_tombstone_opening_is_recorded_as_refused(destroyed, client_for, coordinator):
    family, _ = destroyed
    client_for(coordinator).get(detail(family))
    event = AccessEvent.objects.filter(file_id=family.pk, user=coordinator).latest("at")
    assert (event.outcome, event.reason) == (Outcome.REFUSED, Refusal.FILE_DESTROYED)


def test_search_does_not_find_a_destroyed_family(destroyed, client_for, coordinator):
    family, _ = destroyed
    client = client_for(coordinator)
    for term in (family.reference, "Gonewell", "CH43 2XY"):
        response = client.post(reverse("families:search"), {"q": term})
        assert response.status_code == 200
        assert response.context["results"] == [], term


def test_a_volunteers_my_families_drops_a_destroyed_family(
    wirral, coordinator, manager, trustee, volunteer, client_for
):
    family = make_family(wirral, coordinator)
    from families import services as family_services

    dbs_checked(wirral, volunteer, coordinator)
    family_services.volunteer_assign(
        family=family, actor=coordinator, volunteer=volunteer, starts_on=timezone.localdate()
    )
    # Closed and destroyed outside the closing page, so that the assignment is still open.
    Family.objects.filter(pk=family.pk).update(status=Family.Status.CLOSED, closed_on="1995-06-30")
    family.refresh_from_db()
    destroy_family(family, coordinator=coordinator, manager=manager, trustee=trustee)
    response = client_for(volunteer).get(reverse("families:my_families"))
    assert response.status_code == 200
    assert family.reference not in response.content.decode()


def test_the_identifier_check_skips_a_destroyed_family(destroyed, wirral, coordinator):
    family, _ = destroyed
    other = make_family(wirral, coordinator, last_name="Stillhere")
    values = {value for _kind, value in known_identifiers(scheme=wirral)}
    assert "Stillhere" in values and other.reference in values
    assert "Gonewell" not in values and family.reference not in values


def test_the_case_study_editor_and_list_work_beside_a_destroyed_family(destroyed, wirral, coordinator, client_for):
    family, certificate = destroyed
    other = make_family(wirral, coordinator)
    study = reporting_services.case_study_create(
        family=other,
        actor=coordinator,
        title="A story",
        draft="Plain text.",
        family_consented=True,
        consent_recorded_on=timezone.localdate(),
    )
    client = client_for(coordinator)
    assert client.get(reverse("reporting:case_study_edit", kwargs={"study_id": study.pk})).status_code == 200
    assert client.get(reverse("reporting:case_study_list")).status_code == 200


def test_a_draft_case_study_of_a_destroyed_family_is_listed_as_destroyed(
    wirral, coordinator, manager, trustee, client_for
):
    family = make_family(wirral, coordinator)
    study = reporting_services.case_study_create(
        family=family,
        actor=coordinator,
        title="A story",
        draft="Plain text.",
        family_consented=True,
        consent_recorded_on=timezone.localdate(),
    )
    certificate = destroy_family(family, coordinator=coordinator, manager=manager, trustee=trustee)
    client = client_for(coordinator)
    html = client.get(reverse("reporting:case_study_list")).content.decode()
    assert f"certificate no. {certificate.pk}" in html
    assert reverse("reporting:case_study_edit", kwargs={"study_id": study.pk}) not in html
    # The draft was sealed with the family's key: it went with the file.
    assert client.get(reverse("reporting:case_study_edit", kwargs={"study_id": study.pk})).status_code == 410


def test_the_consultation_form_works_beside_a_destroyed_family(destroyed, safeguarding_lead, trustee, client_for):
    client = client_for(safeguarding_lead)
    assert client.get(reverse("reporting:consultation_new")).status_code == 200
    response = client.post(
        reverse("reporting:consultation_new"),
        {
            "consultee": trustee.pk,
            "summary": "A child in a family we support may be at risk of neglect.",
        },
    )
    assert response.status_code in (200, 302)


def test_statistics_keep_counting_a_destroyed_family(wirral, coordinator, manager, trustee, client_for):
    families = [make_family(wirral, coordinator) for _ in range(6)]
    today = timezone.localdate()
    before = scheme_statistics(scheme=wirral, period=Period.MONTH, today=today).table("referred_closed").rows
    destroy_family(families[0], coordinator=coordinator, manager=manager, trustee=trustee)
    after = scheme_statistics(scheme=wirral, period=Period.MONTH, today=today).table("referred_closed").rows
    referred = [row[1][0] for row in before]
    assert referred == [row[1][0] for row in after]
    response = client_for(trustee).get(reverse("reporting:statistics_csv"))
    assert response.status_code == 200
    assert list(csv.reader(io.StringIO(response.content.decode())))


def test_a_subject_access_response_for_a_destroyed_family_says_what_remains(
    wirral, coordinator, manager, trustee, client_for
):
    family = make_family(wirral, coordinator)
    sar = sar_services.sar_register(
        scheme=wirral,
        actor=manager,
        subject_kind=SubjectAccessRequest.SubjectKind.FAMILY_MEMBER,
        family=family,
        member=family.members.get(kind=Member.Kind.ADULT),
        requester_name="The parent",
        received_on=timezone.localdate(),
        request_details="Everything about me.",
    )
    certificate = destroy_family(family, coordinator=coordinator, manager=manager, trustee=trustee)
    client = client_for(manager)
    assert client.get(reverse("records:sar_detail", kwargs={"sar_id": sar.pk})).status_code == 200
    response = client.get(reverse("records:sar_document", kwargs={"sar_id": sar.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "destroyed" in html and f"No. {certificate.pk}" in html
    assert client.get(reverse("records:sar_json", kwargs={"sar_id": sar.pk})).status_code in (200, 302)


def test_admin_pages_of_a_destroyed_family_work(destroyed, client_for, admin_user):
    family, _ = destroyed
    from access_log.models import ContractorUndertaking

    ContractorUndertaking.objects.create(user=admin_user)
    client = client_for(admin_user)
    assert client.get(reverse("admin:families_family_changelist")).status_code == 200
    response = client.get(reverse("admin:families_family_change", args=[family.pk]))
    assert response.status_code in (200, 410)
    assert "Gonewell" not in response.content.decode()


def test_the_certificates_page_numbers_each_certificate(destroyed, client_for, manager):
    _family, certificate = destroyed
    html = client_for(manager).get(reverse("records:certificates")).content.decode()
    assert f"No. {certificate.pk}" in html


def test_the_volunteer_file_lists_a_destroyed_family_as_destroyed(
    assigned_family, volunteer_file, coordinator, manager, trustee, client_for
):
    certificate = destroy_family(assigned_family, coordinator=coordinator, manager=manager, trustee=trustee)
    response = client_for(coordinator).get(reverse("records:volunteer_file", args=[volunteer_file.reference]))
    assert response.status_code == 200
    assert f"certificate no. {certificate.pk}" in response.content.decode()
