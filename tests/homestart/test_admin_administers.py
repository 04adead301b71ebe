"""Administrators administer (§7.6, §8.2): they do not set other people's passwords (a
set-password link is e-mailed instead, valid once and for a few hours), and every admin
page about a family goes through the gate — the contractor undertaking first, every
list and record opened logged for the purpose "administration"."""

from __future__ import annotations

import datetime
import re
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from access_log import services as access_services
from access_log.models import AccessEvent
from consent import services as consent_services
from consent.models import Consent, RecipientKind, Scope
from families.models import Member
from homestart.models import User
from homestart.rules import Action, FileKind, Outcome, Purpose, Role
from tests.conftest import _member

NEW_PASSWORD = "a long and quite unusual passphrase"


@pytest.fixture
def admin(db) -> User:
    user = _member(None, Role.ADMIN, "admin", is_staff=True, first_name="Ada", last_name="Admin")
    user.user_permissions.set(
        Permission.objects.filter(
            Q(content_type__app_label="homestart", codename__regex=r"^(add|change|view)_(user|membership)$")
            | Q(content_type__app_label="access_log", codename__startswith="view_")
        )
    )
    return user


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _send_link(admin, person):
    return _client(admin).post(
        reverse("admin:homestart_user_changelist"),
        {"action": "send_set_password_links", "_selected_action": [person.pk]},
    )


def _link() -> str:
    return re.search(r"http://testserver(/set-password/\S+)", mail.outbox[-1].body).group(1)


# --- passwords --------------------------------------------------------------------------------


@pytest.mark.policy("8.2")
def test_an_administrator_cannot_set_another_persons_password(admin, coordinator):
    client = _client(admin)
    page = reverse("admin:auth_user_password_change", args=[coordinator.pk])
    assert client.get(page).status_code == 403
    before = User.objects.get(pk=coordinator.pk).password
    response = client.post(page, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 403
    assert User.objects.get(pk=coordinator.pk).password == before
    change_page = client.get(reverse("admin:homestart_user_change", args=[coordinator.pk])).content.decode()
    assert "password/" not in change_page
    # Their own: the account page, which asks for the current password.
    assert client.get(reverse("admin:auth_user_password_change", args=[admin.pk]))["Location"] == reverse(
        "password_change"
    )


@pytest.mark.policy("8.2")
def test_a_set_password_link_works_once(admin, coordinator):
    assert _send_link(admin, coordinator).status_code == 302
    assert mail.outbox[-1].to == [coordinator.email]
    link = _link()
    anonymous = Client()
    form_page = anonymous.get(link, follow=True)
    assert "Choose your password" in form_page.content.decode()
    response = anonymous.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert User.objects.get(pk=coordinator.pk).check_password(NEW_PASSWORD)
    # Once: the same link no longer works.
    again = Client().get(link, follow=True).content.decode()
    assert "This link no longer works" in again


@pytest.mark.policy("8.2")
def test_a_set_password_link_lapses_after_a_few_hours(admin, coordinator, settings):
    _send_link(admin, coordinator)
    link = _link()
    later = datetime.datetime.now() + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with mock.patch("django.contrib.auth.tokens.PasswordResetTokenGenerator._now", return_value=later):
        page = Client().get(link, follow=True).content.decode()
    assert "This link no longer works" in page
    assert settings.PASSWORD_RESET_TIMEOUT <= 8 * 60 * 60


@pytest.mark.policy("8.2")
def test_a_new_person_gets_a_link_not_a_password_chosen_by_the_administrator(admin):
    response = _client(admin).post(
        reverse("admin:homestart_user_add"),
        {
            "username": "newbie",
            "first_name": "Nell",
            "last_name": "Newby",
            "email": "nell@homestart.invalid",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    newbie = User.objects.get(username="newbie")
    assert not newbie.has_usable_password()
    assert mail.outbox[-1].to == ["nell@homestart.invalid"]


# --- admin pages about a family -----------------------------------------------------------------


@pytest.fixture
def consent(family, coordinator):
    from access_log import gate

    access = gate.open_family(user=coordinator, reference=family.reference, section="consent", for_change=True)
    given_on = timezone.localdate()
    consent_services.statement_record(
        access=access,
        given_to=family.members.get(kind=Member.Kind.ADULT),
        given_on=given_on,
        verbally=True,
        in_writing=True,
        actor=coordinator,
    )
    return consent_services.consent_record(
        access=access,
        given_by=family.members.get(kind=Member.Kind.ADULT),
        scope=Scope.GENERAL,
        recipient_kind=RecipientKind.REFERRER,
        recipient_name="",
        method=Consent.Method.WRITTEN,
        given_on=given_on,
        review_on=given_on + datetime.timedelta(days=180),
        actor=coordinator,
    )


ADMIN_PAGES = ["families_family", "consent_consent", "consent_confidentialitystatement", "access_log_accessevent"]


@pytest.mark.policy("7.6")
@pytest.mark.parametrize("model", ADMIN_PAGES)
def test_admin_records_about_a_family_need_the_undertaking_first(model, admin, family, consent):
    client = _client(admin)
    response = client.get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 302 and response["Location"] == reverse("access_log:undertaking")
    assert "Sign the confidentiality undertaking" in client.get(response["Location"]).content.decode()


def _obj_id(model, family, consent):
    if model == "families_family":
        return family.pk
    if model == "consent_consent":
        return consent.pk
    if model == "consent_confidentialitystatement":
        return family.confidentiality_statements.first().pk
    return AccessEvent.objects.filter(file_kind=FileKind.FAMILY, file_id=family.pk).first().pk


@pytest.mark.policy("7.6")
@pytest.mark.parametrize("model", ADMIN_PAGES)
def test_each_opening_in_admin_is_an_access_event_for_administration(model, admin, family, consent):
    object_id = _obj_id(model, family, consent)
    client = _client(admin)
    change = reverse(f"admin:{model}_change", args=[object_id])
    assert client.get(change)["Location"] == reverse("access_log:undertaking")
    access_services.undertaking_sign(user=admin, signed_name="Ada Admin", organisation="IT", declared=True)

    last = AccessEvent.objects.order_by("-id").first().id
    assert client.get(change).status_code == 200
    event = AccessEvent.objects.filter(id__gt=last, user=admin).get()
    assert (event.file_id, event.action, event.purpose, event.outcome, event.role) == (
        family.pk,
        Action.VIEW,
        Purpose.ADMINISTRATION,
        Outcome.ALLOWED,
        Role.ADMIN,
    )

    last = AccessEvent.objects.order_by("-id").first().id
    assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200
    listed = AccessEvent.objects.filter(id__gt=last, user=admin)
    if model == "access_log_accessevent":
        assert not listed.exists()  # references only; reading the log does not log itself
    else:
        assert [(e.file_id, e.action, e.purpose) for e in listed] == [(family.pk, Action.LIST, Purpose.ADMINISTRATION)]


@pytest.mark.policy("7.6")
def test_admin_pages_every_model_with_a_family_go_through_the_gate():
    """Every ModelAdmin whose model holds a family is a FamilyRecordAdmin (or the Family's own)."""
    from django.contrib import admin as django_admin

    from access_log.admin import FamilyRecordAdmin
    from families.models import Family

    for model, model_admin in django_admin.site._registry.items():
        has_family = model is Family or any(getattr(f, "related_model", None) is Family for f in model._meta.fields)
        if has_family:
            assert isinstance(model_admin, FamilyRecordAdmin), model
