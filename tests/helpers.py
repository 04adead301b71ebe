"""Small helpers shared by the suites: raw database access and page inspection."""

from __future__ import annotations

import html as htmllib
import re
from typing import Any

from django.db import connection, models
from django.urls import URLPattern, get_resolver


def _where(model: type[models.Model], pk: Any) -> tuple[str, str, Any]:
    table = connection.ops.quote_name(model._meta.db_table)
    pk_field = model._meta.pk
    return table, connection.ops.quote_name(pk_field.column), pk_field.get_db_prep_value(pk, connection)


def raw_value(model: type[models.Model], field_name: str, pk: Any) -> Any:
    """The column as stored, read with plain SQL (no model field conversion)."""
    table, pk_column, pk_value = _where(model, pk)
    column = connection.ops.quote_name(model._meta.get_field(field_name).column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {pk_column} = %s", [pk_value])  # noqa: S608
        rows = cursor.fetchall()
    assert len(rows) == 1, f"expected one {model.__name__} row with pk {pk}"
    value = rows[0][0]
    return bytes(value) if isinstance(value, memoryview | bytearray) else value


def raw_write(model: type[models.Model], field_name: str, pk: Any, value: bytes | None) -> None:
    """Overwrite a column with plain SQL, as someone with database access could."""
    table, pk_column, pk_value = _where(model, pk)
    column = connection.ops.quote_name(model._meta.get_field(field_name).column)
    param = None if value is None else connection.Database.Binary(value)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE {pk_column} = %s", [param, pk_value])  # noqa: S608
        assert cursor.rowcount == 1


def raw_rows(model: type[models.Model]) -> list[tuple]:
    """Every row of the model's table, every column, as stored."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
        return [
            tuple(bytes(v) if isinstance(v, memoryview | bytearray) else v for v in row) for row in cursor.fetchall()
        ]


def contains(haystack: Any, needle: str) -> bool:
    """Whether a stored value contains the text, as UTF-8 bytes or as text."""
    if haystack is None:
        return False
    if isinstance(haystack, bytes):
        return needle.encode() in haystack
    return needle in str(haystack)


def field_error(html: str, field_id: str) -> str:
    """The text of the error message shown next to a field ("" if none)."""
    match = re.search(rf'<p class="govuk-error-message" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    if not match:
        return ""
    return htmllib.unescape(re.sub(r"<[^>]+>", "", match.group(1)).replace("Error:", "").strip())


def error_summary(html: str) -> list[str]:
    """The messages listed in the GOV.UK error summary at the top of the page."""
    match = re.search(r'<div class="govuk-error-summary".*?<ul[^>]*>(.*?)</ul>', html, re.S)
    if not match:
        return []
    items = re.findall(r"<li>(.*?)</li>", match.group(1), re.S)
    return [htmllib.unescape(re.sub(r"<[^>]+>", "", item).strip()) for item in items]


def table_cells(html: str) -> list[str]:
    cells = re.findall(r'<td class="govuk-table__cell">(.*?)</td>', html, re.S)
    return [htmllib.unescape(re.sub(r"<[^>]+>", "", c).strip()) for c in cells]


def main_content(html: str) -> str:
    """The page's <main> element only (leaves out the header with the signed-in user's name)."""
    match = re.search(r"<main\b.*?</main>", html, re.S)
    assert match, "page has no <main>"
    return match.group(0)


def family_url_patterns() -> list[URLPattern]:
    """Every pattern of families/urls.py that takes a family reference."""
    resolver = get_resolver()
    (families,) = [p for p in resolver.url_patterns if getattr(p, "namespace", None) == "families"]
    return [p for p in families.url_patterns if "reference" in p.pattern.converters]


CONFLICT = "Someone else changed this record while you were editing it"


def version_in(html: str) -> str:
    """The version of the record a form on this page was opened on (its hidden ``version`` input)."""
    match = re.search(r'name="version" value="([^"]*)"', html)
    assert match, "the page has no versioned form"
    return match.group(1)


def conflict_at_top(html: str) -> bool:
    """Whether the page's error summary (at the top, above the form) says someone else saved first."""
    return any(message.startswith(CONFLICT) for message in error_summary(html))


def banner(html: str) -> str:
    """The notification banners at the top of the page (flash messages), as text."""
    found = re.findall(r'<p class="govuk-notification-banner__heading">(.*?)</p>', html, re.S)
    return " ".join(htmllib.unescape(text.strip()) for text in found)


def _republish_initial_policy(**kwargs: Any) -> None:
    from homestart.models import PolicyVersion
    from homestart.policy_text import INITIAL_POLICY_PUBLISHED, INITIAL_POLICY_SUMMARY, INITIAL_POLICY_VERSION

    PolicyVersion.objects.get_or_create(
        version=INITIAL_POLICY_VERSION,
        defaults={"summary": INITIAL_POLICY_SUMMARY, "published_at": INITIAL_POLICY_PUBLISHED},
    )


def keep_migrated_data_after_flush() -> None:
    """A test that commits (``django_db(transaction=True)``) ends by emptying every table,
    the policy version the migrations publish included; later tests would then find an
    installation nobody may use. Django sends ``post_migrate`` after that flush: publish
    the initial policy again there, as migration 0003 does (idempotent)."""
    from django.db.models.signals import post_migrate

    post_migrate.connect(_republish_initial_policy, dispatch_uid="tests.republish_initial_policy")
