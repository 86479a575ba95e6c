"""The events pages pass axe-core in English and Arabic (right to left): the list, the form to
create an event (also with its errors shown), an event's page as its organiser, as a visitor
and as a registrant, and the organisers' list of registrations."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from fedi.accounts.members import get_member
from fedi.core.timeutil import utcnow
from fedi.db import groups as group_rows
from fedi.events.events import create_event
from fedi.events.registrations import register
from fedi.events.validation import EventDraft
from tests.browser.axe import Axe
from tests.browser.conftest import Site

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

LOCALES = ["en", "ar"]


@pytest.fixture(scope="module")
def event_id(site: Site) -> int:
    """An approval-mode webinar of the space `garden`, organised by admin; alice asked to come."""
    server, context = site.server, site.server.context
    admin = server.run(get_member(context, "admin"))
    alice = server.run(get_member(context, "alice"))
    start = utcnow() + timedelta(days=6)
    draft = EventDraft(
        "ندوة شهرية: Monthly webinar", "Agenda and speakers. https://example.org/agenda",
        start, start + timedelta(hours=2), "Africa/Tunis", "https://meet.example.org/garden",
        "ar", 30, "approval",
    )  # fmt: skip

    async def make() -> int:
        async with context.db.read() as conn:
            group = await group_rows.get_group_by_name(conn, "garden")
        assert group is not None
        event = await create_event(context, admin.account, draft, group.account)
        await register(context, event, alice.account, "Researcher, Tunis office")
        return event.id

    return server.run(make())


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    "path", ["/events", "/events/new", "/events/{event}", "/events/{event}/registrations"]
)
def test_the_organisers_event_pages_pass_axe(
    admin_context: BrowserContext, site: Site, axe: Axe, event_id: int, path: str, locale: str
) -> None:
    page = admin_context.new_page()
    answer = page.goto(site.url(f"{path.format(event=event_id)}?lang={locale}"))
    assert answer is not None and answer.status == 200
    assert page.get_attribute("html", "lang") == locale
    axe.check(page)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_event_form_with_its_errors_passes_axe(
    admin_context: BrowserContext, site: Site, axe: Axe, locale: str
) -> None:
    page = admin_context.new_page()
    page.goto(site.url(f"/events/new?lang={locale}"))
    page.fill("#title", "Webinar")
    page.fill("#start_at", "2031-05-04T10:00")
    page.fill("#end_at", "2031-05-04T09:00")
    page.fill("#timezone", "Africa/Tunis")
    page.fill("#online_url", "ftp://meet.example.org/x")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator("[aria-invalid=true]").count() == 2
    axe.check(page)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_visitor_sees_an_events_page_without_its_link(
    context: BrowserContext, site: Site, axe: Axe, event_id: int, locale: str
) -> None:
    page = context.new_page()
    page.goto(site.url(f"/events/{event_id}?lang={locale}"))
    assert "meet.example.org" not in page.content()
    axe.check(page)
