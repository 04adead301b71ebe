"""From a row's text to what the family-creation service takes, or the reasons it cannot be.

Every reason names the column and what to do, in words a scheme manager fixing a
spreadsheet understands ("31/02/2026 is not a date"). All of a row's problems are
reported together, so one round of fixing is enough.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _

from families.forms import clean_postcode
from families.models import Member, Referral

YES = {"yes", "y", "true", "t", "1"}
NO = {"no", "n", "false", "f", "0"}
DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
SOURCES = {
    "self": Referral.Source.SELF,
    "self referral": Referral.Source.SELF,
    "self-referral": Referral.Source.SELF,
    "family": Referral.Source.SELF,
    "health visitor": Referral.Source.HEALTH_VISITOR,
    "health_visitor": Referral.Source.HEALTH_VISITOR,
    "hv": Referral.Source.HEALTH_VISITOR,
    "social care": Referral.Source.SOCIAL_CARE,
    "social_care": Referral.Source.SOCIAL_CARE,
    "social services": Referral.Source.SOCIAL_CARE,
    "social worker": Referral.Source.SOCIAL_CARE,
    "children's services": Referral.Source.SOCIAL_CARE,
    "other agency": Referral.Source.OTHER_AGENCY,
    "other_agency": Referral.Source.OTHER_AGENCY,
}
NO_REASONS = "Not recorded in the scheme's earlier records."


class RowInvalid(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def parse_date(text: str) -> datetime.date:
    """dd/mm/yyyy or yyyy-mm-dd; ValueError naming the text otherwise."""
    text = text.strip()
    found = DMY.match(text)
    if found:
        day, month, year = (int(g) for g in found.groups())
    else:
        found = YMD.match(text[:10]) if len(text) == 10 or text[10:11] == " " else None
        if not found:
            raise ValueError(_("%(text)s is not a date (write dd/mm/yyyy or yyyy-mm-dd)") % {"text": text})
        year, month, day = (int(g) for g in found.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(_("%(text)s is not a date") % {"text": text}) from None


def parse_yes_no(text: str) -> bool | None:
    word = text.strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    return None


@dataclass
class FamilyRow:
    """One family as the family-creation service takes it."""

    external_id: str
    carer: dict[str, Any]
    address: str
    postcode: str
    phone: str
    referral: dict[str, Any]
    children: list[dict[str, Any]] = field(default_factory=list)

    @property
    def members(self) -> list[dict[str, Any]]:
        return [{"kind": Member.Kind.ADULT, **self.carer}] + [{"kind": Member.Kind.CHILD, **c} for c in self.children]


def _date(values: dict[str, str], name: str, label: str, errors: list[str], *, required: bool, today) -> Any:
    text = values.get(name, "")
    if not text:
        if required:
            errors.append(_("no %(what)s (%(column)s)") % {"what": label, "column": name})
        return None
    try:
        day = parse_date(text)
    except ValueError as error:
        errors.append(f"{name}: {error}")
        return None
    if day > today:
        errors.append(_("%(column)s: %(text)s is in the future") % {"column": name, "text": text})
    return day


def parse_children(text: str, errors: list[str], today: datetime.date) -> list[dict[str, Any]]:
    children = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        words = part.split()
        born = None
        if len(words) > 1:
            try:
                born = parse_date(words[-1])
                words = words[:-1]
            except ValueError:
                if re.search(r"\d", words[-1]):
                    errors.append(_("children: %(text)s is not a date (write Name dd/mm/yyyy)") % {"text": words[-1]})
                    continue
        if born and born > today:
            errors.append(_("children: %(date)s is in the future") % {"date": f"{born:%d/%m/%Y}"})
            continue
        if len(words) > 1 and len(" ".join(words[1:])) <= 100:
            first, last = words[0], " ".join(words[1:])
        else:
            first, last = " ".join(words), ""
        if len(first) > 100:
            errors.append(_("children: a name is longer than 100 characters"))
            continue
        children.append({"first_name": first, "last_name": last, "date_of_birth": born, "relationship": "child"})
    return children


def parse_family(values: dict[str, str], *, today: datetime.date | None = None) -> FamilyRow:
    today = today or timezone.localdate()
    errors: list[str] = []
    first, last = values.get("carer_first_name", ""), values.get("carer_last_name", "")
    if not last:
        errors.append(_("no surname (carer_last_name)"))
    if not first:
        errors.append(_("no first name (carer_first_name)"))
    for name, text in (("carer_first_name", first), ("carer_last_name", last)):
        if len(text) > 100:
            errors.append(_("%(column)s is longer than %(count)s characters") % {"column": name, "count": 100})
    consent = parse_yes_no(values.get("family_consented", ""))
    if consent is None:
        given = values.get("family_consented", "")
        errors.append(
            _("family_consented: '%(text)s' is not yes or no") % {"text": given}
            if given
            else _("no answer in family_consented (yes or no)")
        )
    elif consent is False:
        errors.append(_("no consent: the family did not consent to the referral, so no file is opened (§7.1)"))
    postcode = values.get("postcode", "")
    try:
        postcode = clean_postcode(postcode)
    except forms.ValidationError:
        errors.append(_("postcode not valid: %(postcode)s") % {"postcode": postcode})
    born = _date(values, "carer_date_of_birth", _("date of birth"), errors, required=False, today=today)
    referred_on = _date(values, "referral_date", _("referral date"), errors, required=True, today=today)
    phone = values.get("phone", "")
    if len(phone) > 32:
        errors.append(_("%(column)s is longer than %(count)s characters") % {"column": "phone", "count": 32})
    source_text = values.get("referral_source", "")
    source = SOURCES.get(source_text.lower(), Referral.Source.OTHER_AGENCY)
    organisation = "" if source_text.lower() in SOURCES else source_text
    for name, text in (("referrer_name", values.get("referrer_name", "")), ("referral_source", organisation)):
        if len(text) > 200:
            errors.append(_("%(column)s is longer than %(count)s characters") % {"column": name, "count": 200})
    children = parse_children(values.get("children", ""), errors, today)
    if errors:
        raise RowInvalid(errors)
    return FamilyRow(
        external_id=values.get("external_id", ""),
        carer={"first_name": first, "last_name": last, "date_of_birth": born, "relationship": "parent or carer"},
        address=values.get("address", ""),
        postcode=postcode,
        phone=phone,
        referral={
            "family_consented": True,
            "referred_on": referred_on,
            "source": source,
            "referrer_name": values.get("referrer_name", ""),
            "referrer_organisation": organisation,
            "reasons": values.get("reasons", "") or NO_REASONS,
        },
        children=children,
    )


@dataclass
class VolunteerRow:
    external_id: str
    first_name: str
    last_name: str
    email: str
    file: dict[str, Any]


def parse_volunteer(values: dict[str, str], *, today: datetime.date | None = None) -> VolunteerRow:
    today = today or timezone.localdate()
    errors: list[str] = []
    first, last, email = values.get("first_name", ""), values.get("last_name", ""), values.get("email", "").lower()
    if not first:
        errors.append(_("no first name (first_name)"))
    if not last:
        errors.append(_("no surname (last_name)"))
    if not email:
        errors.append(_("no e-mail address (email)"))
    else:
        try:
            forms.EmailField().clean(email)
        except forms.ValidationError:
            errors.append(_("email: %(text)s is not an e-mail address") % {"text": email})
    if len(first) > 150 or len(last) > 150:
        errors.append(_("a name is longer than 150 characters"))
    started = _date(values, "started_on", _("start date"), errors, required=True, today=today)
    dbs = _date(values, "dbs_checked_on", _("DBS date"), errors, required=False, today=today)
    if len(values.get("phone", "")) > 32:
        errors.append(_("%(column)s is longer than %(count)s characters") % {"column": "phone", "count": 32})
    if errors:
        raise RowInvalid(errors)
    return VolunteerRow(
        external_id=values.get("external_id", ""),
        first_name=first,
        last_name=last,
        email=email,
        file={
            "full_name": f"{first} {last}",
            "phone": values.get("phone", ""),
            "address": values.get("address", ""),
            "started_on": started,
            "dbs_checked_on": dbs,
            "training": values.get("training", ""),
        },
    )
