"""No one acts alone on access (§8.3): a set-password link goes to a person's e-mail address, so
an administrator who could change that address alone could send themselves the link and take
over the account and every role it holds. A new address for an existing account is only asked
for; another person with authority approves it, and both addresses are told."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from homestart import services
from homestart.models import AccessRequest, Role
from tests.conftest import _member
from tests.factories import UserFactory
from tests.homestart.test_access_approval import _administrator, _client

pytestmark = pytest.mark.policy("8.3")


@pytest.fixture
def admin(db):
    return _administrator("admin")


@pytest.fixture
def admin2(db):
    return _administrator("admin2")


def _change_email(admin, person, email: str):
    data = {
        "username": person.username,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": email,
        "is_active": "on",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": str(person.memberships.count()),
    }
    return _client(admin).post(reverse("admin:homestart_user_change", args=[person.pk]), data)


def test_an_administrator_cannot_change_a_coordinators_address_alone(admin, wirral, coordinator, manager):
    before = coordinator.email
    response = _change_email(admin, coordinator, "taken-over@example.org")
    assert response.status_code == 302, response.content.decode()[:2000]
    coordinator.refresh_from_db()
    assert coordinator.email == before
    asked = AccessRequest.objects.get(kind=AccessRequest.Kind.EMAIL, user=coordinator)
    assert asked.email == "taken-over@example.org"
    assert asked.scheme == wirral  # all their roles are Wirral's: Wirral's manager or a trustee approves
    assert "taken-over@example.org" in asked.what


def test_the_set_password_link_still_goes_to_the_old_address_until_approved(admin, coordinator):
    before = coordinator.email
    services.email_change_request(user=coordinator, email="taken-over@example.org", actor=admin)
    mail.outbox.clear()
    services.password_link_send(user=coordinator, actor=admin, request=_FakeRequest())
    assert [m.to for m in mail.outbox] == [[before]]


def test_the_administrator_who_asked_cannot_approve_it(admin, coordinator):
    asked = services.email_change_request(user=coordinator, email="taken-over@example.org", actor=admin)
    with pytest.raises(services.NotAnApprover):
        services.access_request_approve(access_request=asked, actor=admin)
    with pytest.raises(services.NotAnApprover):
        services.access_request_approve(access_request=asked, actor=coordinator)
    coordinator.refresh_from_db()
    assert coordinator.email != "taken-over@example.org"


def test_approved_by_the_schemes_manager_the_address_changes_and_both_are_told(
    admin, coordinator, manager, django_capture_on_commit_callbacks
):
    before = coordinator.email
    asked = services.email_change_request(user=coordinator, email="new-address@example.org", actor=admin)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.access_request_approve(access_request=asked, actor=manager)
    coordinator.refresh_from_db()
    assert coordinator.email == "new-address@example.org"
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {before, "new-address@example.org"}
    assert "tell your scheme manager" in mail.outbox[0].body
    assert coordinator.history.filter(email="new-address@example.org", history_user=manager).exists()


def test_an_administrators_own_address_needs_another_administrator(admin, admin2):
    asked = services.email_change_request(user=admin, email="me-elsewhere@example.org", actor=admin)
    assert asked.scheme is None
    with pytest.raises(services.NotAnApprover):
        services.access_request_approve(access_request=asked, actor=admin)
    services.access_request_approve(access_request=asked, actor=admin2)
    admin.refresh_from_db()
    assert admin.email == "me-elsewhere@example.org"


def test_a_new_invitation_with_no_role_can_be_corrected_at_once(admin):
    invited = UserFactory(username="newcomer", email="typo@exampel.org")
    invited.set_unusable_password()
    invited.save()
    response = _change_email(admin, invited, "newcomer@example.org")
    assert response.status_code == 302, response.content.decode()[:2000]
    invited.refresh_from_db()
    assert invited.email == "newcomer@example.org"
    assert not AccessRequest.objects.filter(kind=AccessRequest.Kind.EMAIL).exists()


def test_an_invitation_waiting_for_a_role_needs_approval(admin, sefton):
    invited = UserFactory(username="newcomer", email="newcomer@example.org")
    invited.set_unusable_password()
    invited.save()
    services.membership_request(user=invited, scheme=sefton, role=Role.COORDINATOR, actor=admin)
    assert services.email_change_needs_approval(user=invited)


@pytest.mark.parametrize("email", ["", "  ", "COORD@EXAMPLE.ORG"])
def test_a_blank_or_unchanged_address_is_refused_next_to_the_field(admin, coordinator, email):
    coordinator.email = "coord@example.org"
    coordinator.save()
    with pytest.raises(services.ValidationError) as error:
        services.email_change_request(user=coordinator, email=email, actor=admin)
    assert "email" in error.value.message_dict
    assert not AccessRequest.objects.filter(kind=AccessRequest.Kind.EMAIL).exists()


def test_a_second_change_while_one_waits_is_refused(admin, coordinator):
    services.email_change_request(user=coordinator, email="one@example.org", actor=admin)
    with pytest.raises(services.ValidationError):
        services.email_change_request(user=coordinator, email="two@example.org", actor=admin)
    assert AccessRequest.objects.filter(kind=AccessRequest.Kind.EMAIL).count() == 1


def test_a_member_of_a_scheme_cannot_be_given_an_address_by_another_schemes_manager(admin, coordinator, sefton):
    other_manager = _member(sefton, Role.MANAGER, "sefmanager", first_name="Sally", last_name="Seaforth")
    asked = services.email_change_request(user=coordinator, email="new@example.org", actor=admin)
    with pytest.raises(services.NotAnApprover):
        services.access_request_approve(access_request=asked, actor=other_manager)


class _FakeRequest:
    def build_absolute_uri(self, path: str) -> str:
        return "https://records.example.org" + path

    META: dict = {}
    user = None
