"""The navigation as a person uses it: staff menus are grouped into <details> disclosure menus."""

from __future__ import annotations


def menu_group(page, group: str):
    """Open the menu group called `group` (a closed one; clicking an open one would close it)."""
    nav = page.get_by_role("navigation", name="Menu")
    details = nav.locator("details").filter(has=page.locator("summary", has_text=group))
    summary = details.locator("summary")
    if not details.evaluate("d => d.open"):
        summary.click()
    return details


def menu_link(page, name: str):
    """The menu's link called `name`, with its group opened first when the menu is grouped."""
    nav = page.get_by_role("navigation", name="Menu")
    link = nav.get_by_role("link", name=name, exact=True)
    # A link in a closed group is hidden, which role queries skip unless told; `has` is relative to <details>.
    details = nav.locator("details").filter(has=page.get_by_role("link", name=name, exact=True, include_hidden=True))
    if details.count() and not details.evaluate("d => d.open"):
        details.locator("summary").click()
    return link
