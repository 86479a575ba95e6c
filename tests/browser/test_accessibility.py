"""axe-core on every page that exists, in English and in Arabic (right to left): no serious or
critical violation of WCAG 2.2 A/AA. The member pages are checked holding content of every kind
their cards show (tests.browser.member_content)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.axe import Axe
from tests.browser.conftest import Site
from tests.browser.member_content import MemberContent

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

LOCALES = ["en", "ar"]
PUBLIC_PAGES = [
    "/",
    "/about",
    "/auth/sign_in",
    "/auth/sign_up",
    "/auth/password/new",
    "/auth/password/edit?reset_password_token=expired-or-unknown-token",
    "/auth/confirmation?confirmation_token=expired-or-unknown-token",
    "/mail/unsubscribe/expired-or-unknown-token",
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
    "/admin/mail",
    "/settings/warnings",
    "/@garden/manage",
    "/@garden/manage/requests",
    "/@garden/manage/members",
    "/@garden/manage/bans",
    "/@garden/manage/moderators",
    "/@garden/manage/log",
]

# Signed in as admin, who owns the group garden; {status} is a post of admin's.
MEMBER_PAGES = [
    "/home",
    "/local",
    "/notifications",
    "/bookmarks",
    "/favourites",
    "/tags",
    "/tags/garden",
    "/search",
    "/search?q=alice",
    "/groups",
    "/@garden",
    "/@garden/library",
    "/@garden/library?q=seeds",
    "/@garden/library?folder={folder}",
    "/@garden/library/{document}",
    "/@alice",
    "/@alice/report",
    "{post}",
    "/statuses/{status}/reply",
    "/statuses/{status}/edit",
    "/statuses/{status}/delete",
    "/follow_requests",
    "/scheduled",
    "/settings/profile",
    "/settings/account",
    "/settings/mail",
    "/admin",
    "/admin/rules",
]


def visit(context: BrowserContext, site: Site, path: str, locale: str, **ids: object) -> Page:
    page = context.new_page()
    url = site.url(path.format(post=site.post_path, admin=site.admin_account_id, **ids))
    separator = "&" if "?" in url else "?"
    page.goto(f"{url}{separator}lang={locale}")
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


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("path", MEMBER_PAGES)
def test_member_page_passes_axe(
    admin_context: BrowserContext,
    site: Site,
    member_content: MemberContent,
    axe: Axe,
    path: str,
    locale: str,
) -> None:
    page = visit(
        admin_context, site, path, locale, status=member_content.status,
        document=member_content.document, folder=member_content.folder,
    )  # fmt: skip
    assert page.url.startswith(site.url("/")) and "/auth/sign_in" not in page.url
    assert page.locator(".account").count() == 1
    axe.check(page)
