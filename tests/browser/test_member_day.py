"""A member's day in the browser, in English and in Arabic, on two federating instances: sign
up, post with an image, follow a member of the other instance, see their reply arrive live,
join a space and post in it, change the profile, switch language; axe-core on every page the
day passes through. Everything through the pages' own forms, as a member without an app."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PIL import Image

from fedi.accounts.members import get_member
from fedi.groups.groups import create_group
from fedi.statuses.posting import post_status
from fedi.statuses.search import status_at
from tests.browser.axe import Axe
from tests.browser.live_server import LiveServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

PASSWORD = "a long test password"
WAIT_MS = 20_000


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, LiveServer]]:
    """`here`, where the member signs up (with the public space `commons`), and `there`, where
    `bob` lives."""
    here = LiveServer(tmp_path_factory.mktemp("here") / "data").start()
    there = LiveServer(tmp_path_factory.mktemp("there") / "data").start()
    try:
        here.add_member("host", PASSWORD, "admin")
        here.run(create_group(here.context, "commons", "host", display_name="Commons"))
        there.add_member("bob", PASSWORD)
        yield here, there
    finally:
        here.stop()
        there.stop()


def png() -> bytes:
    image = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 60)).save(image, "PNG")
    return image.getvalue()


def submit(page: Page, selector: str = "main form button[type=submit]") -> None:
    with page.expect_navigation():
        page.click(selector)


def wait_until(condition: object, what: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_a_members_day(
    browser: Browser, servers: tuple[LiveServer, LiveServer], axe: Axe, locale: str,
    tmp_path: Path,
) -> None:  # fmt: skip
    here, there = servers
    username = f"dina_{locale}"
    context = browser.new_context(locale="ar" if locale == "ar" else "en-GB")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    checked: list[str] = []

    def check(expected_path: str) -> None:
        assert page.get_attribute("html", "lang") == locale
        assert page.get_attribute("html", "dir") == ("rtl" if locale == "ar" else "ltr")
        assert expected_path in page.url, page.url
        axe.check(page)
        checked.append(expected_path)

    # Sign up; a new member lands on their home feed.
    page.goto(here.url(f"/auth/sign_up?lang={locale}"))
    check("/auth/sign_up")
    page.fill("#username", username)
    page.fill("#email", f"{username}@example.org")
    page.fill("#password", PASSWORD)
    page.fill("#password_confirmation", PASSWORD)
    submit(page)
    page.goto(here.url("/home"))
    check("/home")
    assert f"@{username}" in page.inner_text(".account bdi")

    # A post with an image and its description.
    page.fill("#compose-text", f"First day at the office, {locale}")
    page.click(".compose-more summary")
    image = tmp_path / "office.png"
    image.write_bytes(png())
    page.set_input_files("#file-1", str(image))
    page.fill("#description-1", "The office door")
    submit(page, "form.compose button.primary")
    assert "/home" in page.url
    card = page.locator("article.card").first
    assert f"First day at the office, {locale}" in card.inner_text()
    assert card.locator('img[alt="The office door"]').count() == 1
    own_post_url = here.url(card.locator(".meta a").first.get_attribute("href") or "")

    # Follow bob on the other instance, found by his full handle.
    bob_handle = f"@bob@{there.settings.domain}"
    page.goto(here.url(f"/search?q={bob_handle}"))
    check("/search")
    page.locator("section form button[type=submit]").first.click()
    page.wait_for_load_state()
    bob = there.run(get_member(there.context, "bob"))

    async def follows_accepted() -> bool:
        async with there.context.db.read() as conn:
            cursor = await conn.execute(
                "SELECT 1 FROM follows f JOIN accounts a ON a.id = f.follower_id"
                " WHERE f.followed_id = ? AND a.username = ?",
                (bob.account.id, username),
            )
            return await cursor.fetchone() is not None

    wait_until(lambda: there.run(follows_accepted()), "bob's server to record the follow")

    # Bob replies to her post; her open home page announces it live.
    page.goto(here.url("/home"))
    page.wait_for_function("typeof htmx !== 'undefined'")
    page.wait_for_timeout(500)  # the stream connects once htmx has set the page up
    seen = there.run(status_at(there.context, own_post_url, bob, resolve=True))
    assert seen is not None, "bob's server could not fetch her post"
    reply_text = f"Welcome aboard {locale}!"
    there.run(post_status(
        there.context, "bob", f"@{username}@{here.settings.domain} {reply_text}",
        in_reply_to_id=seen.id,
    ))  # fmt: skip
    live = page.locator("#live-notes a, #live-posts a").first
    live.wait_for(state="visible", timeout=WAIT_MS)
    page.goto(here.url("/notifications"))
    check("/notifications")
    assert reply_text in page.inner_text("main")

    # Join the space and post in it.
    page.goto(here.url("/groups"))
    check("/groups")
    page.locator('form[action="/@commons/join"] button').click()
    page.wait_for_load_state()
    page.goto(here.url("/@commons"))
    check("/@commons")
    page.fill("#compose-text", f"Hello commons from {username}")
    submit(page, "form.compose button.primary")

    async def in_the_space() -> bool:
        async with here.context.db.read() as conn:
            cursor = await conn.execute(
                "SELECT content FROM statuses WHERE content LIKE ?",
                (f"%Hello commons from {username}%",),
            )
            return await cursor.fetchone() is not None

    wait_until(lambda: here.run(in_the_space()), "the post in the space")
    page.goto(here.url("/@commons"))
    assert f"Hello commons from {username}" in page.inner_text("main")

    # Change the profile.
    page.goto(here.url("/settings/profile"))
    check("/settings/profile")
    page.fill("#display_name", f"Dina {locale.upper()}")
    submit(page, "main form[enctype] button[type=submit], main form button[type=submit]")
    page.goto(here.url(f"/@{username}"))
    check(f"/@{username}")
    assert f"Dina {locale.upper()}" in page.inner_text("h1")

    # Switch language from the header: the page turns direction, the handle stays intact.
    other = "en" if locale == "ar" else "ar"
    with page.expect_navigation():
        page.click(f'nav.languages a[hreflang="{other}"]')
    assert page.get_attribute("html", "lang") == other
    assert page.get_attribute("html", "dir") == ("rtl" if other == "ar" else "ltr")
    assert page.inner_text(".account bdi") == f"@{username}"
    page.goto(here.url("/home"))
    assert page.get_attribute("html", "lang") == other  # remembered
    assert len(checked) >= 8
    context.close()
