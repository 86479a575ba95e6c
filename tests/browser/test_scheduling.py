"""Scheduling a post in chromium through the compose form: the browser's time zone (filled in by
app.js, the member having chosen none) is the one the date and time are read in; a time too
soon comes back with its message; the list of scheduled posts moves and cancels it by its own
forms; axe-core on the pages on the way, in English and Arabic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from fedi.accounts.members import get_member
from fedi.core.ids import MAX_ID
from fedi.db import scheduled_statuses
from fedi.db.scheduled_statuses import Scheduled
from tests.browser.axe import Axe
from tests.browser.conftest import Site, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def waiting(site: Site, username: str) -> list[Scheduled]:
    server = site.server

    async def read() -> list[Scheduled]:
        member = await get_member(server.context, username)
        async with server.context.db.read() as conn:
            return await scheduled_statuses.of_account(conn, member.account.id, MAX_ID, 0, 40)

    return server.run(read())


def field_value(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def submit(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_a_post_is_scheduled_in_the_browsers_zone_then_moved_and_cancelled(
    browser: Browser, site: Site, axe: Axe
) -> None:
    context = browser.new_context(timezone_id="America/Sao_Paulo")
    try:
        page = context.new_page()
        sign_in(page, site, "alice")
        page.goto(site.url("/home?lang=en"))
        zone_field = page.locator('#compose input[name="time_zone"]')
        assert zone_field.input_value() == "America/Sao_Paulo"  # filled by app.js
        page.click("#compose .compose-schedule summary")
        when = (datetime.now(UTC) + timedelta(hours=3)).replace(second=0, microsecond=0)
        page.fill("#compose-text", "Assembly notes, to share tonight")
        page.fill("#compose-scheduled-at", field_value(when, SAO_PAULO))
        submit(page, "#compose button[type=submit]")
        assert page.url.endswith("/scheduled?done=scheduled"), page.url
        assert "Assembly notes, to share tonight" in page.inner_text("main")
        [kept] = waiting(site, "alice")
        assert kept.scheduled_at == when  # read in São Paulo time, not the server's
        axe.check(page)

        # Too soon: the form comes back with the reason and the text, nothing more kept.
        page.goto(site.url("/home?lang=en"))
        page.click("#compose .compose-schedule summary")
        page.fill("#compose-text", "Right away?")
        soon = datetime.now(UTC) + timedelta(minutes=1)
        page.fill("#compose-scheduled-at", field_value(soon, SAO_PAULO))
        submit(page, "#compose button[type=submit]")
        assert "at least 5 minutes from now" in page.inner_text('[role="alert"]')
        assert page.input_value("#compose-text") == "Right away?"
        assert len(waiting(site, "alice")) == 1
        axe.check(page)

        # The list reads times in UTC (alice chose no zone): move the post, then cancel it.
        page.goto(site.url("/scheduled?lang=en"))
        later = when + timedelta(days=1)
        page.fill(f"#scheduled-{kept.id}-time", field_value(later, ZoneInfo("UTC")))
        submit(page, f"#scheduled-{kept.id} form[action$='/time'] button")
        assert page.url.endswith("/scheduled?done=moved")
        assert [s.scheduled_at for s in waiting(site, "alice")] == [later]
        page.goto(site.url("/scheduled?lang=ar"))
        assert page.get_attribute("html", "dir") == "rtl"
        axe.check(page)
        submit(page, f"#scheduled-{kept.id} form[action$='/cancel'] button")
        assert page.url.endswith("/scheduled?done=cancelled")
        assert waiting(site, "alice") == []
        assert page.locator(".scheduled-post").count() == 0
    finally:
        context.close()
