"""The page-weight budget (web-app.md 5), measured over the wire on a first visit."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
