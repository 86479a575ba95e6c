"""axe-core on every page that exists, in English and in Arabic (right to left): no serious or
critical violation of WCAG 2.2 A/AA."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.axe import Axe
from tests.browser.conftest import Site

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

LOCALES = ["en", "ar"]
PUBLIC_PAGES = [
    "/",
    "/about",
    "/auth/sign_in",
    "/auth/sign_up",
    "/@alice",
    "{post}",
    "/@garden",
    "/@garden/library",
    "/offline",
    "/no-such-page",
]
ADMIN_PAGES = [
    "/admin/accounts",
    "/admin/accounts/{admin}",
    "/admin/audit_log",
    "/admin/reports",
    "/admin/domain_blocks",
    "/admin/federation",
    "/admin/blocklists",
    "/settings/warnings",
    "/@garden/manage",
    "/@garden/manage/requests",
    "/@garden/manage/members",
    "/@garden/manage/bans",
    "/@garden/manage/moderators",
    "/@garden/manage/log",
]


def visit(context: BrowserContext, site: Site, path: str, locale: str) -> Page:
    page = context.new_page()
    url = site.url(path.format(post=site.post_path, admin=site.admin_account_id))
    page.goto(f"{url}?lang={locale}")
    assert page.get_attribute("html", "lang") == locale
    return page


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_passes_axe(
    context: BrowserContext, site: Site, axe: Axe, path: str, locale: str
) -> None:
    axe.check(visit(context, site, path, locale))


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_staff_page_passes_axe(
    admin_context: BrowserContext, site: Site, axe: Axe, path: str, locale: str
) -> None:
    page = visit(admin_context, site, path, locale)
    assert page.locator(".account").count() == 1
    axe.check(page)
