"""The columns an import file may have: one list, used by the reader, ``--template``,
the upload page, the export (which writes these same columns) and docs/import.md."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    meaning: str


FAMILY_COLUMNS: tuple[Column, ...] = (
    Column(
        "external_id",
        False,
        "The family's id in the system it comes from (e.g. a Charitylog or CiviCRM contact id). "
        "Importing again matches on it; it is kept only as a keyed hash.",
    ),
    Column("carer_first_name", True, "The parent or carer's first name."),
    Column("carer_last_name", True, "The parent or carer's surname: what a search by surname finds."),
    Column("carer_date_of_birth", False, "dd/mm/yyyy or yyyy-mm-dd."),
    Column("address", False, "The address; it may hold line breaks (quoted, as spreadsheets write them)."),
    Column("postcode", False, "A UK postcode, any case and spacing (ch414ab becomes CH41 4AB)."),
    Column("phone", False, "A phone number."),
    Column("referral_date", True, "When the referral was received: dd/mm/yyyy or yyyy-mm-dd."),
    Column(
        "referral_source",
        False,
        "Self, health visitor, social care or other agency (the words or the codes self, health_visitor, "
        "social_care, other_agency). Anything else, or nothing, counts as another agency, and the words "
        "given are kept as the referrer's organisation.",
    ),
    Column("referrer_name", False, "Who referred the family."),
    Column("reasons", False, "The reasons for the referral."),
    Column(
        "family_consented",
        True,
        "yes if the family consented to the referral (yes/no/y/n/true/false, any case). "
        "A row without the family's consent is refused (§7.1).",
    ),
    Column(
        "children",
        False,
        "Each child as Name dd/mm/yyyy, separated by semicolons: Amy Jones 01/02/2023; Ben 2024-05-06.",
    ),
)

VOLUNTEER_COLUMNS: tuple[Column, ...] = (
    Column("external_id", False, "The volunteer's id in the system it comes from."),
    Column("first_name", True, "First name."),
    Column("last_name", True, "Surname."),
    Column(
        "email",
        True,
        "E-mail address: the volunteer's sign-in (a set-password link is sent from the admin). "
        "Importing again matches on it.",
    ),
    Column("phone", False, "A phone number."),
    Column("address", False, "The address (may hold line breaks)."),
    Column("started_on", True, "When they started volunteering: dd/mm/yyyy or yyyy-mm-dd."),
    Column("dbs_checked_on", False, "Date of the enhanced DBS check."),
    Column("training", False, "Training completed."),
)


def heading_row(columns: tuple[Column, ...]) -> str:
    return ",".join(column.name for column in columns)
