"""Confirm it is you before an export, a destruction or a change of who may see which
files (§8.2, OWASP ASVS 5.0 7.5.1). Five minutes after signing in or confirming, these
pages ask for the password again. A stale POST is never carried out nor replayed: the
person confirms, comes back to the page with the form and sends it again."""

from __future__ import annotations

import datetime
import time
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from access_log.models import AccessEvent
from families.models import Family, Member
from homestart import security
from homestart.models import Membership
from homestart.rules import FileKind, Role
from records.models import Destruction, LegalHold, RecordKind, RetentionRule, SubjectAccessRequest
from records.retention import services as retention_services
from records.subject_access import services as sar_services
from reporting.models import ReportEvent
from tests.factories import TEST_PASSWORD, UserFactory, make_family
from tests.site.test_every_page import snapshot

pytestmark = pytest.mark.policy("8.2")

LONG_AGO = datetime.date(2015, 3, 31)


def confirm_page(back: str) -> str:
    return f"{reverse('reauthenticate')}?{urlencode({'next': back})}"


def go_stale(client: Client) -> None:
    session = client.session
    session[security.SESSION_REAUTH] = time.time() - 6 * 60
    session.save()


def confirm(client: Client, back: str):
    return client.post(reverse("reauthenticate"), {"password": TEST_PASSWORD, "next": back})


def _close_long_ago(family: Family, actor) -> Family:
    family.status, family.closed_on, family._history_user = Family.Status.CLOSED, LONG_AGO, actor
    family.save(update_fields=["status", "closed_on"])
    return family


@pytest.fixture
def root(db):
    """An administrator with every Django permission (the admin pages themselves)."""
    user = UserFactory(username="root", is_superuser=True, is_staff=True)
    Membership.objects.create(user=user, scheme=None, role=Role.ADMIN)
    return user


@pytest.fixture
def world(family, wirral, coordinator, manager, trustee, root):
    """One of everything the re-authenticated pages act on."""
    _close_long_ago(family, coordinator)
    held = _close_long_ago(make_family(wirral, coordinator), coordinator)
    pending = _close_long_ago(make_family(wirral, coordinator), coordinator)
    destruction = retention_services.destruction_propose(kind=FileKind.FAMILY, obj=family, actor=manager)
    hold = retention_services.legal_hold_place(kind=FileKind.FAMILY, obj=held, reason="Insurance claim", actor=manager)
    sar = sar_services.sar_register(
        scheme=wirral,
        actor=manager,
        subject_kind=SubjectAccessRequest.SubjectKind.FAMILY_MEMBER,
        requester_name="Rosalind Quenby",
        received_on=timezone.localdate(),
        family=family,
        member=family.members.get(kind=Member.Kind.ADULT),
        request_details="Everything you hold about me",
    )
    rule = RetentionRule.objects.create(record_kind=RecordKind.FAMILY, years=7, basis="Scheme policy")
    return {
        "family": family,
        "pending": pending,
        "destruction": destruction,
        "hold": hold,
        "sar": sar,
        "rule": rule,
        "membership": coordinator.memberships.get(),
    }


def _requests(world, people):
    """(who, method, url, data, where they come back to): every re-authenticated request."""
    sar, family, pending = world["sar"], world["family"], world["pending"]
    retention = reverse("records:retention")
    csv = f"{reverse('reporting:statistics_csv')}?period=month&scheme=WIR"
    release = reverse("records:sar_release", kwargs={"sar_id": sar.pk})
    document = reverse("records:sar_document", kwargs={"sar_id": sar.pk})
    transfer = reverse("consent:transfer_new", kwargs={"reference": family.reference})
    user_change = reverse("admin:homestart_user_change", args=[people["coordinator"].pk])
    users = reverse("admin:homestart_user_changelist")
    group_add = reverse("admin:auth_group_add")
    rule = reverse("admin:records_retentionrule_change", args=[world["rule"].pk])
    hold = reverse("admin:records_legalhold_change", args=[world["hold"].pk])
    memberships = reverse("admin:homestart_membership_changelist")
    return [
        ("trustee", "get", csv, None, f"{reverse('reporting:statistics')}?period=month&scheme=WIR"),
        ("manager", "get", document, None, document),
        (
            "manager",
            "get",
            reverse("records:sar_json", kwargs={"sar_id": sar.pk}),
            None,
            reverse("records:sar_detail", kwargs={"sar_id": sar.pk}),
        ),
        ("manager", "get", release, None, release),
        ("manager", "post", release, {"recipient": "The requester", "reviewed": "on"}, release),
        (
            "manager",
            "post",
            reverse("records:retention_propose"),
            {"kind": FileKind.FAMILY, "file_id": str(pending.pk)},
            retention,
        ),
        (
            "manager",
            "post",
            reverse("records:retention_hold"),
            {"kind": FileKind.FAMILY, "file_id": str(pending.pk), "reason": "A claim"},
            retention,
        ),
        (
            "manager",
            "post",
            reverse("records:retention_hold_release", kwargs={"hold_id": world["hold"].pk}),
            {},
            retention,
        ),
        (
            "manager",
            "post",
            reverse("records:destruction_authorise", kwargs={"destruction_id": world["destruction"].pk}),
            {},
            retention,
        ),
        (
            "manager",
            "post",
            reverse("records:destruction_carry_out", kwargs={"destruction_id": world["destruction"].pk}),
            {},
            retention,
        ),
        ("coordinator", "get", transfer, None, transfer),
        (
            "coordinator",
            "post",
            transfer,
            {
                "destination": "export",
                "sections": ["contact"],
                "summary": "Moving",
                "passphrase": "correct horse battery",
            },
            transfer,
        ),
        ("root", "get", user_change, None, user_change),
        ("root", "post", user_change, {"username": "coordinator", "is_active": "", "is_staff": "on"}, user_change),
        # Nobody sets another person's password: a set-password link is e-mailed instead (§8.2).
        (
            "root",
            "post",
            users,
            {"action": "send_set_password_links", "_selected_action": [people["coordinator"].pk]},
            users,
        ),
        ("root", "get", group_add, None, group_add),
        ("root", "post", group_add, {"name": "Everything"}, group_add),
        ("root", "get", rule, None, rule),
        ("root", "post", rule, {"record_kind": RecordKind.FAMILY, "years": "1", "basis": "Shorter"}, rule),
        ("root", "get", hold, None, hold),
        (
            "root",
            "post",
            memberships,
            {"action": "end_memberships", "_selected_action": [world["membership"].pk]},
            memberships,
        ),
    ]


@pytest.fixture
def people(coordinator, manager, trustee, root):
    return {"coordinator": coordinator, "manager": manager, "trustee": trustee, "root": root}


def test_every_export_destruction_and_permission_change_asks_again_after_five_minutes_and_does_nothing(
    world, people, client_for
):
    for who, method, url, data, back in _requests(world, people):
        client = client_for(people[who])
        go_stale(client)
        before = snapshot(), AccessEvent.objects.count(), ReportEvent.objects.count()
        response = getattr(client, method)(url, data) if data is not None else client.get(url)
        assert (response.status_code, response["Location"]) == (302, confirm_page(back)), (method, url)
        assert (snapshot(), AccessEvent.objects.count(), ReportEvent.objects.count()) == before, (method, url)
        if method == "post":
            page = client.get(response["Location"]).content.decode()
            assert "Nothing was saved or changed yet. Confirm it is you, then do it again." in page


def test_a_fresh_session_goes_straight_through(world, people, client_for):
    """Straight after signing in (the demo's journeys), nothing asks again."""
    for who, method, url, data, _back in _requests(world, people):
        client = client_for(people[who])
        response = getattr(client, method)(url, data) if data is not None else client.get(url)
        assert not response.get("Location", "").startswith(reverse("reauthenticate")), (method, url)
        assert response.status_code < 500, (method, url)


@pytest.mark.policy("8.8")
def test_a_stale_destruction_authorisation_is_not_recorded_until_confirmed_and_clicked_again(world, manager):
    client = Client()
    client.force_login(manager)
    go_stale(client)
    url = reverse("records:destruction_authorise", kwargs={"destruction_id": world["destruction"].pk})
    assert client.post(url)["Location"] == confirm_page(reverse("records:retention"))
    destruction = Destruction.objects.get(pk=world["destruction"].pk)
    assert destruction.first_authorised_by is None
    wrong = client.post(reverse("reauthenticate"), {"password": "not it", "next": reverse("records:retention")})
    assert "Your password or code is not right" in wrong.content.decode()
    back = confirm(client, reverse("records:retention"))
    assert back["Location"] == reverse("records:retention")
    assert client.get(back["Location"]).status_code == 200
    # Nothing was replayed: the person clicks again, now within five minutes.
    destruction.refresh_from_db()
    assert destruction.first_authorised_by is None
    assert client.post(url)["Location"] == reverse("records:retention")
    destruction.refresh_from_db()
    assert destruction.first_authorised_by == manager


@pytest.mark.policy("8.7")
def test_a_stale_release_form_comes_back_empty_and_is_released_only_when_sent_again(world, manager):
    sar = world["sar"]
    sar_services.sar_record_identity_check(sar=sar, actor=manager, evidence="Passport seen in person")
    client = Client()
    client.force_login(manager)
    url = reverse("records:sar_release", kwargs={"sar_id": sar.pk})
    assert client.get(url).status_code == 200  # opened in time...
    go_stale(client)  # ...and sent more than five minutes later
    sent = client.post(url, {"recipient": "The requester, by hand", "reviewed": "on"})
    assert sent["Location"] == confirm_page(url)
    sar.refresh_from_db()
    assert sar.status != SubjectAccessRequest.Status.RELEASED
    assert confirm(client, url)["Location"] == url
    form = client.get(url)
    assert form.status_code == 200 and 'name="recipient"' in form.content.decode()
    sar.refresh_from_db()
    assert sar.status != SubjectAccessRequest.Status.RELEASED, "the POST was not replayed"
    assert client.post(url, {"recipient": "The requester, by hand", "reviewed": "on"}).status_code == 302
    sar.refresh_from_db()
    assert sar.status == SubjectAccessRequest.Status.RELEASED


@pytest.mark.policy("8.9")
def test_funders_csv_after_confirming_is_downloaded_from_the_statistics_page(world, trustee):
    client = Client()
    client.force_login(trustee)
    go_stale(client)
    csv = f"{reverse('reporting:statistics_csv')}?period=month&scheme=WIR"
    statistics = f"{reverse('reporting:statistics')}?period=month&scheme=WIR"
    assert client.get(csv)["Location"] == confirm_page(statistics)
    assert not ReportEvent.objects.filter(kind=ReportEvent.Kind.STATISTICS_EXPORT).exists()
    assert confirm(client, statistics)["Location"] == statistics
    download = client.get(csv)
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert ReportEvent.objects.filter(kind=ReportEvent.Kind.STATISTICS_EXPORT).count() == 1


def test_confirming_gives_a_new_session_key_and_an_off_site_next_goes_home(coordinator):
    client = Client()
    client.force_login(coordinator)
    go_stale(client)
    key = client.session.session_key
    response = confirm(client, "https://evil.example/steal")
    assert response["Location"] == "/"
    assert client.session.session_key != key


def test_ending_a_membership_in_the_admin_waits_for_confirmation(world, root, coordinator):
    client = Client()
    client.force_login(root)
    go_stale(client)
    changelist = reverse("admin:homestart_membership_changelist")
    membership = world["membership"]
    data = {"action": "end_memberships", "_selected_action": [membership.pk]}
    assert client.post(changelist, data)["Location"] == confirm_page(changelist)
    membership.refresh_from_db()
    assert membership.ended_at is None
    confirm(client, changelist)
    client.post(changelist, data)
    membership.refresh_from_db()
    assert membership.ended_at is not None


def test_changing_a_groups_permissions_in_the_admin_waits_for_confirmation(root):
    client = Client()
    client.force_login(root)
    go_stale(client)
    add = reverse("admin:auth_group_add")
    assert client.post(add, {"name": "Everything"})["Location"] == confirm_page(add)
    assert not Group.objects.filter(name="Everything").exists()
    confirm(client, add)
    assert client.post(add, {"name": "Everything"}).status_code == 302
    assert Group.objects.filter(name="Everything").exists()


def test_the_retention_schedule_and_legal_holds_in_the_admin_wait_for_confirmation(world, root):
    client = Client()
    client.force_login(root)
    go_stale(client)
    rule = world["rule"]
    url = reverse("admin:records_retentionrule_change", args=[rule.pk])
    client.post(url, {"record_kind": RecordKind.FAMILY, "years": "1", "basis": "Shorter"})
    rule.refresh_from_db()
    assert rule.years == 7
    assert (
        reverse("reauthenticate")
        in client.get(reverse("admin:records_legalhold_change", args=[world["hold"].pk]))["Location"]
    )
    assert LegalHold.objects.get(pk=world["hold"].pk).released_at is None


def test_exports_name_their_own_files(world, trustee, manager, client_for):
    """ASVS 5.4.1, 5.4.2: the filename comes from references, never from what was typed."""
    hostile = urlencode({"period": '"; filename="evil.exe', "scheme": "../../etc\r\nX-Injected: 1"})
    csv = client_for(trustee).get(f"{reverse('reporting:statistics_csv')}?{hostile}")
    assert csv["Content-Disposition"] == 'attachment; filename="WIR-statistics-month.csv"'
    sar = world["sar"]
    json = client_for(manager).get(reverse("records:sar_json", kwargs={"sar_id": sar.pk}))
    assert (
        json["Content-Disposition"]
        == f'attachment; filename="{sar.reference}.json"'
        == ('attachment; filename="WIR-SAR-0001.json"')
    )
