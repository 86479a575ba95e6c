"""The JavaScript layer on real pages: htmx and app.js load under the Content-Security-Policy
without a single violation, app.js sets htmx up, adds the CSRF token to htmx's requests and
moves the focus to the new page's heading after a boosted navigation; a feed's next page comes
into the feed when its link comes into view."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import Site, sign_in
from tests.browser.member_content import MemberContent

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, ConsoleMessage, Page

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation",
    e => window.cspViolations.push(e.violatedDirective + " " + e.blockedURI));
"""


def watched_page(context: BrowserContext) -> tuple[Page, list[str]]:
    """A page that records CSP violations, as events and as console errors."""
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            console.append(message.text)

    page.on("console", on_console)
    return page, console


@pytest.mark.parametrize("path", ["/", "/auth/sign_up", "/@alice", "{post}", "/@garden"])
def test_pages_load_under_the_csp_without_violations(
    context: BrowserContext, site: Site, path: str
) -> None:
    page, console = watched_page(context)
    response = page.goto(site.url(path.format(post=site.post_path)))
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => typeof htmx") == "object"
    assert page.evaluate("() => window.cspViolations") == []
    assert console == []


def test_staff_page_loads_without_violations(admin_context: BrowserContext, site: Site) -> None:
    page, console = watched_page(admin_context)
    page.goto(site.url("/admin/accounts"))
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => window.cspViolations") == []
    assert console == []


def test_app_script_sets_htmx_up_and_adds_live_regions(context: BrowserContext, site: Site) -> None:
    page = context.new_page()
    page.goto(site.url("/"))
    config = page.evaluate(
        "() => [htmx.config.historyCacheSize, htmx.config.allowEval, "
        "htmx.config.includeIndicatorStyles, htmx.config.selfRequestsOnly]"
    )
    assert config == [0, False, False, True]
    assert page.get_attribute("#fedi-status", "role") == "status"
    assert page.get_attribute("#fedi-status", "aria-live") == "polite"
    assert page.get_attribute("#fedi-alert", "role") == "alert"


def test_htmx_post_carries_the_pages_csrf_token(context: BrowserContext, site: Site) -> None:
    page = context.new_page()
    sign_in(page, site, "alice")
    assert page.get_attribute('meta[name="csrf-token"]', "content")
    # A bare hx-post, outside any form: only app.js can give it the token. Signing out
    # refuses a request without one (403), so the member is still signed in then.
    status = page.evaluate(
        """() => new Promise(resolve => {
            document.body.addEventListener("htmx:afterRequest",
                e => resolve(e.detail.xhr.status), {once: true});
            htmx.ajax("POST", "/auth/sign_out", {source: document.body, swap: "none"});
        })"""
    )
    assert status == 200  # the 303 to / followed
    page.goto(site.url("/?lang=en"))
    assert page.inner_text(".account").strip() == "Sign in"


def test_boosted_navigation_moves_focus_to_the_heading(context: BrowserContext, site: Site) -> None:
    page = context.new_page()
    page.goto(site.url("/?lang=en"))
    page.evaluate(
        "() => { document.body.setAttribute('hx-boost', 'true'); htmx.process(document.body); }"
    )
    with page.expect_response(site.url("/auth/sign_in")):
        page.click("header a[href='/auth/sign_in']")
    page.wait_for_function("() => document.activeElement.tagName === 'H1'")
    assert page.evaluate("() => document.activeElement.textContent") == "Sign in"
    assert page.title().startswith("Sign in")
    assert page.url == site.url("/auth/sign_in")


def test_next_page_of_a_feed_joins_it_when_its_link_is_in_view(
    admin_context: BrowserContext, site: Site, member_content: MemberContent
) -> None:
    page = admin_context.new_page()
    page.goto(site.url("/home?lang=en"))
    cards = page.locator("main [role=feed] > article")
    assert cards.count() == 20
    first_link = page.get_attribute("#older a", "href")
    assert first_link is not None and "max_id=" in first_link
    with page.expect_response(lambda r: "max_id=" in r.url):
        page.locator("#older").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('[role=feed] > article').length > 20")
    # The feed still holds articles alone, the next page's link (none after the last page)
    # took the first one's place, and no card's id is there twice.
    assert page.locator("main [role=feed] > :not(article)").count() == 0
    assert page.locator("#older").count() == 1
    if cards.count() < 40:
        assert page.locator("#older a").count() == 0
    else:
        assert page.get_attribute("#older a", "href") != first_link
    ids = page.evaluate("() => [...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids))
    assert page.get_attribute("main [role=feed]", "aria-busy") is None
