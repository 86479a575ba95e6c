"""Scheduling posts from the pages, without JavaScript: the compose form's "schedule for later"
reads its date and time in the member's time zone (their preference, else the browser's sent in
a hidden field, else UTC), refuses a time under five minutes ahead or unreadable with a message
and nothing kept; the list of scheduled posts shows them in the member's zone, each moved or
cancelled by its own form with the CSRF token; another member's are not found."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.core.ids import MAX_ID
from fedi.core.models import User
from fedi.db import events as event_rows
from fedi.db import scheduled_statuses
from fedi.db.scheduled_statuses import Scheduled
from fedi.statuses.scheduled import schedule
from tests.conftest import BASE
from tests.web.member.helpers import BROWSER, sign_in, submit

TUNIS = ZoneInfo("Africa/Tunis")


@pytest.fixture
async def amal(context: Context) -> User:
    return await add_member(context, "amal", "password-amal")


async def waiting(context: Context, user: User) -> list[Scheduled]:
    async with context.db.read() as conn:
        return await scheduled_statuses.of_account(conn, user.account.id, MAX_ID, 0, 40)


async def published(context: Context, user: User) -> int:
    async with context.db.read() as conn:
        cursor = await conn.execute(
            "SELECT count(*) FROM statuses WHERE account_id = ?", (user.account.id,)
        )
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


def local(moment: datetime, zone: ZoneInfo) -> str:
    """As a datetime-local field sends it."""
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def in_an_hour() -> datetime:
    return (datetime.now(UTC) + timedelta(hours=1)).replace(second=0, microsecond=0)


async def test_a_post_scheduled_from_the_form_waits_in_the_members_own_zone(
    client: httpx.AsyncClient, context: Context, amal: User
) -> None:
    await context.db.write(lambda c: event_rows.set_time_zone(c, amal.account.id, "Africa/Tunis"))
    await sign_in(client, "amal", "password-amal")
    home = await client.get("/home", headers=BROWSER)
    assert 'name="scheduled_at"' in home.text and 'href="/scheduled"' in home.text
    assert '<input type="hidden" name="time_zone" value="Africa/Tunis">' in home.text
    when = in_an_hour()
    # The browser's zone is ignored when the member chose their own.
    sent = await submit(client, "/statuses", {
        "status": "Statement at the hearing", "visibility": "unlisted",
        "scheduled_at": local(when, TUNIS), "time_zone": "America/New_York", "next": "/home",
    })  # fmt: skip
    assert sent.status_code == 303 and sent.headers["location"] == "/scheduled?done=scheduled"
    [kept] = await waiting(context, amal)
    assert kept.scheduled_at == when and kept.params["visibility"] == "unlisted"
    assert await published(context, amal) == 0
    page = await client.get(sent.headers["location"], headers=BROWSER)
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    assert "The post is scheduled" in page.text and "Statement at the hearing" in page.text
    assert f'value="{local(when, TUNIS)}"' in page.text  # the change-time field, in Tunis time
    assert f'datetime="{when.isoformat()}"' in page.text


async def test_without_a_preference_the_browsers_zone_is_used_else_utc(
    client: httpx.AsyncClient, context: Context, amal: User
) -> None:
    await sign_in(client, "amal", "password-amal")
    home = await client.get("/home", headers=BROWSER)
    assert 'name="time_zone" value="" data-browser-zone' in home.text
    when = in_an_hour()
    new_york = ZoneInfo("America/New_York")
    for zone, field in (
        (new_york, "America/New_York"),
        (ZoneInfo("UTC"), ""),
        (ZoneInfo("UTC"), "Mars/Base"),
    ):
        sent = await submit(client, "/statuses", {
            "status": f"zone {field}", "scheduled_at": local(when, zone), "time_zone": field,
        })  # fmt: skip
        assert sent.status_code == 303, sent.text
    assert sorted(s.scheduled_at for s in await waiting(context, amal)) == [when] * 3


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("soon", "at least 5 minutes from now"),
        ("next tuesday", "is not a date and time"),
        ("2025-13-45T99:00", "is not a date and time"),
        ("1999-01-01T10:00", "at least 5 minutes from now"),
    ],
)
async def test_a_time_too_soon_or_unreadable_is_refused_and_nothing_is_kept(
    client: httpx.AsyncClient, context: Context, amal: User, value: str, message: str
) -> None:
    await sign_in(client, "amal", "password-amal")
    if value == "soon":
        value = local(datetime.now(UTC) + timedelta(minutes=2), ZoneInfo("UTC"))
    sent = await submit(client, "/statuses", {"status": "Not yet", "scheduled_at": value})
    assert sent.status_code == 422
    assert message in sent.text and 'role="alert"' in sent.text
    assert ">Not yet</textarea>" in sent.text  # what the member wrote comes back
    assert await waiting(context, amal) == [] and await published(context, amal) == 0


async def test_an_empty_post_is_refused_as_a_post_is(
    client: httpx.AsyncClient, context: Context, amal: User
) -> None:
    await sign_in(client, "amal", "password-amal")
    sent = await submit(client, "/statuses", {"status": " ", "scheduled_at": local(
        in_an_hour(), ZoneInfo("UTC"))})  # fmt: skip
    assert sent.status_code == 422 and "write some text or attach a file" in sent.text
    assert await waiting(context, amal) == []


async def test_the_time_is_changed_and_the_post_cancelled_by_their_forms(
    client: httpx.AsyncClient, context: Context, amal: User
) -> None:
    kept = await schedule(
        context, amal, in_an_hour().isoformat(), text="Agenda", visibility="public"
    )
    other = await schedule(
        context, amal, in_an_hour().isoformat(), text="Minutes", visibility="public"
    )
    await sign_in(client, "amal", "password-amal")
    later = in_an_hour() + timedelta(hours=2)
    utc = ZoneInfo("UTC")
    moved = await submit(client, f"/scheduled/{kept.id}/time", {
        "scheduled_at": local(later, utc), "time_zone": "UTC"}, page="/scheduled")  # fmt: skip
    assert moved.status_code == 303 and moved.headers["location"] == "/scheduled?done=moved"
    too_soon = await submit(client, f"/scheduled/{kept.id}/time", {
        "scheduled_at": local(datetime.now(UTC), utc)}, page="/scheduled")  # fmt: skip
    assert too_soon.status_code == 422 and "at least 5 minutes from now" in too_soon.text
    garbage = await submit(
        client, f"/scheduled/{kept.id}/time", {"scheduled_at": "noon"}, page="/scheduled"
    )
    assert garbage.status_code == 422 and "is not a date and time" in garbage.text
    cancelled = await submit(client, f"/scheduled/{other.id}/cancel", {}, page="/scheduled")
    assert cancelled.status_code == 303
    assert cancelled.headers["location"] == "/scheduled?done=cancelled"
    [left] = await waiting(context, amal)
    assert left.id == kept.id and left.scheduled_at == later
    gone = await submit(client, f"/scheduled/{other.id}/cancel", {}, page="/scheduled")
    assert gone.status_code == 404


async def test_forms_need_their_token_and_another_members_posts_are_not_found(
    client: httpx.AsyncClient, context: Context, amal: User
) -> None:
    await add_member(context, "ben", "password-ben")
    kept = await schedule(context, amal, in_an_hour().isoformat(), text="Mine", visibility="public")
    await sign_in(client, "amal", "password-amal")
    forged = await client.post(
        f"/scheduled/{kept.id}/cancel", data={"next": "/"}, headers=BROWSER | {"Origin": BASE}
    )
    assert forged.status_code == 403
    client.cookies.clear()
    await sign_in(client, "ben", "password-ben")
    page = await client.get("/scheduled", headers=BROWSER)
    assert "Mine" not in page.text and "You have no scheduled posts" in page.text
    for action in ("cancel", "time"):
        refused = await submit(client, f"/scheduled/{kept.id}/{action}", {
            "scheduled_at": local(in_an_hour(), ZoneInfo("UTC"))}, page="/scheduled")  # fmt: skip
        assert refused.status_code == 404, action
    assert [s.id for s in await waiting(context, amal)] == [kept.id]


async def test_the_page_reads_right_to_left_in_arabic_and_needs_signing_in(
    client: httpx.AsyncClient, context: Context, amal: User
) -> None:
    visitor = await client.get("/scheduled", headers=BROWSER)
    assert visitor.status_code == 303 and visitor.headers["location"].startswith("/auth/sign_in")
    await schedule(context, amal, in_an_hour().isoformat(), text="Rapport", visibility="public")
    await sign_in(client, "amal", "password-amal")
    page = await client.get("/scheduled?lang=ar", headers=BROWSER)
    assert 'dir="rtl"' in page.text and '<p class="text" dir="auto">Rapport</p>' in page.text
    assert '<h1 tabindex="-1">Scheduled posts</h1>' not in page.text  # in Arabic
    assert '<bdi dir="ltr">UTC</bdi>' in page.text
