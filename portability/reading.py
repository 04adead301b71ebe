"""Reading an import file row by row, whatever wrote it.

CSV: UTF-8 with or without a byte-order mark, Windows, Unix or old Mac line endings,
quoted fields holding line breaks (as Excel, LibreOffice and Charitylog write them).
XLSX: the first sheet, streamed (openpyxl's read-only mode). Either way rows come one
at a time, so memory does not grow with the file. Headings are matched without regard
to case, spaces or order ("Carer First Name" is ``carer_first_name``).
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

from .columns import Column

XLSX_MAGIC = b"PK\x03\x04"


class FileRefused(Exception):
    """The file as a whole cannot be read (not CSV or XLSX, not UTF-8, headings missing)."""


@dataclass
class SourceRow:
    line: int  # where the row starts: the line in a CSV file, the row number in a sheet
    values: dict[str, str]  # by column name, trimmed
    raw: list[str]  # the cells as read, for the errors file


def normalise_heading(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(text or "").strip().lower())


def sniff_type(head: bytes, name: str = "") -> str:
    if head.startswith(XLSX_MAGIC) or name.lower().endswith(".xlsx"):
        return "xlsx"
    return "csv"


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


# Columns read from a spreadsheet row: the known columns and a margin of others. A sheet that
# declares itself 16,384 columns wide is read no wider than this.
MAX_COLUMNS = 100


class Table:
    """Headings and a stream of rows from an open binary file.

    ``max_rows``: the most rows (after the heading, blank ones included) the reader will
    read. One more and it stops with ``FileRefused`` instead of reading on: a small file that
    unpacks to millions of rows (an XLSX is a zip) costs no more than an honest one.
    """

    def __init__(
        self, stream: IO[bytes], columns: tuple[Column, ...], *, file_type: str, max_rows: int | None = None
    ) -> None:
        self.columns = columns
        self.file_type = file_type
        self.max_rows = max_rows
        self._rows = self._xlsx(stream) if file_type == "xlsx" else self._csv(stream)
        try:
            first = next(self._rows)
        except StopIteration:
            raise FileRefused(_("The file is empty: it needs a heading row and then one row per record.")) from None
        self.headings = [normalise_heading(h) for h in first[1]]
        self.raw_headings = [str(h or "") for h in first[1]]
        known = {c.name for c in columns}
        missing = [c.name for c in columns if c.required and c.name not in self.headings]
        if missing:
            raise FileRefused(
                _(
                    "The heading row lacks %(columns)s. The first row must name the columns "
                    "(any order, any case); see docs/import.md or the template."
                )
                % {"columns": ", ".join(missing)}
            )
        self.ignored = [h for h, n in zip(self.raw_headings, self.headings, strict=True) if n and n not in known]

    def _csv(self, stream: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        reader = csv.reader(text)
        start = 1
        try:
            for cells in reader:
                yield start, cells
                start = reader.line_num + 1
        except UnicodeDecodeError:
            raise FileRefused(
                _(
                    "The file is not UTF-8 text (near line %(line)s). In Excel choose Save As, "
                    "'CSV UTF-8 (Comma delimited)'; see docs/import.md."
                )
                % {"line": start}
            ) from None
        except csv.Error as error:
            raise FileRefused(
                _("Line %(line)s cannot be read as CSV (%(error)s).") % {"line": start, "error": error}
            ) from None
        finally:
            # Leave the caller's stream open (a wrapper closes what it wraps when collected);
            # if the caller closed it already there is nothing to leave open.
            with contextlib.suppress(ValueError):
                text.detach()

    def _xlsx(self, stream: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
        import zipfile

        from openpyxl import load_workbook

        try:
            book = load_workbook(stream, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
            raise FileRefused(
                _("The file is not a spreadsheet this can read (%(error)s).") % {"error": error}
            ) from None
        try:
            sheet = book.worksheets[0]
            for number, cells in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
                yield number, [_cell_text(c) for c in cells]
        finally:
            book.close()

    def __iter__(self) -> Iterator[SourceRow]:
        width = len(self.headings)
        for read, (line, cells) in enumerate(self._rows, start=1):
            if self.max_rows is not None and read > self.max_rows:
                raise FileRefused(
                    _(
                        "The file has more than %(limit)s rows; this page takes up to %(limit)s. "
                        "Split it, or use the import_families command (docs/import.md)."
                    )
                    % {"limit": f"{self.max_rows:,}"}
                )
            if not any(str(c).strip() for c in cells):
                continue  # a blank row
            padded = list(cells[:width]) + [""] * (width - len(cells))
            values = {}
            for name, cell in zip(self.headings, padded, strict=True):
                if name and name not in values:
                    values[name] = " ".join(str(cell).split()) if name != "address" else _tidy_address(cell)
            yield SourceRow(line=line, values=values, raw=list(cells))


def _tidy_address(value: str) -> str:
    lines = [" ".join(part.split()) for part in str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def open_table(stream: IO[bytes], columns: tuple[Column, ...], *, name: str = "", max_rows: int | None = None) -> Table:
    head = stream.read(4)
    stream.seek(0)
    return Table(stream, columns, file_type=sniff_type(head, name), max_rows=max_rows)


def count_rows(path: str) -> int | None:
    """Rows after the heading (blank ones included), for the progress bar: a quick pass over a
    CSV file, the sheet's recorded size for XLSX (None when it does not say)."""
    with open(path, "rb") as stream:
        if sniff_type(stream.read(4), path) == "xlsx":
            from openpyxl import load_workbook

            stream.seek(0)
            try:
                book = load_workbook(stream, read_only=True)
                rows = book.worksheets[0].max_row
                book.close()
            except Exception:  # noqa: BLE001 - only an estimate: the real read reports the problem
                return None
            return rows - 1 if rows else None
        stream.seek(0)
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
        try:
            return max(sum(1 for _ in csv.reader(text)) - 1, 0)
        except csv.Error:
            return None
