"""Bringing a scheme's volunteers in: an account (no password), the volunteer role, a file (§8.3)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from access_log.models import AccessEvent
from families.models import Family
from homestart import services
from homestart.models import AccessRequest, Membership, User
from homestart.rules import Action, Role
from portability.columns import VOLUNTEER_COLUMNS
from records.models import VolunteerFile

HEADINGS = [c.name for c in VOLUNTEER_COLUMNS]


def volunteers_csv(tmp_path, rows):
    path = tmp_path / "volunteers.csv"
    lines = [",".join(HEADINGS)] + [",".join(r) for r in rows]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
    return str(path)


ROWS = [
    [
        "V1",
        "Mabel",
        "Ormerod",
        "mabel@example.org",
        "0151 000 0001",
        '"1 Lane\nBebington"',
        "01/09/2019",
        "2024-02-03",
        "Induction 2019",
    ],
    ["V2", "Ned", "Pilling", "NED@example.org", "", "", "2021-05-06", "", ""],
    ["V3", "", "Nobody", "not-an-address", "", "", "31/02/2020", "", ""],
]


@pytest.mark.policy("8.3")
def test_volunteers_come_in_with_an_account_the_role_and_a_file(wirral, manager, trustee, tmp_path):
    path = volunteers_csv(tmp_path, ROWS)
    out = io.StringIO()
    call_command(
        "import_volunteers", path, "--scheme", "WIR", "--as", "manager", "--dry-run", stdout=out, stderr=io.StringIO()
    )
    assert "2 would be added" in out.getvalue() and VolunteerFile.objects.count() == 0
    out = io.StringIO()
    call_command("import_volunteers", path, "--scheme", "WIR", "--as", "manager", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "2 added" in text and "1 refused" in text
    assert "line 5: no first name (first_name)" in text and "not-an-address is not an e-mail address" in text
    assert "31/02/2020 is not a date" in text
    mabel = User.objects.get(email="mabel@example.org")
    assert not mabel.has_usable_password() and mabel.display_name == "Mabel Ormerod"
    # No one acts alone on access (§8.3): the role waits for a second person's approval.
    assert not Membership.objects.current().filter(user=mabel, scheme=wirral, role=Role.VOLUNTEER).exists()
    asked = AccessRequest.objects.pending().get(user=mabel, role=Role.VOLUNTEER, scheme=wirral)
    assert asked.requested_by == manager
    with pytest.raises(services.NotAnApprover):
        services.access_request_approve(access_request=asked, actor=manager)
    services.access_request_approve(access_request=asked, actor=trustee)
    assert Membership.objects.current().filter(user=mabel, scheme=wirral, role=Role.VOLUNTEER).exists()
    file = VolunteerFile.objects.get(person=mabel)
    assert file.address == "1 Lane\nBebington" and str(file.dbs_checked_on) == "2024-02-03"
    assert AccessEvent.objects.filter(file_reference=file.reference, action=Action.CREATE).exists()
    assert User.objects.filter(email="ned@example.org").exists()
    assert Family.objects.count() == 0  # a volunteer opens no family until assigned (§8.5)
    out = io.StringIO()
    call_command("import_volunteers", path, "--scheme", "WIR", "--as", "manager", stdout=out, stderr=io.StringIO())
    assert "0 added, 2 already there" in out.getvalue()
    assert VolunteerFile.objects.count() == 2


def test_template_lists_the_volunteer_columns():
    out = io.StringIO()
    call_command("import_volunteers", "--template", stdout=out)
    assert out.getvalue().strip() == ",".join(HEADINGS)
