"""Two people changing the same volunteer file, personnel file or breach entry: the
second is told, nothing of theirs is saved and the first change stands (§8.2; OWASP ASVS 2.3.4)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from homestart.rules import Role
from records.breaches import services
from records.models import Breach
from tests.conftest import _member
from tests.helpers import conflict_at_top, version_in

pytestmark = pytest.mark.policy("8.2")


def _file_post(file, **changes) -> dict:
    fields = [
        "full_name",
        "phone",
        "address",
        "started_on",
        "left_on",
        "recruitment",
        "training",
        "induction",
        "dbs_checked_on",
        "job_title",
        "employment",
    ]
    data = {}
    for name in fields:
        if hasattr(file, name):
            value = getattr(file, name)
            data[name] = "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else value)
    return {**data, **changes}


@pytest.mark.policy("8.3")
def test_second_editor_of_a_volunteer_file_is_told_and_the_first_edit_stands(
    volunteer_file, coordinator, manager, client_for
):
    url = reverse("records:volunteer_file_edit", args=[volunteer_file.reference])
    first, second = client_for(coordinator), client_for(manager)
    v1, v2 = version_in(first.get(url).content.decode()), version_in(second.get(url).content.decode())
    history = volunteer_file.history.count()

    assert (
        first.post(url, _file_post(volunteer_file, training="Safeguarding refresher, 2025", version=v1)).status_code
        == 302
    )
    clash = second.post(url, _file_post(volunteer_file, training="Nothing new", version=v2))

    html = clash.content.decode()
    assert clash.status_code == 200 and conflict_at_top(html)
    assert "Safeguarding refresher, 2025" in html, "the form shows the first person's version"
    volunteer_file.refresh_from_db()
    assert volunteer_file.training == "Safeguarding refresher, 2025"
    assert volunteer_file.history.count() == history + 1
    latest = volunteer_file.history.latest("history_id")
    assert (latest.training, latest.history_user) == ("Safeguarding refresher, 2025", coordinator)
    # Working from the version now shown, the second person's change is saved.
    again = second.post(url, _file_post(volunteer_file, training="Nothing new", version=version_in(html)))
    assert again.status_code == 302
    volunteer_file.refresh_from_db()
    assert volunteer_file.training == "Nothing new"


@pytest.mark.policy("8.4")
def test_a_personnel_file_changed_in_another_tab_is_not_overwritten(personnel_file, manager, client_for):
    url = reverse("records:personnel_file_edit", args=[personnel_file.reference])
    tab1, tab2 = client_for(manager), client_for(manager)
    v1, v2 = version_in(tab1.get(url).content.decode()), version_in(tab2.get(url).content.decode())
    assert tab1.post(url, _file_post(personnel_file, job_title="Senior coordinator", version=v1)).status_code == 302
    clash = tab2.post(url, _file_post(personnel_file, employment="Rewritten", version=v2))
    assert conflict_at_top(clash.content.decode())
    personnel_file.refresh_from_db()
    assert personnel_file.job_title == "Senior coordinator"
    assert personnel_file.employment == "Annual appraisal: strong safeguarding practice"
    assert personnel_file.history.count() == 2


@pytest.mark.policy("3.9", "4.4")
def test_second_assessor_of_a_breach_is_told_and_the_first_decision_stands(wirral, coordinator, manager, client_for):
    deputy = _member(wirral, Role.MANAGER, "manager2")
    breach = services.breach_record(
        scheme=wirral,
        actor=coordinator,
        found_at=timezone.now() - datetime.timedelta(hours=2),
        found_by=coordinator,
        description="A visit sheet left on a bus",
        data_affected="Family reference only",
    )
    url = reverse("records:breach_detail", args=[breach.pk])
    first, second = client_for(manager), client_for(deputy)
    v1, v2 = version_in(first.get(url).content.decode()), version_in(second.get(url).content.decode())
    decided = {
        "risk": Breach.Risk.UNLIKELY,
        "ico_decision": Breach.IcoDecision.NOT_REPORTABLE,
        "ico_decision_reason": "Recovered unopened",
        "actions": "",
        "outcome": "",
    }
    assert first.post(url, {**decided, "version": v1}).status_code == 302
    clash = second.post(
        url,
        {
            **decided,
            "risk": Breach.Risk.HIGH,
            "ico_decision": Breach.IcoDecision.REPORT,
            "ico_decision_reason": "",
            "close": "on",
            "version": v2,
        },
    )

    assert clash.status_code == 200 and conflict_at_top(clash.content.decode())
    breach.refresh_from_db()
    assert (breach.risk, breach.ico_decision, breach.closed_at) == (Breach.Risk.UNLIKELY, "not_reportable", None)
    assert breach.ico_reported_at is None
    assert [h.history_user for h in breach.history.order_by("history_id")] == [coordinator, manager]
