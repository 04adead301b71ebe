"""Bringing a scheme's families in from a spreadsheet (issue: import and export)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from access_log.models import AccessEvent
from families.models import Family, Member, Referral
from families.selectors import family_search
from homestart.rules import Action, Purpose
from portability.columns import FAMILY_COLUMNS
from portability.importing import families_import
from portability.models import ImportedRecord
from portability.reading import FileRefused, open_table
from tests.portability.helpers import HEADINGS, csv_bytes, family_row, xlsx_bytes


def run(scheme, actor, data: bytes, *, dry_run=False, name="families.csv"):
    return families_import(
        scheme=scheme, actor=actor, table=open_table(io.BytesIO(data), FAMILY_COLUMNS, name=name), dry_run=dry_run
    )


@pytest.mark.policy("7.1", "8.2", "8.6")
def test_each_row_becomes_a_family_through_the_one_service(wirral, manager):
    report = run(wirral, manager, csv_bytes([family_row(1), family_row(2)]))
    assert (report.added, report.refused, report.already_there) == (2, 0, 0)
    family = Family.objects.get(reference="WIR-0001")
    carer = family.members.get(kind=Member.Kind.ADULT)
    assert (carer.first_name, carer.last_name) == ("Carer1", "Zedwardson1")
    assert family.postcode == "CH41 1AB" and family.area == "CH41"
    assert family.address == "1 Imported Road\nWallasey"
    children = family.members.filter(kind=Member.Kind.CHILD)
    assert sorted(c.first_name for c in children) == ["Baby1", "Kid1"]
    referral = family.referrals.get()
    assert referral.family_consented and referral.source == Referral.Source.SELF
    assert family.history.first().history_change_reason.startswith("Brought in from the scheme's earlier records")
    event = AccessEvent.objects.get(file_reference="WIR-0001", action=Action.CREATE)
    assert event.purpose == Purpose.IMPORT and event.user == manager
    assert ImportedRecord.objects.filter(family=family).count() == 1


@pytest.mark.policy("8.6")
def test_references_continue_the_schemes_sequence(wirral, manager, family):
    run(wirral, manager, csv_bytes([family_row(1)]))
    assert Family.objects.filter(scheme=wirral).order_by("number").last().reference == "WIR-0002"


@pytest.mark.policy("7.1")
def test_a_row_without_consent_is_refused_and_named_by_line(wirral, manager):
    rows = [family_row(1), family_row(2, family_consented="no"), family_row(3, family_consented="")]
    report = run(wirral, manager, csv_bytes(rows))
    assert report.added == 1
    assert [(e.line, e.reason.split(":")[0]) for e in report.errors] == [
        (4, "no consent"),
        (6, "no answer in family_consented (yes or no)"),
    ]  # each row's address spans two lines


def test_bad_rows_name_their_line_and_reason_and_never_half_enter(wirral, manager):
    rows = [
        family_row(1, carer_last_name=""),
        family_row(2, postcode="NOT A CODE"),
        family_row(3, referral_date="31/02/2026"),
        family_row(4, children="Amy 32/01/2020"),
        family_row(5, carer_first_name="x" * 101),
        family_row(6),
    ]
    report = run(wirral, manager, csv_bytes(rows, newline="\n"))
    reasons = {e.line: e.reason for e in report.errors}
    assert "no surname" in reasons[2]
    assert "postcode not valid: NOT A CODE" in reasons[4]
    assert "31/02/2026 is not a date" in reasons[6]
    assert "32/01/2020 is not a date" in reasons[8]
    assert "longer than 100" in reasons[10]
    assert report.added == 1 and Family.objects.count() == 1 and Member.objects.count() == 3
    errors = report.errors_csv()
    assert errors.splitlines()[0].endswith("reason,line")
    assert "31/02/2026 is not a date" in errors


def test_headings_any_case_any_order_and_blank_rows_and_spaces(wirral, manager):
    headings = list(reversed([h.upper().replace("_", " ") for h in HEADINGS]))
    row = {h.upper().replace("_", " "): v for h, v in family_row(1).items()}
    row["CARER LAST NAME"] = "  Zedwardson1  "
    data = csv_bytes([row], headings=headings, bom=False)
    report = run(wirral, manager, data + b"\r\n,,,\r\n")
    assert report.added == 1 and not report.errors
    assert family_search(user=manager, term="Zedwardson1").count() == 1


def test_xlsx_with_dates_as_cells(wirral, manager):
    import datetime

    row = family_row(1, referral_date=datetime.date(2025, 2, 3))
    report = run(wirral, manager, xlsx_bytes([row]), name="families.xlsx")
    assert report.added == 1
    assert Family.objects.get().referrals.get().referred_on == datetime.date(2025, 2, 3)


def test_a_file_missing_required_headings_or_not_utf8_is_refused_whole(wirral, manager):
    with pytest.raises(FileRefused, match="carer_last_name"):
        run(wirral, manager, b"carer_first_name\r\nAmy\r\n")
    with pytest.raises(FileRefused, match="not UTF-8"):
        run(wirral, manager, csv_bytes([family_row(1, address="Caf\u00e9")]).replace(b"\xc3\xa9", b"\xe9"))


def test_importing_again_adds_nothing_and_says_how_many_were_there(wirral, manager):
    no_id = family_row(3, external_id="")
    data = csv_bytes([family_row(1), family_row(2), no_id])
    first = run(wirral, manager, data)
    again = run(wirral, manager, data)
    assert (first.added, again.added, again.already_there) == (3, 0, 3)
    assert Family.objects.count() == 3


def test_the_same_person_twice_in_one_file_is_added_once(wirral, manager):
    report = run(wirral, manager, csv_bytes([family_row(1), family_row(1), family_row(2, external_id="")] * 1))
    assert (report.added, report.already_there) == (2, 1)


def test_matching_is_within_the_scheme(wirral, sefton, manager, sef_coordinator):
    data = csv_bytes([family_row(1)])
    run(wirral, manager, data)
    assert run(sefton, sef_coordinator, data).added == 1


@pytest.mark.policy("8.3")
def test_only_the_schemes_staff_import(wirral, volunteer, trustee, sef_coordinator):
    from homestart.errors import AccessRefused

    for person in (volunteer, trustee, sef_coordinator):
        with pytest.raises(AccessRefused):
            run(wirral, person, csv_bytes([family_row(1)]))
    assert Family.objects.count() == 0


def test_command_dry_run_template_and_errors_file(wirral, manager, tmp_path):
    out = io.StringIO()
    call_command("import_families", "--template", stdout=out)
    assert out.getvalue().strip() == ",".join(HEADINGS)
    source = tmp_path / "families.csv"
    source.write_bytes(csv_bytes([family_row(1), family_row(2, postcode="ZZZ")]))
    out = io.StringIO()
    call_command(
        "import_families",
        str(source),
        "--scheme",
        "wir",
        "--as",
        "manager",
        "--dry-run",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "Dry run: nothing was written." in out.getvalue()
    assert "1 would be added" in out.getvalue() and "line 4: postcode not valid: ZZZ" in out.getvalue()
    assert Family.objects.count() == 0
    out = io.StringIO()
    call_command("import_families", str(source), "--scheme", "WIR", "--as", "manager", stdout=out, stderr=io.StringIO())
    assert "1 added" in out.getvalue()
    errors = (tmp_path / "families.errors.csv").read_text(encoding="utf-8-sig")
    assert "Carer2" in errors and "postcode not valid" in errors and "Carer1" not in errors
    with pytest.raises(CommandError, match="No scheme"):
        call_command("import_families", str(source), "--scheme", "XXX", "--as", "manager")
