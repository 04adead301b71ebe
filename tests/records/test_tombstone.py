"""After a family is destroyed through the product's own process, every page keeps working (§8.8)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from access_log.models import FileKind
from families.models import Family
from homestart.models import User
from records import selectors
from records import services as records_services
from records.models import Destruction

pytestmark = pytest.mark.policy("8.8")


def destroy_the_demo_family_past_retention():
    call_command("seed_demo", "--allow-production", stdout=io.StringIO())
    manager, trustee = User.objects.get(username="manager"), User.objects.get(username="trustee")
    due = selectors.due_for_destruction(user=manager)[0]
    family = Family.objects.get(pk=due.file_id)
    destruction = records_services.destruction_propose(kind=FileKind.FAMILY, obj=family, actor=manager)
    records_services.destruction_authorise(destruction=destruction, actor=manager)
    records_services.destruction_authorise(destruction=destruction, actor=trustee)
    call_command("run_retention", "--as", "manager", stdout=io.StringIO())
    assert Destruction.objects.get(pk=destruction.pk).status == Destruction.Status.DONE
    return family


def signed_in(username: str) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=username))
    return client


def test_repro(db):
    family = destroy_the_demo_family_past_retention()
    for username in ("coordinator", "manager"):
        client = signed_in(username)
        for url in (reverse("families:dashboard"), reverse("families:detail", kwargs={"reference": family.reference}),
                    reverse("families:history", kwargs={"reference": family.reference})):
            print(username, url, client.get(url).status_code)
