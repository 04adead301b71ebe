"""The concern form (issue 17.6, §2.1): what to do in immediate danger first, which child it
is about (or all the children), what was seen or heard, the date and, if known, the time.
A subject access response marks its safeguarding entries "review before release"."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from access_log import gate
from families.models import Member
from homestart.rules import Section
from records.subject_access.assemble import sar_assemble
from safeguarding import services
from safeguarding.models import Concern
from tests.conftest import CARER_LAST, CHILD_FIRST
from tests.factories import make_family
from tests.helpers import error_summary
from tests.records.test_subject_access import _family_sar

pytestmark = pytest.mark.policy("2.1")


def new_concern(family) -> str:
    return reverse("safeguarding:concern_new", kwargs={"reference": family.reference})


def child_of(family) -> Member:
    return family.members.get(kind=Member.Kind.CHILD)


def test_the_form_starts_with_what_to_do_if_a_child_is_in_immediate_danger(family, coordinator, client_for):
    html = client_for(coordinator).get(new_concern(family)).content.decode()
    assert "If a child is in immediate danger, call 999" in html
    assert html.index("call 999") < html.index('name="about"') < html.index('name="observed"')
    assert f">{CHILD_FIRST} {CARER_LAST}</label>" in html and ">All the children</label>" in html
    assert 'name="observed_on_day"' in html and 'name="observed_at"' in html
    assert "What did you see or hear?" in html


def test_a_concern_about_one_child_with_a_time(family, coordinator, client_for):
    client = client_for(coordinator)
    child = child_of(family)
    today = timezone.localdate()
    response = client.post(
        new_concern(family),
        {
            "about": str(child.pk),
            "category": "neglect",
            "observed": "Said he had not eaten since yesterday.",
            "observed_on_day": str(today.day),
            "observed_on_month": str(today.month),
            "observed_on_year": str(today.year),
            "observed_at": "2:30pm",
        },
    )
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.about_child == child and concern.observed_at == datetime.time(14, 30)
    page = client.get(
        reverse("safeguarding:concern", kwargs={"reference": family.reference, "concern_id": concern.pk})
    ).content.decode()
    assert f"{CHILD_FIRST} {CARER_LAST}" in page and "2:30" in page


def test_a_concern_about_all_the_children(family, coordinator, client_for):
    data = {"about": "all", "category": "neglect", "observed": "Seen", "observed_on": timezone.localdate().isoformat()}
    assert client_for(coordinator).post(new_concern(family), data).status_code == 302
    assert Concern.objects.get().about_child is None


def test_the_empty_concern_form_says_what_to_do_for_each_field(family, coordinator, client_for):
    data = {"about": "", "category": "", "observed": "", "observed_on_day": "", "observed_at": "half two"}
    html = client_for(coordinator).post(new_concern(family), data).content.decode()
    assert sorted(error_summary(html)) == sorted(
        [
            "Select the child the concern is about, or all the children",
            "Select what kind of concern it is",
            "Enter what you saw or heard",
            "Enter the date it was seen or heard",
            "Enter the time as hours and minutes, for example 9:30am or 14:30",
        ]
    )
    assert not Concern.objects.exists()


@pytest.mark.policy("2.1", "8.5")
def test_each_role_sees_the_child_as_its_view_of_the_file_allows(
    assigned_family, volunteer, safeguarding_lead, client_for
):
    by_volunteer = client_for(volunteer).get(new_concern(assigned_family)).content.decode()
    assert f">{CHILD_FIRST}</label>" in by_volunteer
    # The lead opens names only with a stated purpose (identifying details, §2.1): a child by age.
    by_lead = client_for(safeguarding_lead).get(new_concern(assigned_family)).content.decode()
    assert CHILD_FIRST not in by_lead and ">The child aged " in by_lead


def test_a_file_without_children_asks_nothing_about_which_child(wirral, coordinator, client_for):
    childless = make_family(wirral, coordinator)
    html = client_for(coordinator).get(new_concern(childless)).content.decode()
    assert 'name="about"' not in html
    data = {"category": "neglect", "observed": "Seen", "observed_on": timezone.localdate().isoformat()}
    assert client_for(coordinator).post(new_concern(childless), data).status_code == 302


def test_the_service_refuses_a_child_of_another_family(family, wirral, coordinator):
    other = make_family(wirral, coordinator)
    stranger = other.members.get()
    access = gate.open_family(
        user=coordinator, reference=family.reference, section=Section.SAFEGUARDING, for_change=True
    )
    with pytest.raises(ValidationError, match="this family's children"):
        services.concern_raise(
            access=access,
            actor=coordinator,
            category="neglect",
            observed="Seen",
            observed_on=timezone.localdate(),
            about_child=stranger,
        )


# --- subject access: safeguarding entries are reviewed before release -----------------


@pytest.mark.policy("1.6", "2.1", "8.7")
def test_a_subject_access_response_marks_safeguarding_entries_for_review(
    family, wirral, coordinator, manager, client_for
):
    data = {"about": "all", "category": "neglect", "observed": "Seen", "observed_on": timezone.localdate().isoformat()}
    assert client_for(coordinator).post(new_concern(family), data).status_code == 302
    sar = _family_sar(wirral, manager, family)
    package = sar_assemble(sar=sar, actor=manager)
    log = next(s for s in package.sections if s.title == "Who has opened the file (access log)")
    marked = [item for item in log.items if item.safeguarding_review]
    assert marked and all("(safeguarding)" in item.value for item in marked)
    assert not any(item.safeguarding_review for item in log.items if "(safeguarding)" not in item.value)
    assert package.safeguarding_count == len(marked)
    exported = json.loads(package.to_json())
    assert any(i["safeguarding_review"] for s in exported["sections"] for i in s["items"])
    page = client_for(manager).get(reverse("records:sar_document", args=[sar.pk])).content.decode()
    assert page.count("Safeguarding: review before release") == len(marked) + 1  # each entry, and the warning
