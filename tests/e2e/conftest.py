"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Run in their own pytest process (`make e2e`); the main suite ignores this folder.
No browser is downloaded: Chromium must be at /usr/bin/chromium (`.ci/run`
installs it in CI).

Every page a test visits is checked with axe-core: call ``axe_check(page)``
after each navigation. A test that navigates to a page and never checks it
fails at teardown, so no page escapes the accessibility check. A journey with
two people (a coordinator and an auditor) opens a second browser context with
``new_page()``; its pages are checked the same way.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an asyncio event loop in the test's thread, which
# trips Django's "no ORM calls from async code" check when the test itself
# reads or seeds the database. The ORM calls here are ordinary sync code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
TIMEOUT_MS = 15_000

DEMO_PASSWORD = "homestart-demo"

# pyproject sets `filterwarnings = error`. These are the warnings the browser
# stack itself may raise; anything else still fails the run.
E2E_WARNING_FILTERS = [
    # The live server runs without `collectstatic` (WhiteNoise serves from the
    # finders, WHITENOISE_USE_FINDERS in settings_test), so STATIC_ROOT is absent.
    "ignore:No directory at:UserWarning",
]


def pytest_configure(config: pytest.Config) -> None:
    for line in E2E_WARNING_FILTERS:
        config.addinivalue_line("filterwarnings", line)
    # Each journey ends with a flush; the next starts from a database as migrated, with
    # the policy version the migrations publish, like the first (and like `make run`).
    from tests.helpers import keep_migrated_data_after_flush

    keep_migrated_data_after_flush()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One Chromium for the whole run; each test gets its own context (cookies)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. Install Debian's package: apt-get install chromium "
            "(the browser tests never download a browser)."
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@dataclass
class Visits:
    """Every document the test's pages loaded (page, url), and which of them axe has checked."""

    loaded: list[tuple[Any, str]] = field(default_factory=list)
    checked: set[int] = field(default_factory=set)

    def last_of(self, page) -> int:
        return max(i for i, (p, _) in enumerate(self.loaded) if p is page)


@pytest.fixture
def demo(transactional_db, live_server) -> str:
    """The demo data seed_demo creates, committed for the live server; returns the server URL.
    The command runs once per process and its rows are copied in for each test (tests/seeded.py);
    the flush that ends each test empties the tables again."""
    from tests.seeded import DEMO

    DEMO.load()
    return live_server.url


@pytest.fixture
def visits() -> Visits:
    return Visits()


@pytest.fixture
def new_page(browser, demo, visits):
    """Open a page in a browser context of its own (its own cookies: another person signing in).

    Every page any of them loads must be checked with axe_check(page).
    """
    contexts = []

    def open_page():
        context = browser.new_context(base_url=demo, locale="en-GB", timezone_id="Europe/London")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()

        def loaded(frame) -> None:
            if frame == page.main_frame:
                visits.loaded.append((page, frame.url))

        page.on("framenavigated", loaded)
        return page

    yield open_page
    for context in contexts:
        context.close()
    unchecked = [url for i, (_, url) in enumerate(visits.loaded) if i not in visits.checked]
    if unchecked:
        pytest.fail("Pages visited without an accessibility check (call axe_check(page)): " + ", ".join(unchecked))


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def axe_check(axe, visits):
    """Run axe-core on the page as it is now and fail, with a readable report, on any violation."""

    def check(page) -> None:
        page.wait_for_load_state("load")
        result = axe.run(page)
        if result.violations_count:
            pytest.fail(
                f"axe-core found {result.violations_count} accessibility violation(s) on "
                f"{page.url} ({page.title()!r}):\n{result.generate_report()}",
                pytrace=False,
            )
        visits.checked.add(visits.last_of(page))

    return check


@pytest.fixture
def sign_in(axe_check):
    """Sign in through the sign-in page (checked with axe) as a demo user."""
    from playwright.sync_api import expect

    def sign_in_as(page, username: str) -> None:
        page.goto("/sign-in/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Home-Start records")
        axe_check(page)
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        # People are shown by name, never by username: the demo people's names.
        from demo.management.commands.seed_demo import DEMO_NAMES

        name = " ".join(DEMO_NAMES[username]) if username in DEMO_NAMES else username
        expect(page.get_by_text(f"Signed in as {name}")).to_be_visible()
        axe_check(page)  # the person's home (issue 17.2): each role's own page, checked as it opens

    return sign_in_as
