"""The scheme manager's import page (upload, preview, confirm) and export (an age archive
after confirming it is them, recorded as a disclosure); the round trip restores every family."""

from __future__ import annotations

import io
import re
import time
import zipfile

import pyrage
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from access_log.models import AccessEvent
from families.models import Family, Member
from families.selectors import family_search
from homestart import keystore
from homestart.crypto import KeyUnavailable
from homestart.rules import Action, Purpose, Role
from homestart.security import SESSION_REAUTH
from portability import exporting
from portability.columns import FAMILY_COLUMNS
from portability.importing import families_import
from portability.models import PendingImport, SchemeExport
from portability.reading import MAX_COLUMNS, FileRefused, open_table
from tests.helpers import error_summary, main_content
from tests.portability.helpers import csv_bytes, family_row

PASSPHRASE = "correct horse battery staple"


def _token(html: str) -> str:
    return re.search(r'name="form_once" value="([^"]+)"', html).group(1)


def _upload(client, data: bytes, name: str = "families.csv"):
    page = client.get(reverse("portability:upload")).content.decode()
    return client.post(
        reverse("portability:upload"), {"file": SimpleUploadedFile(name, data), "form_once": _token(page)}
    )


@pytest.mark.policy("7.1", "8.2")
def test_upload_preview_confirm_and_confirming_twice_imports_once(client_for, manager, wirral, tmp_path):
    client = client_for(manager)
    rows = [family_row(n) for n in range(1, 13)] + [family_row(13, family_consented="no")]
    response = _upload(client, csv_bytes(rows))
    pending = PendingImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("portability:preview", args=[pending.pk])
    assert Family.objects.count() == 0  # nothing yet
    page = main_content(client.get(response["Location"]).content.decode())
    assert "Families to add" in page and ">12<" in page and "Carer1 Zedwardson1" in page
    assert "Carer11 " not in page  # the first ten families only
    assert "no consent" in page and ">26<" in page  # the refused row by its line
    assert b"Carer1" not in bytes(pending.sealed)  # sealed while it waits
    refused = client.get(reverse("portability:errors_file", args=[pending.pk])).content.decode("utf-8-sig")
    assert "Carer13" in refused and "no consent" in refused and "Carer1," not in refused
    token = _token(page)
    confirm = reverse("portability:confirm", args=[pending.pk])
    first = client.post(confirm, {"form_once": token})
    second = client.post(confirm, {"form_once": token})
    third = client.post(confirm, {"form_once": _token(page)[:-2] + "xx"})  # a fresh token: still once
    assert first.status_code == second.status_code == third.status_code == 302
    assert Family.objects.count() == 12
    pending.refresh_from_db()
    assert (pending.status, pending.added, pending.refused) == (PendingImport.Status.IMPORTED, 12, 1)
    pending.data_key.refresh_from_db()
    with pytest.raises(KeyUnavailable):
        pending.data_key.plaintext_key()  # the upload can no longer be read anywhere (§8.8)
    result = main_content(client.get(reverse("portability:preview", args=[pending.pk])).content.decode())
    assert "Families imported" in result and "Families added" in result


def test_the_upload_never_touches_disk_in_plaintext(client_for, manager, settings, tmp_path, monkeypatch):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # Django would spill anything bigger to a temporary file
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    _upload(client_for(manager), csv_bytes([family_row(n) for n in range(1, 30)]))
    assert PendingImport.objects.count() == 1
    assert list(tmp_path.iterdir()) == []
    assert all(b"Zedwardson" not in p.read_bytes() for _, _, p in keystore.entries())


def test_a_bad_file_is_an_error_next_to_the_field_and_nothing_is_kept(client_for, manager):
    client = client_for(manager)
    response = _upload(client, b"name,age\r\nAmy,3\r\n")
    assert response.status_code == 200
    assert any("heading row lacks" in e and "carer_last_name" in e for e in error_summary(response.content.decode()))
    response = _upload(client, b"\x00\x01", name="families.pdf")
    assert "Choose a CSV file" in " ".join(error_summary(response.content.decode()))
    assert PendingImport.objects.count() == 0


def test_a_file_past_the_pages_row_limit_is_refused_next_to_the_field(client_for, manager):
    """More than 3,000 rows: the page says so by the field, keeps nothing and opens no file."""
    client = client_for(manager)
    families_before = Family.objects.count()
    rows = [family_row(n) for n in range(3001)]
    response = _upload(client, csv_bytes(rows))
    assert response.status_code == 200
    assert any("more than 3,000 rows" in e for e in error_summary(response.content.decode()))
    assert PendingImport.objects.count() == 0
    assert Family.objects.count() == families_before


def test_the_reader_stops_at_its_row_limit_instead_of_reading_on():
    """A small file can unpack to millions of rows (an XLSX is a zip): the reader refuses at
    the limit, having read only as far as it, so a bomb costs no more than an honest file."""
    heading = ",".join(c.name for c in FAMILY_COLUMNS).encode()
    stream = io.BytesIO(heading + b"\r\n" + b"a,b,c\r\n" * 500_000)
    table = open_table(stream, FAMILY_COLUMNS, name="big.csv", max_rows=100)
    with pytest.raises(FileRefused, match="more than 100 rows"):
        for _row in table:
            pass
    assert stream.tell() < len(stream.getvalue()) // 100


def test_a_spreadsheet_is_read_no_wider_than_the_column_limit():
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append([c.name for c in FAMILY_COLUMNS])
    sheet.append(list(family_row(1).values()))
    sheet.cell(row=2, column=16_000, value="far away")
    content = io.BytesIO()
    book.save(content)
    content.seek(0)
    rows = list(open_table(content, FAMILY_COLUMNS, name="wide.xlsx"))
    assert len(rows) == 1
    assert len(rows[0].raw) <= MAX_COLUMNS
    assert rows[0].values["carer_last_name"] == "Zedwardson1"


def test_abandoning_an_upload_destroys_it(client_for, manager):
    client = client_for(manager)
    _upload(client, csv_bytes([family_row(1)]))
    pending = PendingImport.objects.get()
    client.post(reverse("portability:abandon", args=[pending.pk]))
    pending.refresh_from_db()
    assert pending.status == PendingImport.Status.ABANDONED and Family.objects.count() == 0
    assert client.get(reverse("portability:errors_file", args=[pending.pk])).status_code == 404


@pytest.mark.policy("8.3")
def test_another_managers_upload_is_not_found(client_for, manager, wirral, sefton):
    from tests.conftest import _member

    _upload(client_for(manager), csv_bytes([family_row(1)]))
    pending = PendingImport.objects.get()
    other = _member(sefton, Role.MANAGER, "sefmanager")
    assert client_for(other).get(reverse("portability:preview", args=[pending.pk])).status_code == 404
    assert client_for(other).post(reverse("portability:confirm", args=[pending.pk])).status_code == 404
    assert Family.objects.count() == 0


# --- the export ------------------------------------------------------------------------


def _archive(sealed: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(pyrage.passphrase.decrypt(sealed, PASSPHRASE)))


@pytest.mark.policy("8.3")
def test_export_asks_to_confirm_it_is_them_after_five_minutes(client_for, manager, family):
    client = client_for(manager)
    session = client.session
    session[SESSION_REAUTH] = time.time() - 3600
    session.save()
    response = client.post(reverse("portability:export"), {"passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE})
    assert response.status_code == 302 and response["Location"].startswith(reverse("reauthenticate"))
    assert SchemeExport.objects.count() == 0


def test_export_form_refuses_a_short_or_mismatched_passphrase(client_for, manager):
    client = client_for(manager)
    short = client.post(reverse("portability:export"), {"passphrase": "short", "passphrase_again": "short"})
    assert "at least 16 characters" in " ".join(error_summary(short.content.decode()))
    other = client.post(reverse("portability:export"), {"passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE + "!"})
    assert "not the same" in " ".join(error_summary(other.content.decode()))
    assert SchemeExport.objects.count() == 0


@pytest.mark.policy("8.2", "8.3")
def test_export_is_an_age_archive_recorded_as_a_disclosure(client_for, manager, family, volunteer_file):
    response = client_for(manager).post(
        reverse("portability:export"), {"passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE}
    )
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.zip.age"')
    sealed = response.content
    assert sealed.startswith(b"age-encryption.org/v1\n") and b"Quenby" not in sealed
    archive = _archive(sealed)
    assert {"README.txt", "families.csv", "families.json", "volunteers.csv", "registers/disclosures.csv"} <= set(
        archive.namelist()
    )
    families = archive.read("families.csv").decode("utf-8-sig")
    assert "Rosalind,Quenby,23/07/1991" in families and family.reference in families
    assert "Peregrine" in archive.read("families.json").decode()
    assert "Ottoline" in archive.read("volunteers.csv").decode("utf-8-sig")
    export = SchemeExport.objects.get()
    assert export.exported_by == manager and export.families == 1 and len(export.sha256) == 64
    events = AccessEvent.objects.filter(action=Action.EXPORT, purpose=Purpose.EXPORT, user=manager)
    assert {e.file_reference for e in events} == {family.reference, volunteer_file.reference}


def test_export_to_an_age_public_key(manager, wirral, family):
    identity = pyrage.x25519.Identity.generate()
    sealed = exporting.scheme_export(scheme=wirral, actor=manager, recipient=str(identity.to_public()))
    archive = zipfile.ZipFile(io.BytesIO(pyrage.decrypt(sealed, [identity])))
    assert "Quenby" in archive.read("families.csv").decode("utf-8-sig")


@pytest.mark.policy("8.3")
def test_only_the_manager_exports(wirral, coordinator, trustee):
    from homestart.errors import AccessRefused

    for person in (coordinator, trustee):
        with pytest.raises(AccessRefused):
            exporting.scheme_export(scheme=wirral, actor=person, passphrase=PASSPHRASE)


@pytest.mark.policy("7.1", "9.2")
def test_round_trip_export_then_import_into_another_scheme_restores_every_family(
    wirral, sefton, manager, sef_coordinator, family
):
    rows = [family_row(n) for n in range(1, 8)] + [family_row(8, external_id="", children="")]
    families_import(scheme=wirral, actor=manager, table=open_table(io.BytesIO(csv_bytes(rows)), FAMILY_COLUMNS))
    originals = list(Family.objects.filter(scheme=wirral).order_by("number"))
    assert len(originals) == 9
    archive = _archive(exporting.scheme_export(scheme=wirral, actor=manager, passphrase=PASSPHRASE))
    data = archive.read("families.csv")
    report = families_import(scheme=sefton, actor=sef_coordinator, table=open_table(io.BytesIO(data), FAMILY_COLUMNS))
    assert (report.added, report.refused) == (9, 0), report.errors

    def essence(family):
        members = sorted(
            (m.kind, m.first_name, m.last_name, m.date_of_birth) for m in family.members.all().select_related("family")
        )
        referral = family.referrals.first()
        return (family.address, family.postcode, family.phone, tuple(members), referral.referred_on, referral.reasons)

    restored = list(Family.objects.filter(scheme=sefton).order_by("number"))
    assert [essence(f) for f in restored] == [essence(f) for f in originals]
    assert all(
        family_search(user=sef_coordinator, term=m.last_name).exists()
        for m in Member.objects.filter(family__scheme=sefton, kind="adult")
    )
    again = families_import(scheme=sefton, actor=sef_coordinator, table=open_table(io.BytesIO(data), FAMILY_COLUMNS))
    assert (again.added, again.already_there) == (0, 9)
