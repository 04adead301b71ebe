"""The Django admin as the demo's administrator sees it: its home and every list page they can
open pass axe-core, like the product's own pages (the admin's own styles failed
`link-in-text-block` on ten lists; templates/admin/ and static/css/admin-accessible.css fix them)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect


@pytest.mark.e2e
def test_every_admin_list_the_administrator_sees_passes_axe(page, sign_in, axe, visits, axe_check):
    sign_in(page, "admin")
    axe_check(page)
    page.goto("/admin/")
    expect(page.locator("#content-main")).to_be_visible()
    axe_check(page)
    lists = sorted(
        set(
            page.locator("#content-main th[scope=row] a, #content-main caption a").evaluate_all(
                "links => links.map(a => a.getAttribute('href'))"
            )
        )
    )
    lists = [href for href in lists if href.count("/") == 4]  # /admin/app/model/
    assert len(lists) >= 10
    problems = []
    for href in lists:
        page.goto(href)
        result = axe.run(page)
        visits.checked.add(visits.last_of(page))
        if result.violations_count:
            problems.append(f"{href}:\n{result.generate_report()}")
    assert not problems, "\n".join(problems)
