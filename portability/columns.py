"""The columns an import file may have: one list, used by the reader, ``--template``,
the upload page, the export (which writes these same columns) and docs/import.md."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    meaning: StrOrPromise


FAMILY_COLUMNS: tuple[Column, ...] = (
    Column(
        "external_id",
        False,
        gettext_lazy(
            "The family's id in the system it comes from (e.g. a Charitylog or CiviCRM contact id). "
            "Importing again matches on it; it is kept only as a keyed hash."
        ),
    ),
    Column("carer_first_name", True, gettext_lazy("The parent or carer's first name.")),
    Column("carer_last_name", True, gettext_lazy("The parent or carer's surname: what a search by surname finds.")),
    Column("carer_date_of_birth", False, gettext_lazy("dd/mm/yyyy or yyyy-mm-dd.")),
    Column(
        "address", False, gettext_lazy("The address; it may hold line breaks (quoted, as spreadsheets write them).")
    ),
    Column("postcode", False, gettext_lazy("A UK postcode, any case and spacing (ch414ab becomes CH41 4AB).")),
    Column("phone", False, gettext_lazy("A phone number.")),
    Column("referral_date", True, gettext_lazy("When the referral was received: dd/mm/yyyy or yyyy-mm-dd.")),
    Column(
        "referral_source",
        False,
        gettext_lazy(
            "Self, health visitor, social care or other agency (the words or the codes self, health_visitor, "
            "social_care, other_agency). Anything else, or nothing, counts as another agency, and the words "
            "given are kept as the referrer's organisation."
        ),
    ),
    Column("referrer_name", False, gettext_lazy("Who referred the family.")),
    Column("reasons", False, gettext_lazy("The reasons for the referral.")),
    Column(
        "family_consented",
        True,
        gettext_lazy(
            "yes if the family consented to the referral (yes/no/y/n/true/false, any case). "
            "A row without the family's consent is refused (§7.1)."
        ),
    ),
    Column(
        "children",
        False,
        gettext_lazy("Each child as Name dd/mm/yyyy, separated by semicolons: Amy Jones 01/02/2023; Ben 2024-05-06."),
    ),
)

VOLUNTEER_COLUMNS: tuple[Column, ...] = (
    Column("external_id", False, gettext_lazy("The volunteer's id in the system it comes from.")),
    Column("first_name", True, gettext_lazy("First name.")),
    Column("last_name", True, gettext_lazy("Surname.")),
    Column(
        "email",
        True,
        gettext_lazy(
            "E-mail address: the volunteer's sign-in (a set-password link is sent from the admin). "
            "Importing again matches on it."
        ),
    ),
    Column("phone", False, gettext_lazy("A phone number.")),
    Column("address", False, gettext_lazy("The address (may hold line breaks).")),
    Column("started_on", True, gettext_lazy("When they started volunteering: dd/mm/yyyy or yyyy-mm-dd.")),
    Column("dbs_checked_on", False, gettext_lazy("Date of the enhanced DBS check.")),
    Column("training", False, gettext_lazy("Training completed.")),
)


def heading_row(columns: tuple[Column, ...]) -> str:
    return ",".join(column.name for column in columns)
