"""Import files for the tests: rows a spreadsheet would hold, written as CSV or XLSX."""

from __future__ import annotations

import csv
import io

from portability.columns import FAMILY_COLUMNS

HEADINGS = [c.name for c in FAMILY_COLUMNS]


def family_row(n: int, **changes: str) -> dict[str, str]:
    row = {
        "external_id": f"CL-{n:05d}",
        "carer_first_name": f"Carer{n}",
        "carer_last_name": f"Zedwardson{n}",
        "carer_date_of_birth": f"{1 + n % 28:02d}/{1 + n % 12:02d}/19{80 + n % 19}",
        "address": f"{n} Imported Road\nWallasey",
        "postcode": f"ch4{n % 10} {n % 9}ab",
        "phone": f"07700 9{n:05d}",
        "referral_date": "2025-03-0" + str(1 + n % 9),
        "referral_source": ["Health visitor", "self", "Social care", "Sure Start centre"][n % 4],
        "referrer_name": f"Referrer {n}",
        "reasons": f"Reason {n}",
        "family_consented": ["yes", "Y", "TRUE", "Yes"][n % 4],
        "children": f"Kid{n} 03/04/2023; Baby{n} Zedwardson{n} 2024-06-07",
    }
    row.update(changes)
    return row


def csv_bytes(
    rows: list[dict[str, str]], *, headings: list[str] | None = None, bom: bool = True, newline: str = "\r\n"
) -> bytes:
    headings = headings or HEADINGS
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(headings)
    for row in rows:
        writer.writerow([row.get(h, row.get(h.lower().replace(" ", "_"), "")) for h in headings])
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode()


def xlsx_bytes(rows: list[dict[str, str]], *, headings: list[str] | None = None) -> bytes:
    from openpyxl import Workbook

    headings = headings or HEADINGS
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(headings)
    for row in rows:
        sheet.append([row.get(h, "") for h in headings])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
