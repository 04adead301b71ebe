"""Two people for every grant of access (§8.3, §7.6): an administrator alone can no longer
make anyone — themselves included — a coordinator, manager, safeguarding lead, volunteer,
spot-check trustee, HSUK reviewer, external auditor (or trustee, or administrator).

A membership, a line manager or a reactivated account is only asked for; it takes effect
when the scheme's manager or a trustee (for national roles, another administrator)
approves it. Nobody approves their own request or a grant to themselves; a request lapses
after 7 days; ending a membership is one step. Requests and decisions are append-only.
"""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from access_log import gate
from homestart import services
from homestart.append_only import AppendOnlyError
from homestart.models import AccessDecision, AccessRequest, Membership
from homestart.rules import Role
from tests.conftest import _member
from tests.factories import MembershipFactory, UserFactory, make_family

pytestmark = pytest.mark.policy("8.3", "7.6")

# Role -> does it belong to a scheme (Sefton here) or to the whole installation?
FILE_ROLES = [
    Role.COORDINATOR,
    Role.MANAGER,
    Role.SAFEGUARDING_LEAD,
    Role.VOLUNTEER,
    Role.SPOT_CHECK_TRUSTEE,
    Role.REVIEWER,
    Role.AUDITOR,
    Role.TRUSTEE,
    Role.ADMIN,
]
NATIONAL = {Role.REVIEWER, Role.ADMIN}


def _administrator(username: str):
    """An administrator with the admin-page permissions the demo gives them (seed_demo)."""
    user = _member(None, Role.ADMIN, username, is_staff=True, first_name="Ada", last_name=username.title())
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="homestart",
            codename__regex=r"^(add|change|view)_(scheme|user|membership|policyversion|accessrequest)$",
        )
    )
    return user


@pytest.fixture
def admin(db):
    return _administrator("admin")


@pytest.fixture
def admin2(db):
    return _administrator("admin2")


@pytest.fixture
def sef_manager(sefton):
    return _member(sefton, Role.MANAGER, "sefmanager", first_name="Sally", last_name="Seaforth")


@pytest.fixture
def sef_trustee(sefton):
    return _member(sefton, Role.TRUSTEE, "seftrustee", first_name="Tom", last_name="Crosby")


@pytest.fixture
def sef_family(sefton, sef_coordinator):
    return make_family(sefton, sef_coordinator)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _scheme_for(role, sefton):
    return None if role in NATIONAL else sefton


def _holds(user, role, scheme) -> bool:
    return Membership.objects.current().filter(user=user, role=role, scheme=scheme).exists()


def _add_page_post(client, user, role, scheme):
    return client.post(
        reverse("admin:homestart_membership_add"),
        {"user": user.pk, "scheme": scheme.pk if scheme else "", "role": role, "line_manager": ""},
    )


# --- an administrator alone obtains nothing ------------------------------------------------


@pytest.mark.parametrize("role", FILE_ROLES)
def test_the_admin_add_page_only_asks_and_a_second_person_approves(role, admin, admin2, sefton, sef_manager):
    scheme = _scheme_for(role, sefton)
    # The administrator asks for the role for themselves (they are one already: for someone new).
    grantee = UserFactory(username="newadmin") if role == Role.ADMIN else admin
    response = _add_page_post(_client(admin), grantee, role, scheme)
    assert response.status_code == 302
    assert not _holds(grantee, role, scheme)
    asked = AccessRequest.objects.get(user=grantee, role=role, at_setup=False)
    assert asked.requested_by == admin and asked.decided is None

    approver = admin2 if role in NATIONAL else sef_manager
    # The requester approving on the product page: not theirs to know about.
    assert _client(admin).post(reverse("access_request_approve", args=[asked.pk])).status_code == 404
    assert not _holds(grantee, role, scheme)

    response = _client(approver).post(reverse("access_request_approve", args=[asked.pk]))
    assert response.status_code == 302
    membership = Membership.objects.current().get(user=grantee, role=role, scheme=scheme)
    assert membership.grant == asked
    decision = AccessDecision.objects.get(request=asked)
    assert decision.decided_by == approver and decision.outcome == AccessDecision.Outcome.APPROVED


def test_the_administrator_who_made_themselves_coordinator_of_sefton_reads_nothing_until_approved(
    admin, sefton, sef_manager, sef_family
):
    """Today's incident: the administrator added themselves as Sefton's coordinator in admin."""
    client = _client(admin)
    _add_page_post(client, admin, Role.COORDINATOR, sefton)
    detail = reverse("families:detail", kwargs={"reference": sef_family.reference})
    assert client.get(detail).status_code == 404
    with pytest.raises(gate.FileHidden):
        gate.open_family(user=admin, reference=sef_family.reference)

    asked = AccessRequest.objects.get(user=admin, at_setup=False)
    services.access_request_approve(access_request=asked, actor=sef_manager)
    assert client.get(detail).status_code == 200


def test_the_admin_change_page_cannot_change_a_role_and_a_line_manager_waits_for_approval(
    admin, wirral, coordinator, manager, trustee
):
    membership = coordinator.memberships.get()
    other = _member(wirral, Role.COORDINATOR, "other")
    change = reverse("admin:homestart_membership_change", args=[membership.pk])
    response = _client(admin).post(change, {"line_manager": other.pk, "role": Role.MANAGER, "user": admin.pk})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.user, membership.role, membership.line_manager) == (coordinator, Role.COORDINATOR, manager)
    asked = AccessRequest.objects.get(kind=AccessRequest.Kind.LINE_MANAGER)
    assert asked.user == other and asked.for_membership == membership

    # The person line-managed does not choose their own line manager; a trustee approves.
    with pytest.raises(services.NotAnApprover):
        services.access_request_approve(access_request=asked, actor=coordinator)
    services.access_request_approve(access_request=asked, actor=trustee)
    membership.refresh_from_db()
    assert membership.line_manager == other


def test_removing_a_line_manager_takes_access_away_at_once(admin, coordinator, manager):
    membership = coordinator.memberships.get()
    change = reverse("admin:homestart_membership_change", args=[membership.pk])
    assert _client(admin).post(change, {"line_manager": ""}).status_code == 302
    membership.refresh_from_db()
    assert membership.line_manager is None
    assert not AccessRequest.objects.filter(kind=AccessRequest.Kind.LINE_MANAGER).exists()


def test_reactivating_an_account_in_admin_waits_for_approval(admin, wirral, coordinator, manager):
    coordinator.is_active = False
    coordinator.save(update_fields=["is_active"])
    change = reverse("admin:homestart_user_change", args=[coordinator.pk])
    data = {
        "username": coordinator.username,
        "first_name": "",
        "last_name": "",
        "email": coordinator.email,
        "is_active": "on",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "1",
    }
    response = _client(admin).post(change, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    coordinator.refresh_from_db()
    assert not coordinator.is_active
    asked = AccessRequest.objects.get(kind=AccessRequest.Kind.REACTIVATION, user=coordinator)
    assert asked.scheme == wirral  # all their roles are Wirral's: Wirral's manager or a trustee approves
    services.access_request_approve(access_request=asked, actor=manager)
    coordinator.refresh_from_db()
    assert coordinator.is_active


# --- who may approve -------------------------------------------------------------------------


@pytest.fixture
def asked(admin, sefton):
    """The administrator asks for a new person to be Sefton's coordinator."""
    newcomer = UserFactory(username="newcomer", first_name="Nia", last_name="Newcombe")
    return services.membership_request(user=newcomer, scheme=sefton, role=Role.COORDINATOR, actor=admin)


@pytest.mark.parametrize(
    "who", ["requester", "grantee", "coordinator", "other_scheme_manager", "trustee_elsewhere", "another_administrator"]
)
def test_only_the_schemes_manager_or_a_trustee_approves(who, asked, admin2, sef_coordinator, manager, trustee):
    deciders = {
        "requester": asked.requested_by,
        "grantee": asked.user,
        "coordinator": sef_coordinator,
        "other_scheme_manager": manager,
        "trustee_elsewhere": trustee,
        "another_administrator": admin2,
    }
    person = deciders[who]
    with pytest.raises(services.NotAnApprover):
        services.access_request_approve(access_request=asked, actor=person)
    with pytest.raises(services.NotAnApprover):
        services.access_request_refuse(access_request=asked, actor=person, reason="No")
    assert _client(person).post(reverse("access_request_approve", args=[asked.pk])).status_code == 404
    assert _client(person).get(reverse("access_request_refuse", args=[asked.pk])).status_code == 404
    assert not Membership.objects.filter(user=asked.user).exists()
    assert not AccessDecision.objects.filter(request=asked).exists()


def test_a_trustee_of_the_scheme_approves_too(asked, sef_trustee):
    services.access_request_approve(access_request=asked, actor=sef_trustee)
    assert _holds(asked.user, Role.COORDINATOR, asked.scheme)


def test_a_national_grant_needs_another_administrator(admin, admin2, sef_manager):
    newcomer = UserFactory(username="newreviewer")
    request = services.membership_request(user=newcomer, scheme=None, role=Role.REVIEWER, actor=admin)
    for person in (admin, newcomer, sef_manager):
        with pytest.raises(services.NotAnApprover):
            services.access_request_approve(access_request=request, actor=person)
    services.access_request_approve(access_request=request, actor=admin2)
    assert _holds(newcomer, Role.REVIEWER, None)


def test_nobody_but_an_administrator_or_the_schemes_approvers_may_ask(sefton, sef_coordinator, manager):
    newcomer = UserFactory(username="newcomer")
    for person in (sef_coordinator, manager):
        with pytest.raises(services.NotAnApprover):
            services.membership_request(user=newcomer, scheme=sefton, role=Role.VOLUNTEER, actor=person)


def test_the_approvers_page_lists_what_waits_and_a_refusal_needs_a_reason(asked, sef_manager, sef_coordinator):
    page = _client(sef_manager).get(reverse("access_requests")).content.decode()
    assert "Nia Newcombe" in page and "Coordinator, Home-Start Sefton" in page
    assert "Nia Newcombe" not in _client(sef_coordinator).get(reverse("access_requests")).content.decode()

    refuse = reverse("access_request_refuse", args=[asked.pk])
    client = _client(sef_manager)
    response = client.post(refuse, {"reason": ""})
    assert response.status_code == 200 and "Say why the request is refused." in response.content.decode()
    assert not AccessDecision.objects.filter(request=asked).exists()
    assert client.post(refuse, {"reason": "Not known to the scheme."}).status_code == 302
    decision = AccessDecision.objects.get(request=asked)
    assert (decision.outcome, decision.reason, decision.decided_by) == (
        AccessDecision.Outcome.REFUSED,
        "Not known to the scheme.",
        sef_manager,
    )
    assert not Membership.objects.filter(user=asked.user).exists()
    # Decided once: neither approving nor refusing again.
    with pytest.raises(ValidationError):
        services.access_request_approve(access_request=asked, actor=sef_manager)
    assert "Refused" in _client(asked.requested_by).get(reverse("access_requests")).content.decode()


def test_a_request_lapses_after_seven_days(asked, sef_manager):
    assert AccessRequest.objects.approvable_by(sef_manager).filter(pk=asked.pk).exists()
    later = timezone.now() + datetime.timedelta(days=7, seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert not AccessRequest.objects.approvable_by(sef_manager).exists()
        with pytest.raises(ValidationError, match="expired"):
            services.access_request_approve(access_request=asked, actor=sef_manager)
        assert asked.status == "Expired"
    assert not Membership.objects.filter(user=asked.user).exists()


def test_within_seven_days_it_still_works(asked, sef_manager):
    later = timezone.now() + datetime.timedelta(days=6, hours=23)
    with mock.patch("django.utils.timezone.now", return_value=later):
        services.access_request_approve(access_request=asked, actor=sef_manager)
    assert _holds(asked.user, Role.COORDINATOR, asked.scheme)


def test_ending_a_membership_takes_access_away_at_once(admin, sefton, sef_manager, sef_family):
    request = services.membership_request(user=admin, scheme=sefton, role=Role.COORDINATOR, actor=admin)
    services.access_request_approve(access_request=request, actor=sef_manager)
    gate.open_family(user=admin, reference=sef_family.reference)
    services.membership_end(membership=Membership.objects.get(grant=request), actor=admin)
    with pytest.raises(gate.FileHidden):
        gate.open_family(user=admin, reference=sef_family.reference)


def test_asking_twice_or_for_a_role_already_held_is_refused_with_a_message(asked, admin, sef_coordinator, sefton):
    with pytest.raises(ValidationError, match="already been asked"):
        services.membership_request(user=asked.user, scheme=sefton, role=Role.COORDINATOR, actor=admin)
    with pytest.raises(ValidationError, match="already holds"):
        services.membership_request(user=sef_coordinator, scheme=sefton, role=Role.COORDINATOR, actor=admin)
    response = _add_page_post(_client(admin), sef_coordinator, Role.COORDINATOR, sefton)
    assert response.status_code == 200 and "already holds this role" in response.content.decode()


# --- append-only ------------------------------------------------------------------------------


def test_requests_and_decisions_are_append_only(asked, sef_manager):
    decision = services.access_request_approve(access_request=asked, actor=sef_manager)
    for obj in (asked, decision):
        with pytest.raises(AppendOnlyError):
            obj.save()
        with pytest.raises(AppendOnlyError):
            obj.delete()
        with pytest.raises(AppendOnlyError):
            type(obj).objects.filter(pk=obj.pk).update(reason="rewritten")
        with pytest.raises(AppendOnlyError):
            type(obj).objects.filter(pk=obj.pk).delete()


# --- who holds access to our files ------------------------------------------------------------


def test_who_holds_access_shows_each_holder_with_who_asked_and_who_approved(
    asked, sef_manager, sef_trustee, sef_coordinator, manager, admin
):
    services.access_request_approve(access_request=asked, actor=sef_trustee)
    url = reverse("access_holders", kwargs={"scheme_code": "SEF"})
    for person in (sef_manager, sef_trustee):
        page = _client(person).get(url).content.decode()
        assert "Nia Newcombe" in page and "Ada Admin" in page and "Tom Crosby" in page
        assert "Granted at set-up" in page  # the coordinator made by the test's set-up
    for person in (sef_coordinator, manager, admin, asked.user):
        assert _client(person).get(url).status_code == 404


def test_the_tests_set_up_grants_are_recorded_as_granted_at_set_up(wirral):
    user = UserFactory(username="setup")
    membership = MembershipFactory(user=user, scheme=wirral, role=Role.VOLUNTEER)
    assert membership.grant.at_setup and membership.grant.requested_by is None
    assert membership.grant.decision.outcome == AccessDecision.Outcome.APPROVED
    assert not Membership.objects.filter(Q(grant__isnull=True)).exists()


def test_a_manager_cannot_approve_a_grant_to_themselves_nor_their_own_request(admin, sefton, sef_manager, sef_trustee):
    """Both would otherwise have the authority: being the grantee or the requester is what stops them."""
    for_themselves = services.membership_request(
        user=sef_manager, scheme=sefton, role=Role.SAFEGUARDING_LEAD, actor=admin
    )
    with pytest.raises(services.NotAnApprover):
        services.access_request_approve(access_request=for_themselves, actor=sef_manager)
    newcomer = UserFactory(username="newcomer")
    their_own = services.membership_request(user=newcomer, scheme=sefton, role=Role.VOLUNTEER, actor=sef_manager)
    with pytest.raises(services.NotAnApprover):
        services.access_request_approve(access_request=their_own, actor=sef_manager)
    page = _client(sef_manager).get(reverse("access_requests")).content.decode()
    assert "Waiting for your approval" not in page
    for request in (for_themselves, their_own):
        services.access_request_approve(access_request=request, actor=sef_trustee)
    assert _holds(sef_manager, Role.SAFEGUARDING_LEAD, sefton) and _holds(newcomer, Role.VOLUNTEER, sefton)


@pytest.mark.parametrize("role", FILE_ROLES)
def test_the_admin_change_page_cannot_move_a_role_to_the_administrator(role, admin, sefton):
    scheme = _scheme_for(role, sefton)
    holder = _member(scheme, role, "holder")
    membership = holder.memberships.get(role=role)
    change = reverse("admin:homestart_membership_change", args=[membership.pk])
    response = _client(admin).post(
        change, {"user": admin.pk, "scheme": scheme.pk if scheme else "", "role": role, "line_manager": admin.pk}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.user, membership.line_manager) == (holder, None)
    assert not _holds(admin, role, scheme) or role == Role.ADMIN
    # Naming themselves line manager is only asked for, and they cannot approve it.
    asked = AccessRequest.objects.get(kind=AccessRequest.Kind.LINE_MANAGER, for_membership=membership)
    assert asked.user == admin
    with pytest.raises(services.NotAnApprover):
        services.access_request_approve(access_request=asked, actor=admin)


def test_a_set_up_grant_asked_twice_is_refused_by_the_database_and_leaves_one_membership(wirral, coordinator):
    """Set-up grants (the demo, the tests' named people) leave their uniqueness to the database's
    constraints instead of probing first: a second grant of the same role fails whole, and the
    person still holds the role once, with one set-up request (§8.3)."""
    from django.db import IntegrityError, transaction

    requests_before = AccessRequest.objects.filter(user=coordinator).count()
    with pytest.raises(IntegrityError), transaction.atomic():
        services.membership_grant_at_setup(user=coordinator, scheme=wirral, role=Role.COORDINATOR)
    assert Membership.objects.not_ended().filter(user=coordinator, scheme=wirral, role=Role.COORDINATOR).count() == 1
    assert AccessRequest.objects.filter(user=coordinator).count() == requests_before
