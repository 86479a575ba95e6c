"""The member pages by keyboard alone: the skip link comes first and leads into the content, and a
post's actions are reached with Tab and done with Enter, the focus staying where it was."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.browser.conftest import Site
from tests.browser.member_content import MemberContent

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

MAX_TABS = 100


def focused(page: Page, script: str) -> object:
    return page.evaluate(f"() => {{ const e = document.activeElement; return {script}; }}")


def test_skip_link_comes_first_shows_and_leads_into_the_content(
    admin_context: BrowserContext, site: Site
) -> None:
    page = admin_context.new_page()
    page.goto(site.url("/home?lang=en"))
    page.keyboard.press("Tab")
    assert focused(page, "e.textContent") == "Skip to content"
    skip = page.locator("a.skip")
    box = skip.bounding_box()
    assert skip.is_visible() and box is not None
    assert box["x"] >= 0 and box["width"] > 10 and box["height"] > 10
    page.keyboard.press("Enter")
    assert focused(page, "e.closest('main#main') !== null")
    page.keyboard.press("Tab")  # the next stop is the content's first control
    assert focused(page, "e.closest('main#main') !== null && e !== document.body")


def test_favourite_is_reached_and_done_by_keyboard(
    admin_context: BrowserContext, site: Site, member_content: MemberContent
) -> None:
    page = admin_context.new_page()
    page.goto(site.url("/home?lang=en"))
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if focused(page, "e.matches('form[action$=\"/favourite\"] button')"):
            break
    else:
        raise AssertionError("no favourite button within reach of Tab")
    card = str(focused(page, "e.closest('article').id"))
    assert focused(page, "e.id") == f"{card}-favourite"
    assert focused(page, "e.getAttribute('aria-pressed')") == "false"
    with page.expect_response(lambda r: r.url.endswith("/favourite")):
        page.keyboard.press("Enter")
    button = page.locator(f"#{card} form[action$='/unfavourite'] button")
    button.wait_for()
    assert button.get_attribute("aria-pressed") == "true"
    assert page.locator(f"[id='{card}']").count() == 1
    # The focus stays on the button, now an Unfavourite one: Enter again undoes it.
    assert focused(page, "e.id") == f"{card}-favourite"
    with page.expect_response(lambda r: r.url.endswith("/unfavourite")):
        page.keyboard.press("Enter")
    page.locator(f"#{card} form[action$='/favourite'] button").wait_for()
    assert page.get_attribute(f"#{card}-favourite", "aria-pressed") == "false"
    assert focused(page, "e.id") == f"{card}-favourite"
