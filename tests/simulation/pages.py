"""Walking the product's pages as a person would: sign in, follow links, fill in forms.

``Browser`` wraps Django's test client (signed in with ``force_login``, like
tests/site/test_every_page.py) so that a server error comes back as a 500 response
carrying the exception (``raise_request_exception=False``) instead of stopping the walk.
``fill()`` reads a form off the page — hidden fields such as the record's version, the
options already chosen — so that a rule only names the fields a person would type.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.test import Client

from access_log.models import AccessEvent

HREF = re.compile(r'<a\b[^>]*\bhref="([^"#]*)"', re.I)
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.I | re.S)
INPUT = re.compile(r"<input\b([^>]*)>", re.I)
SELECT = re.compile(r"<select\b([^>]*)>(.*?)</select>", re.I | re.S)
OPTION = re.compile(r"<option\b([^>]*)>", re.I)
TEXTAREA = re.compile(r"<textarea\b([^>]*)>(.*?)</textarea>", re.I | re.S)
ATTR = re.compile(r'([a-zA-Z_:-]+)(?:="([^"]*)")?')
FAMILY_REFERENCE = re.compile(r"\b([A-Z]{2,5}-[0-9]{4,})\b")
# Links that are not pages to read: signing out ends the walk, admin is the administrator's own tool
# (walked separately), static files and downloads are not pages.
SKIP = ("/sign-out/", "/static/", "/admin/")


def attrs(text: str) -> dict[str, str]:
    return {name.lower(): htmllib.unescape(value or "") for name, value in ATTR.findall(text)}


def main_of(html: str) -> str:
    match = re.search(r"<main\b.*?</main>", html, re.S)
    return match.group(0) if match else html


def links(html: str) -> list[str]:
    """Internal links of a page, without query strings' duplicates, in page order."""
    found = []
    for href in HREF.findall(html):
        href = htmllib.unescape(href)
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not href.startswith("/") or href.startswith(SKIP):
            continue
        if href not in found:
            found.append(href)
    return found


def references_in(html: str) -> set[str]:
    return set(FAMILY_REFERENCE.findall(main_of(html)))


def form_fields(html: str, action: str | None = None) -> dict[str, object]:
    """The values a POST form on the page would send as it stands (the first form posting to
    ``action``, or the largest form in the main content)."""
    forms = [(attrs(head), body) for head, body in FORM.findall(main_of(html))]
    forms = [(a, body) for a, body in forms if a.get("method", "").lower() == "post"]
    if action is not None:
        forms = [(a, body) for a, body in forms if a.get("action", "") in (action, "")]
    assert forms, f"no form posting to {action!r} on the page"
    head, body = max(forms, key=lambda f: len(f[1]))
    data: dict[str, object] = {}
    for raw in INPUT.findall(body):
        a = attrs(raw)
        name, kind = a.get("name"), a.get("type", "text").lower()
        if not name or name == "csrfmiddlewaretoken" or kind in ("submit", "button"):
            continue
        if kind in ("radio", "checkbox"):
            if "checked" in a:
                if kind == "checkbox" and name in data:
                    data[name] = [*([data[name]] if isinstance(data[name], str) else data[name]), a.get("value", "on")]
                else:
                    data[name] = a.get("value", "on")
            continue
        data[name] = a.get("value", "")
    for head_attrs, options in SELECT.findall(body):
        name = attrs(head_attrs).get("name")
        opts = [attrs(o) for o in OPTION.findall(options)]
        chosen = [o for o in opts if "selected" in o] or opts[:1]
        if name:
            data[name] = chosen[0].get("value", "") if chosen else ""
    for head_attrs, text in TEXTAREA.findall(body):
        name = attrs(head_attrs).get("name")
        if name:
            data[name] = htmllib.unescape(text.strip())
    return data


def options_of(html: str, name: str) -> dict[str, str]:
    """value -> label of a select's options or of a radio group's inputs."""
    for head_attrs, options in SELECT.findall(main_of(html)):
        if attrs(head_attrs).get("name") == name:
            return {
                attrs(o).get("value", ""): htmllib.unescape(re.sub(r"<[^>]+>", "", label)).strip()
                for o, label in re.findall(r"<option\b([^>]*)>(.*?)</option>", options, re.S)
            }
    return {attrs(raw).get("value", ""): "" for raw in INPUT.findall(main_of(html)) if attrs(raw).get("name") == name}


@dataclass
class Visit:
    role: str
    url: str
    status: int
    html: str
    exception: BaseException | None = None
    location: str = ""
    events: list = field(default_factory=list)  # (file_reference, user_id, outcome) of each access event


class Browser:
    """One person at the keyboard: a fresh sign-in each time they sit down (``Browser(user)``)."""

    def __init__(self, role: str, user) -> None:
        self.role, self.user = role, user
        self.client = Client(raise_request_exception=False)
        self.client.force_login(user)

    def _visit(self, method: str, url: str, data: dict | None = None) -> Visit:
        last = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = getattr(self.client, method)(url, data or {})
        exc = response.exc_info[1] if getattr(response, "exc_info", None) else None
        body = (
            response.content.decode(errors="replace")
            if response.get("Content-Type", "").startswith("text/html")
            else ""
        )
        # Who opened which file with what outcome: the three columns the checks read, not whole rows.
        events = list(
            AccessEvent.objects.filter(id__gt=last).values_list("file_reference", "user_id", "outcome", named=True)
        )
        return Visit(self.role, url, response.status_code, body, exc, response.get("Location", ""), events)

    def get(self, url: str) -> Visit:
        return self._visit("get", url)

    def post(self, url: str, data: dict) -> Visit:
        return self._visit("post", url, data)

    def submit(self, url: str, action: str | None = None, **typed: object) -> tuple[Visit, Visit]:
        """Open the form page, type ``typed`` over what it holds, send it: (form page, answer). A typed
        value may be a function of the page's HTML (``first_option("given_by")``)."""
        page = self.get(url)
        assert page.status == 200, f"{self.role} could not open the form {url}: {page.status}"
        typed = {k: v(page.html) if callable(v) else v for k, v in typed.items()}
        data = {**form_fields(page.html, action), **{k: v for k, v in typed.items() if v is not None}}
        return page, self.post(action or url, data)


def first_option(name: str):
    """The first choice of a select or radio group on the page, as a person would pick it."""
    return lambda html: next(v for v in options_of(html, name) if v)
