"""The newsletter's pages in a real browser, in English and in Arabic (right to left): the
archive and a published issue for everyone, the issue list, the editor and the preview for
staff; axe-core finds no serious or critical violation. Staff write an issue through the
editor's real form and publish it from the browser."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from fedi.accounts.members import get_member
from fedi.newsletter.issues import create_issue, publish, save_issue
from tests.browser.axe import Axe
from tests.browser.conftest import Site
from tests.browser.test_accessibility import LOCALES, visit

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext


@pytest.fixture(scope="module")
def issues(site: Site) -> tuple[int, int]:
    """A published issue (English and Arabic) and a draft."""
    context = site.server.context
    admin = site.server.run(get_member(context, "admin")).account
    published = site.server.run(create_issue(context, admin))
    site.server.run(save_issue(context, admin, published, {
        "en": ("News of the month", "Our webinar is on the 12th."),
        "ar": ("أخبار الشهر", "ندوتنا عبر الإنترنت في اليوم الثاني عشر."),
    }))  # fmt: skip
    site.server.run(publish(context, admin, published))
    draft = site.server.run(create_issue(context, admin))
    site.server.run(save_issue(context, admin, draft, {"en": ("Next month", "To be written.")}))
    return published, draft


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("path", ["/newsletter", "/newsletter/{published}"])
def test_public_newsletter_page_passes_axe(
    context: BrowserContext, site: Site, axe: Axe, issues: tuple[int, int], path: str,
    locale: str,
) -> None:  # fmt: skip
    page = visit(context, site, path, locale, published=issues[0])
    if path != "/newsletter":
        assert page.get_attribute("article", "lang") == locale  # the issue's text in Arabic too
    axe.check(page)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    "path", ["/admin/newsletter", "/admin/newsletter/{draft}", "/admin/newsletter/{draft}/preview"]
)
def test_staff_newsletter_page_passes_axe(
    admin_context: BrowserContext, site: Site, axe: Axe, issues: tuple[int, int], path: str,
    locale: str,
) -> None:  # fmt: skip
    page = visit(admin_context, site, path, locale, draft=issues[1])
    assert page.locator(".account").count() == 1
    axe.check(page)


def test_staff_write_and_publish_an_issue_in_the_browser(
    admin_context: BrowserContext, site: Site
) -> None:
    page = admin_context.new_page()
    page.goto(site.url("/admin/newsletter?lang=en"))
    with page.expect_navigation():
        page.click("main form button[type=submit]")  # Write a new issue
    page.fill("#title-fr", "Un numéro écrit dans le navigateur")
    page.fill("#body-fr", "Avec son texte.")
    with page.expect_navigation():
        page.click("main form.stacked button[type=submit]")
    assert "done=saved" in page.url
    with page.expect_navigation():
        page.click("form[action$='/publish'] button")
    assert page.url.endswith("/admin/newsletter?done=published")
    page.goto(site.url("/newsletter?lang=fr"))
    assert "Un numéro écrit dans le navigateur" in page.inner_text("main")
