"""Finding identifiers in a text meant to be anonymous (§3.3, §3.5, §7.5).

A case study or a consultation summary is checked against every family and
person of the scheme: names, children's names, dates of birth, addresses and
postcodes, references, referrers' and volunteers' names and phone numbers,
decrypted here in the service and never shown; plus patterns that catch any
UK postcode, phone number, date or family reference, known or not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from families.models import Family, Member, Referral
from homestart.models import Membership, Scheme, User


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    kind: str
    text: str


MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    "oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
PATTERNS = [
    ("postcode", re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}\b", re.IGNORECASE)),
    ("phone number", re.compile(r"(?<![\w])(?:\+44\s?|0)(?:\d[\s-]?){9,10}(?!\w)")),
    ("date", re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b")),
    ("date", re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTHS})\s+\d{{4}}\b", re.IGNORECASE)),
    ("reference", re.compile(r"\b[A-Z]{2,5}-\d{4,}\b", re.IGNORECASE)),
]


def _words(value: str) -> list[str]:
    value = value.strip()
    return [value] if len(value) >= 2 else []


def _address_parts(address: str) -> list[str]:
    parts = []
    for line in address.replace(",", "\n").splitlines():
        line = line.strip()
        if len(line) >= 3:
            parts.append(line)
            street = re.sub(r"^\d+[a-z]?\s+", "", line, flags=re.IGNORECASE)
            if street != line and len(street) >= 3:
                parts.append(street)
    return parts


def _dates(day) -> list[str]:
    if day is None:
        return []
    return [f"{day.day} {day:%B} {day.year}", f"{day.day} {day:%b} {day.year}"]


def known_identifiers(*, scheme: Scheme) -> list[tuple[str, str]]:
    """(kind, value) for every family and person of the scheme, decrypted in memory only."""
    found: list[tuple[str, str]] = []
    # A destroyed family (§8.8) has nothing left to find: it is skipped, not decrypted.
    families = Family.objects.filter(scheme=scheme).readable().with_keys()
    keys = {}
    for family in families:
        keys[family.pk] = family
        found += [("reference", family.reference)]
        found += [("address", part) for part in _address_parts(family.address)]
        found += [("postcode", v) for v in _words(family.postcode)]
        found += [("phone number", v) for v in _words(family.phone)]
    for member in Member.objects.filter(family__in=families).only(
        "family", "kind", "first_name", "last_name", "date_of_birth"
    ):
        member.family = keys[member.family_id]
        kind = "child's name" if member.kind == Member.Kind.CHILD else "name"
        found += [(kind, v) for v in _words(member.first_name) + _words(member.last_name)]
        found += [("date of birth", v) for v in _dates(member.date_of_birth)]
    for referral in Referral.objects.filter(family__in=families).only("family", "referrer_name", "referrer_contact"):
        referral.family = keys[referral.family_id]
        found += [("referrer's name", v) for v in referral.referrer_name.split() if len(v) >= 2]
        found += [("phone number", v) for v in _words(referral.referrer_contact)]
    people = User.objects.filter(
        pk__in=Membership.objects.current().filter(scheme=scheme).values("user_id")
    ).values_list("first_name", "last_name")
    for first, last in people:
        found += [("volunteer's or staff member's name", v) for v in _words(first) + _words(last)]
    return found


def find_identifiers(text: str, *, scheme: Scheme, known: list[tuple[str, str]] | None = None) -> list[Found]:
    """Every identifier in the text, in order, without overlaps (the longest wins).

    ``known``: the scheme's identifiers if already gathered (checking several texts at once)."""
    hits: list[Found] = []
    for kind, value in known if known is not None else known_identifiers(scheme=scheme):
        pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in value.split()) + r"(?!\w)"
        for m in re.finditer(pattern, text, flags=re.IGNORECASE):
            hits.append(Found(m.start(), m.end(), kind, m.group()))
    for kind, regex in PATTERNS:
        for m in regex.finditer(text):
            hits.append(Found(m.start(), m.end(), kind, m.group()))
    hits.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[Found] = []
    for hit in hits:
        if kept and hit.start < kept[-1].end:
            continue
        kept.append(hit)
    return kept


def highlight(text: str, found: list[Found]) -> SafeString:
    """The text, escaped, with each identifier marked and labelled for screen readers."""
    out: list[str] = []
    pos = 0
    for hit in found:
        out.append(escape(text[pos : hit.start]))
        out.append(
            f'<mark class="app-identifier">{escape(hit.text)}'
            f'<span class="govuk-visually-hidden"> ({escape(hit.kind)})</span></mark>'
        )
        pos = hit.end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above
