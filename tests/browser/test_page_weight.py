"""The page-weight budget (web-app.md 5), measured over the wire on a first visit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fedi.accounts.members import get_member
from fedi.relationships.relationships import follow
from fedi.statuses.posting import post_status
from tests.browser.conftest import Site
from tests.browser.page_weight import page_weight

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# A member's first visit to Home: HTML, CSS and JS together, images left out.
HOME_BUDGET = 100_000


def test_front_page_fits_the_budget_with_htmx(browser: Browser, site: Site) -> None:
    weight = page_weight(browser, site.url("/"))
    kinds = {t.resource_type for t in weight.counted}
    assert {"document", "stylesheet", "script"} <= kinds, weight.report()
    assert any("/static/vendor/htmx-" in t.url for t in weight.counted), weight.report()
    weight.check(HOME_BUDGET)


def test_a_members_home_of_twenty_posts_fits_the_budget(
    browser: Browser, site: Site, admin_state: dict[str, Any]
) -> None:
    """A member's first visit to Home, twenty posts with their actions and the compose box:
    the page, its style sheet and scripts under 100 KB over the wire."""
    context = site.server.context
    alice = site.server.run(get_member(context, "alice"))
    site.server.run(follow(context, "admin", alice.account))
    for number in range(20):
        text = f"Field note {number}: the hearing notes are in the #garden library, see you there"
        site.server.run(post_status(context, "alice", text))
    weight = page_weight(browser, site.url("/home"), storage_state=admin_state)
    document = [t for t in weight.counted if t.resource_type == "document"]
    assert len(document) == 1 and "/home" in document[0].url, weight.report()
    assert weight.total > 10_000, weight.report()  # the page was there, not a redirect
    weight.check(HOME_BUDGET)
    print(weight.report())
