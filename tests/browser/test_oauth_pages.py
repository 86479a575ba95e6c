"""The pages a member sees when an app asks for access (and when it asks wrongly) pass axe-core
in English and Arabic, and the app's name keeps its own direction."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

import httpx
import pytest

from tests.browser.axe import Axe
from tests.browser.conftest import Site

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

REDIRECT = "urn:ietf:wg:oauth:2.0:oob"


@pytest.fixture(scope="module")
def client_id(site: Site) -> str:
    answer = httpx.post(
        site.url("/api/v1/apps"),
        data={"client_name": "تطبيق الميدان Field app", "redirect_uris": REDIRECT,
              "scopes": "read write"},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    found: str = answer.json()["client_id"]
    return found


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_the_authorization_page_passes_axe(
    admin_context: BrowserContext, site: Site, axe: Axe, client_id: str, locale: str
) -> None:
    query = urlencode({"client_id": client_id, "redirect_uri": REDIRECT, "response_type": "code",
                       "scope": "read write", "lang": locale})  # fmt: skip
    page = admin_context.new_page()
    page.goto(site.url(f"/oauth/authorize?{query}"))
    assert page.get_attribute("html", "lang") == locale
    assert "تطبيق الميدان Field app" in page.inner_text("main")
    assert page.locator("main form").count() >= 1
    axe.check(page)


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_a_wrong_authorization_request_is_a_readable_page(
    admin_context: BrowserContext, site: Site, axe: Axe, client_id: str, locale: str
) -> None:
    query = urlencode({"client_id": client_id, "redirect_uri": "https://elsewhere.example.org/",
                       "response_type": "code", "lang": locale})  # fmt: skip
    page = admin_context.new_page()
    answer = page.goto(site.url(f"/oauth/authorize?{query}"))
    assert answer is not None and answer.status == 400
    assert page.get_attribute("html", "lang") == locale
    axe.check(page)
