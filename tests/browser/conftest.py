"""Browser tests: Debian's chromium, driven by Playwright, against a live fedi server with a few
members, a post and a group. Without chromium or Playwright they are skipped with the reason,
unless FEDI_REQUIRE_BROWSER=1 (as CI sets it), where they fail instead.

One browser and one server serve the whole folder; each test opens its own browser contexts
(separate cookies and storage), so the tests do not depend on each other's order."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from fedi.accounts.members import get_member
from fedi.groups.groups import create_group
from fedi.statuses.posting import post_status
from fedi.web.vendor import VendorError, fetch, is_current, load_lock
from tests.browser.axe import Axe
from tests.browser.live_server import LiveServer
from tests.browser.member_content import MemberContent, add_member_content

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

REQUIRED = os.environ.get("FEDI_REQUIRE_BROWSER") == "1"
CHROMIUM = os.environ.get("FEDI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
TEST_VENDOR_DIR = Path(__file__).resolve().parent / ".vendor"
PASSWORD = "a long test password"


def unavailable(reason: str) -> NoReturn:
    if REQUIRED:
        pytest.fail(f"{reason} (FEDI_REQUIRE_BROWSER=1 asks for the browser tests)", pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class Site:
    """The live server and what it holds: `admin` (an administrator who owns the group
    `garden`) and `alice` (a member with one public post), both with PASSWORD."""

    server: LiveServer
    post_path: str
    admin_account_id: str

    def url(self, path: str) -> str:
        return self.server.url(path)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        unavailable(f"no chromium at {CHROMIUM} (apt-get install chromium, or set FEDI_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()


@pytest.fixture(scope="package")
def axe() -> Axe:
    (file,) = [f for f in load_lock() if f.package == "axe-core"]
    if not is_current(file, TEST_VENDOR_DIR):
        try:
            fetch([file], TEST_VENDOR_DIR)
        except VendorError as exc:
            unavailable(f"axe-core is not in {TEST_VENDOR_DIR} and cannot be fetched: {exc}")
    return Axe(TEST_VENDOR_DIR / file.save_as)


@pytest.fixture(scope="package")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    server = LiveServer(tmp_path_factory.mktemp("browser") / "data").start()
    try:
        server.add_member("admin", PASSWORD, "admin")
        server.add_member("alice", PASSWORD)
        context = server.context
        post = server.run(post_status(context, "alice", "Hello from the #garden, world!"))
        group = server.run(
            create_group(
                context, "garden", "admin", display_name="Garden",
                note="Growing vegetables together.",
            )
        )  # fmt: skip
        assert group.account.username == "garden"
        admin = server.run(get_member(context, "admin"))
        yield Site(server, f"/@alice/{post.id}", str(admin.account.id))
    finally:
        server.stop()


@pytest.fixture(scope="package")
def member_content(site: Site) -> MemberContent:
    """Posts, notifications and the rest that member pages show (tests.browser.member_content)."""
    return add_member_content(site, PASSWORD)


def sign_in(page: Page, site: Site, username: str) -> None:
    """Through the real sign-in form, as a member would."""
    page.goto(site.url("/auth/sign_in?lang=en"))
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert f"@{username}" in page.inner_text(".account"), page.content()


@pytest.fixture(scope="package")
def admin_state(browser: Browser, site: Site) -> dict[str, Any]:
    """The cookies of a signed-in administrator, for new contexts (storage_state=...)."""
    context = browser.new_context()
    try:
        sign_in(context.new_page(), site, "admin")
        state: dict[str, Any] = context.storage_state()  # type: ignore[assignment]
        return state
    finally:
        context.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context()
    yield opened
    opened.close()


@pytest.fixture
def admin_context(browser: Browser, admin_state: dict[str, Any]) -> Iterator[BrowserContext]:
    opened = browser.new_context(storage_state=admin_state)  # type: ignore[arg-type]
    yield opened
    opened.close()
