"""People by name (issue 15.5): every page names a person by full name and role, through one
filter (``{{ someone|person }}``, ``User.name_and_role``); usernames appear only where one signs in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse

from homestart.models import User

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Where one signs in, or sees the account one signs in with: the only places a sign-in name belongs.
SIGN_IN_PAGES = {
    "homestart/login.html",
    "homestart/account.html",
    "homestart/reauthenticate.html",
    "homestart/two_factor_setup.html",
    "homestart/two_factor_verify.html",
    "homestart/password_set.html",
    "homestart/password_change.html",
    "homestart/locked_out.html",
}
USERNAME = re.compile(r"\.username\b|get_username|\{\{\s*(user|request\.user)\s*\}\}|get_full_name\|default")


def test_no_template_shows_a_username_outside_the_sign_in_pages() -> None:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")) + sorted(TEMPLATES.rglob("*.txt")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name in SIGN_IN_PAGES:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if USERNAME.search(line.replace("per_username", "")):
                found.append(f"{name}:{number}: {line.strip()[:120]}")
    assert not found, "Name people with {{ someone|person }}, never by username:\n" + "\n".join(found)


@pytest.mark.django_db
def test_a_person_is_named_by_full_name_and_role(coordinator, volunteer, outsider) -> None:
    coordinator.first_name, coordinator.last_name = "Ann", "Quist"
    coordinator.save()
    outsider.first_name, outsider.last_name = "Bo", "Ruddle"
    outsider.save()
    rendered = Template("{{ a|person }}; {{ b|person }}; {{ c|person }}; {{ d|person:'System' }}").render(
        Context({"a": coordinator, "b": outsider, "c": volunteer, "d": None})
    )
    assert rendered.startswith("Ann Quist (coordinator); Bo Ruddle; ")
    assert rendered.endswith(f"{volunteer.display_name} (volunteer); System")
    assert str(coordinator) == "Ann Quist"


@pytest.mark.django_db
def test_the_family_file_names_who_visited_by_name_and_role(client_for, coordinator, assigned_family) -> None:
    coordinator.first_name, coordinator.last_name = "Ann", "Quist"
    coordinator.save()
    page = client_for(coordinator).get(reverse("families:detail", kwargs={"reference": assigned_family.reference}))
    text = page.content.decode()
    assert f"{coordinator.display_name} (coordinator)" in text
    assert f">{coordinator.username}<" not in text and "Ann Quist" in text


@pytest.mark.django_db
def test_an_account_without_a_name_is_shown_by_its_sign_in_name_only_as_a_last_resort(wirral) -> None:
    nameless = User.objects.create(username="nameless")
    assert nameless.name_and_role == "nameless"
