"""Every form each demo person can reach, sent empty in the browser (issue 17, done-when: "Browser
tests walk each role's home and each form's error state; every page they visit — the admin
included — has 0 axe-core violations"). Each role's home: test_e2e_homes.py.

The forms are found, not listed: every named URL of the product's URL conf is filled in with the
seeded demo's objects as each person meets them (their family, the concern's family, a family
of their review's sample, a volunteer's file...) and asked for as that person; every POST form in
a page's main content with a submit button is one to walk, unless its kind is one never sent
empty (NOT_ASKED, BUTTON_ALONE, EDIT_STILL_ANSWERED below). Each is then, as that person in the
browser (one context each): shown (axe-core), cleared, sent, and its answer checked (axe-core):

* a form with a field the renderer marks required answers on its own address with the GOV.UK
  error summary naming what is missing (not a redirect to a success page);
* a form with nothing marked required (a search box, a reason typed inline on a list) answers
  with its error summary, or sends the person back to the page it is on with a banner;
* never a server error, and not one row more or less in any table, history tables included,
  but the bookkeeping ones (the access log, sessions, sign-in counters).

Several people meet the very same form (the password form, the search, most of a coordinator's
and a manager's forms): its markup is walked in the browser once, by the first of them; the
others send it empty from the test client and the same checks are made on their answer, without
a second axe-core run of identical markup. With one add form of the Django admin sent empty by
the administrator, that keeps the module near its budget (90 s on an idle two-core machine).
Run with ``-s`` to see which forms each role walked, and the time taken.
"""

from __future__ import annotations

import html as html_lib
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import expect

# One demo person for each role (README's demo users).
ROLES = ["coordinator", "manager", "safeguarding", "volunteer", "trustee", "spotcheck", "reviewer", "auditor", "admin"]

# What is never sent empty, and why. Pages not asked for at all:
NOT_ASKED = {
    "login": "the sign-in page: sign_in (conftest.py) checks it; a signed-in person is sent on",
    "logout": "signing out: a button alone, it acts",
    "language": "the language switch: choosing a language is the whole form, it acts",
    "password_set": "a set-password link is for someone signed out, with a token from an e-mail",
}
NOT_ASKED_SUFFIXES = (".csv", ".json")  # downloads, not pages
# Forms found on the pages but not sent (by their kind, decided from the form itself):
BUTTON_ALONE = (
    "a button with no field to fill in acts when pressed: ending an assignment, closing a review or a "
    "concern, approving an access request, stopping a subject access clock, proposing a destruction, "
    "opening identifying details for the one purpose allowed, showing references only"
)
EDIT_STILL_ANSWERED = (
    "an edit of what is recorded that nothing cleared makes wrong (a family's contact details, all "
    "optional; a breach's assessment, whose required answers are radios already chosen): cleared, "
    "it is an answer and is saved"
)

# Tables that asking for or refusing a form may write (as tests/site/test_every_page.py): the
# access log (§9.1) and minutes' read log (§3.7), sessions, sign-in counters, two-factor devices
# being set up.
BOOKKEEPING = {
    "access_log_accessevent",
    "reporting_reportevent",
    "django_session",
    "axes_accessattempt",
    "axes_accesslog",
    "axes_accessfailurelog",
    "otp_totp_totpdevice",
    "homestart_recoverycodedevice",
}

MAIN = 'id="main-content"'
FORM = re.compile(r'<form\b[^>]*\bmethod="post"[^>]*>.*?</form>', re.S)
TAG = re.compile(r"<(input|select|textarea|button)\b([^>]*)>", re.S)
ATTR = re.compile(r'([\w:-]+)(?:="([^"]*)")?')
OPTION = re.compile(r"<option\b([^>]*)>", re.S)
SELECT = re.compile(r"<select\b([^>]*)>(.*?)</select>", re.S)
TOKENS = re.compile(r'(name="(?:csrfmiddlewaretoken|form_once)" value=)"[^"]*"')


def _attrs(text: str) -> dict[str, str]:
    return {k: html_lib.unescape(v or "") for k, v in ATTR.findall(text)}


def _text(markup: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


@dataclass
class Form:
    """One POST form of a page's main content, as its markup shows it."""

    page: str  # the address of the page that shows it
    index: int  # its place among the page's POST forms
    markup: str
    action: str = ""
    fields: list[dict] = field(default_factory=list)  # visible fields (attributes, plus "tag")
    hidden: dict[str, str] = field(default_factory=dict)
    button: str = ""  # the submit button's words
    required: bool = False

    @property
    def key(self) -> str:
        """The form's markup without its one-time tokens: two people with the same key see the same form."""
        return TOKENS.sub(r"\1", self.markup)

    @property
    def skipped(self) -> str:
        """Why this form is not sent empty, or ''."""
        if not self.fields:
            return BUTTON_ALONE
        if not self.required and "version" in self.hidden:
            return EDIT_STILL_ANSWERED
        return ""

    def empty_data(self) -> dict[str, str | list[str]]:
        """What the browser sends once the form's fields are cleared: the hidden values, a radio
        already chosen, a select without an empty choice; every text, date and check box empty."""
        data: dict[str, str | list[str]] = dict(self.hidden)
        for f in self.fields:
            if f["tag"] == "input" and f.get("type") == "radio" and "checked" in f:
                data[f["name"]] = f.get("value", "on")
        for attrs, body in SELECT.findall(self.markup):
            a = _attrs(attrs)
            options = [_attrs(o) for o in OPTION.findall(body)]
            if "multiple" in a or not options or any(o.get("value") == "" for o in options):
                continue
            chosen = next((o for o in options if "selected" in o), options[0])
            data[a["name"]] = chosen.get("value", "")
        return data


def forms_of(url: str, page_html: str) -> list[Form]:
    """The POST forms of a page's main content (not the header's sign-out) with a submit button."""
    parts = page_html.split(MAIN, 1)
    if len(parts) < 2:
        return []
    found = []
    for index, markup in enumerate(FORM.findall(parts[1])):
        opening = _attrs(markup[: markup.index(">")])
        form = Form(page=url, index=index, markup=markup, action=opening.get("action") or url)
        for tag, attrs in TAG.findall(markup):
            a = {"tag": tag, **_attrs(attrs)}
            kind = a.get("type", "submit" if tag == "button" else "text")
            if tag == "button" or (tag == "input" and kind == "submit"):
                if kind == "submit" and "hidden" not in a and not form.button:
                    form.button = _text(markup.split(f"<{tag}{attrs}>", 1)[1].split(f"</{tag}>", 1)[0])
            elif kind == "hidden":
                form.hidden[a["name"]] = a.get("value", "")
            elif "name" in a:
                form.fields.append(a)
        # Required, once cleared: a field the form renderer marks ``required`` that clearing empties
        # (a radio already chosen cannot be unchosen, so its group stays answered).
        chosen = {f["name"] for f in form.fields if f.get("type") == "radio" and "checked" in f}
        form.required = any("required" in f and f["name"] not in chosen for f in form.fields)
        if form.button:
            found.append(form)
    return found


def patterns() -> list[tuple[str, URLPattern]]:
    """(name, pattern) for every named URL of the product's URL conf, the Django admin excepted."""
    found: list[tuple[str, URLPattern]] = []

    def walk(entries, namespace: str = "") -> None:
        for entry in entries:
            if isinstance(entry, URLResolver):
                if entry.namespace != "admin":
                    walk(entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
            elif entry.name:
                found.append((f"{namespace}{entry.name}", entry))

    walk(get_resolver().url_patterns)
    return found


def _about(queryset, families: list):
    """The first object of ``queryset`` about one of ``families`` (in their order), else the first of all."""
    for family in families:
        obj = queryset.filter(family=family).first()
        if obj is not None:
            return obj
    return queryset.first()


def urls_for(user) -> list[tuple[str, str]]:
    """(URL name, address) of every page of the URL conf, its keywords filled in from the demo as
    ``user`` meets it: the reference is the family they work with (the volunteer's, the safeguarding
    lead's family with a concern, one of a reviewer's sample, else WIR-0001); a family's own objects
    (a consent, a concern, a member...) go with their own family's reference. A keyword the demo has
    nothing for (no police request, no transfer) leaves its pages out."""
    from access_log.models import Approval, AuditSession, AuditSessionFile, Review, SampledFile
    from consent.models import Consent, Transfer
    from families.models import Family, Group, Member, PlannedVisit, VolunteerAssignment
    from homestart.models import AccessRequest
    from homestart.rules import FileKind, Role
    from portability.models import PendingImport
    from records.models.breaches import Breach
    from records.models.people import PersonnelFile, VolunteerFile
    from records.models.retention import Destruction, LegalHold
    from records.models.subject_access import SubjectAccessRequest
    from reporting.models import BoardMeeting, CaseStudy
    from safeguarding.models import Concern, ExternalRequest

    def pk(obj):
        return obj.pk if obj is not None else None

    sampled = SampledFile.objects.filter(review__reviewer=user, file_kind=FileKind.FAMILY)
    audited = AuditSessionFile.objects.filter(session__auditor=user, file_kind=FileKind.FAMILY)
    lead = user.memberships.filter(role=Role.SAFEGUARDING_LEAD).exists()
    families = [
        *Family.objects.filter(assignments__volunteer=user, assignments__ended_at__isnull=True),
        *Family.objects.filter(pk__in=[f.file_id for f in [*sampled, *audited]]),
        *(Family.objects.filter(concerns__isnull=False) if lead else []),
        *Family.objects.filter(scheme__code="WIR").order_by("number")[:1],
    ]
    membership = user.memberships.filter(scheme__isnull=False).first()
    values = {
        "reference": families[0].reference,
        "kind": FileKind.FAMILY,
        "scheme_code": membership.scheme.code if membership else "WIR",
        "review_id": pk(Review.objects.filter(reviewer=user).first() or Review.objects.first()),
        "session_id": pk(AuditSession.objects.filter(auditor=user).first() or AuditSession.objects.first()),
        "sar_id": pk(SubjectAccessRequest.objects.first()),
        "breach_id": pk(Breach.objects.first()),
        "study_id": pk(CaseStudy.objects.first()),
        "meeting_id": pk(BoardMeeting.objects.first()),
        "group_id": pk(Group.objects.first()),
        "grant_id": pk(AccessRequest.objects.pending().first()),
        "approval_id": pk(Approval.objects.filter(decision__isnull=True).first()),
        "hold_id": pk(LegalHold.objects.filter(released_at__isnull=True).first()),
        "destruction_id": pk(Destruction.objects.first()),
        "pending_id": pk(PendingImport.objects.first()),
    }
    owned = {
        "consent_id": _about(Consent.objects.filter(withdrawn_at__isnull=True), families),
        "concern_id": _about(Concern.objects.all(), families),
        "request_id": _about(ExternalRequest.objects.all(), families),
        "member_id": _about(Member.objects.all(), families),
        "assignment_id": _about(VolunteerAssignment.objects.filter(ended_at__isnull=True), families),
        "planned_id": _about(PlannedVisit.objects.filter(status=PlannedVisit.Status.PLANNED), families),
        "transfer_id": _about(Transfer.objects.all(), families),
    }
    # A volunteer's or a member of staff's file goes by its own reference.
    files = {
        "records:volunteer_": VolunteerFile.objects.order_by("reference").first(),
        "records:personnel_": PersonnelFile.objects.order_by("reference").first(),
    }
    urls = []
    for name, pattern in patterns():
        if name in NOT_ASKED or str(pattern.pattern).endswith(NOT_ASKED_SUFFIXES):
            continue
        wanted = set(pattern.pattern.converters)
        kwargs = {key: values.get(key) for key in wanted}
        for key in wanted & set(owned):
            obj = owned[key]
            kwargs[key] = pk(obj)
            if obj is not None and "reference" in wanted:
                kwargs["reference"] = obj.family.reference
        for prefix, file in files.items():
            if name.startswith(prefix) and "reference" in wanted:
                kwargs["reference"] = file.reference if file is not None else None
        if all(value is not None for value in kwargs.values()):
            urls.append((name, reverse(name, kwargs=kwargs)))
    return urls


def row_counts() -> dict[str, int]:
    """The number of rows of every table (history included) but the bookkeeping ones, in one query."""
    tables = sorted(
        {
            m._meta.db_table
            for m in apps.get_models(include_auto_created=True)
            if m._meta.managed and not m._meta.proxy and m._meta.db_table not in BOOKKEEPING
        }
    )
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)  # noqa: S608 - model tables
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {t: (before[t], after[t]) for t in before if before[t] != after[t]}


def error_summary_links(page_html: str) -> list[str]:
    summary = page_html.split('class="govuk-error-summary"', 1)
    if len(summary) < 2:
        return []
    return [_text(a) for a in re.findall(r"<a\b[^>]*>(.*?)</a>", summary[1].split("</ul>", 1)[0], re.S)]


# What a person does before sending a form empty: opens the "details" it sits in, clears every
# box, unticks every check box, sets every select to its empty choice (a radio cannot be unchosen).
OPEN_AND_CLEAR = """form => {
  for (let d = form.closest("details"); d; d = d.parentElement.closest("details")) d.open = true;
  for (const el of form.elements) {
    if (["hidden", "submit", "button", "radio"].includes(el.type)) continue;
    if (el.type === "checkbox") el.checked = false;
    else if (el.tagName === "SELECT") {
      const empty = [...el.options].findIndex(o => o.value === "");
      if (empty >= 0) el.selectedIndex = empty;
      else if (el.multiple) for (const o of el.options) o.selected = false;
    } else el.value = "";
  }
}"""


def path_of(url: str) -> str:
    return urlsplit(url).path


@pytest.mark.e2e
@pytest.mark.heavy  # a minute: started first, so the other browser worker takes the rest meanwhile
def test_every_form_each_person_reaches_sent_empty_answers_with_its_errors_and_saves_nothing(
    demo, new_page, sign_in, axe, visits, capsys
):
    """A form that asks for something answers an empty submission on the same address with the
    GOV.UK error summary; a form that asks for nothing the renderer marks required (a search box,
    a reason typed inline on a list) answers with its error summary or sends the person back to
    the page it is on with a banner saying what to do. Never a server error, never a change."""
    from homestart.models import User

    problems: list[str] = []
    walked_in_browser: dict[str, str] = {}  # form key -> who walked it
    report: dict[str, dict[str, list[str]]] = {}
    started, cpu = time.perf_counter(), time.process_time()
    finding = 0.0

    def check_axe(page, what: str) -> None:
        page.wait_for_load_state("load")
        result = axe.run(page)
        visits.checked.add(visits.last_of(page))
        if result.violations_count:
            problems.append(f"axe-core, {what} ({page.url}):\n{result.generate_report()}")

    def check_answer(who, form: Form, status: int, landed: str, body: str, before, after) -> None:
        what = f"{who}: {form.button!r} on {form.page}"
        summary = error_summary_links(body)
        if status >= 500:
            problems.append(f"{what}: a server error ({status})")
        elif form.required:
            if status != 200 or landed != path_of(form.action):
                problems.append(f"{what}: sent empty, it was answered by {landed} ({status}), not its error summary")
            elif not summary:
                problems.append(f"{what}: sent empty, no GOV.UK error summary naming what is missing")
        elif not summary and not (landed == path_of(form.page) and "govuk-notification-banner" in body):
            problems.append(f"{what}: sent empty, neither an error summary nor a word on its page ({landed})")
        if diff := changed(before, after):
            problems.append(f"{what}: sent empty, it changed the data: {diff}")

    for username in ROLES:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        found_at = time.perf_counter()
        pages = []
        for _name, url in urls_for(user):
            response = client.get(url)
            if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
                pages += forms_of(url, response.content.decode())
        finding += time.perf_counter() - found_at
        page = new_page()
        sign_in(page, username)
        walked = report.setdefault(username, {"browser": [], "client": [], "skipped": []})
        for form in pages:
            if form.skipped:
                walked["skipped"].append(f"{form.button} ({form.page}): {form.skipped}")
                continue
            if form.key in walked_in_browser:
                before = row_counts()
                response = client.post(form.action, form.empty_data(), follow=True)
                after = row_counts()
                landed = path_of(response.redirect_chain[-1][0]) if response.redirect_chain else path_of(form.action)
                check_answer(username, form, response.status_code, landed, response.content.decode(), before, after)
                walked["client"].append(f"{form.button} ({form.action}), as {walked_in_browser[form.key]} saw it")
                continue
            walked_in_browser[form.key] = username
            page.goto(form.page)
            check_axe(page, f"{username}: the form {form.button!r}")
            target = page.locator(f'#main-content form[method="post"] >> nth={form.index}')
            target.evaluate(OPEN_AND_CLEAR)
            before = row_counts()
            with page.expect_navigation() as navigation:
                target.locator('button[type="submit"], button:not([type]), input[type="submit"]').first.click()
            answer = navigation.value
            after = row_counts()
            check_axe(page, f"{username}: {form.button!r} sent empty")
            check_answer(
                username, form, answer.status if answer else 0, path_of(page.url), page.content(), before, after
            )
            walked["browser"].append(f"{form.button} ({form.action})")
        page.context.close()

    # The Django admin: its first add form sent empty by the administrator (the admin's own error note).
    page = new_page()
    sign_in(page, "admin")
    page.goto("/admin/")
    check_axe(page, "the admin's home")
    add = page.locator("#content-main a.addlink").first.get_attribute("href")
    page.goto(add)
    check_axe(page, f"the admin's add form {add}")
    before = row_counts()
    page.locator("#content-main form input[type=submit][name=_save]").click()
    expect(page.locator("#content-main .errornote")).to_be_visible()
    after = row_counts()
    check_axe(page, f"the admin's add form {add} sent empty")
    if diff := changed(before, after):
        problems.append(f"admin: {add} sent empty changed the data: {diff}")
    report["admin"]["browser"].append(f"Save ({add}), the Django admin")

    with capsys.disabled():
        print(
            f"\nForms sent empty in {time.perf_counter() - started:.0f} s ({time.process_time() - cpu:.0f} s of "
            f"this process's CPU; finding them: {finding:.0f} s)"
        )
        for username, walked in report.items():
            print(
                f"{username}: {len(walked['browser'])} forms sent empty in the browser, "
                f"{len(walked['client'])} more the same as one already walked, {len(walked['skipped'])} not sent"
            )
            for kind, lines in walked.items():
                for line in lines:
                    print(f"  [{kind}] {line}")
    assert not problems, f"{len(problems)} problem(s):\n\n" + "\n\n".join(problems)
    # Each role reached forms; staff reach many (a page with a form the patterns cannot see is missed).
    sent = {u: len(w["browser"]) + len(w["client"]) for u, w in report.items()}
    assert all(sent.values()), sent
    assert sent["coordinator"] >= 30 and sent["manager"] >= 30, sent
