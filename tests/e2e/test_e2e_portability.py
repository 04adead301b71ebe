"""Browser journey: the scheme manager brings families in from a spreadsheet (upload, preview,
confirm) and takes the scheme's records out (an age archive after confirming it is them).
Every page is checked with axe-core (§7.1, §8.2, §8.3)."""

from __future__ import annotations

import io
import zipfile

import pyrage
import pytest
from playwright.sync_api import expect

from families.models import Family
from portability.models import SchemeExport
from tests.e2e.menu import menu_link
from tests.portability.helpers import csv_bytes, family_row

PASSPHRASE = "orange marmalade under the stairs"


@pytest.mark.e2e
@pytest.mark.policy("7.1", "8.2", "8.3")
def test_manager_imports_a_spreadsheet_and_exports_the_scheme(page, sign_in, axe_check, tmp_path):
    before = Family.objects.filter(scheme__code="WIR").count()
    rows = [family_row(n) for n in range(1, 5)] + [family_row(5, family_consented="no")]
    source = tmp_path / "families.csv"
    source.write_bytes(csv_bytes(rows))

    sign_in(page, "manager")
    axe_check(page)
    menu_link(page, "Import and export").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import and export")
    axe_check(page)
    page.get_by_role("link", name="Upload a file of families").click()
    axe_check(page)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose the file to upload.")
    axe_check(page)
    page.get_by_label("File of families").set_input_files(str(source))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check before importing")
    expect(page.get_by_text("Carer1 Zedwardson1")).to_be_visible()
    expect(page.get_by_role("cell", name="no consent", exact=False)).to_be_visible()
    axe_check(page)
    assert Family.objects.filter(scheme__code="WIR").count() == before
    page.get_by_role("button", name="Import 4 families").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Families imported")
    axe_check(page)
    assert Family.objects.filter(scheme__code="WIR").count() == before + 4

    page.get_by_role("link", name="Back").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import and export")
    axe_check(page)
    page.get_by_role("link", name="Export the scheme's records").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export the scheme's records")
    axe_check(page)
    page.get_by_label("Passphrase for the archive").fill(PASSPHRASE)
    page.get_by_label("The passphrase again").fill(PASSPHRASE)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the encrypted archive").click()
    sealed = download.value.path().read_bytes()
    archive = zipfile.ZipFile(io.BytesIO(pyrage.passphrase.decrypt(sealed, PASSPHRASE)))
    assert "Zedwardson1" in archive.read("families.csv").decode("utf-8-sig")
    assert SchemeExport.objects.filter(exported_by__username="manager").count() == 1
    page.goto("/scheme/records/")
    from demo.management.commands.seed_demo import DEMO_NAMES

    # The export is in the register, naming the manager by name (never the username).
    expect(page.get_by_role("cell", name=" ".join(DEMO_NAMES["manager"]))).to_be_visible()
    axe_check(page)
