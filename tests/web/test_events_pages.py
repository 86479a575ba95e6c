"""The events pages without JavaScript: creating an event through the form (errors shown on the
form, 422), registering and cancelling with CSRF-checked forms, times in the member's chosen
time zone, the meeting link only after registration, the organisers' list with approve and
decline and its CSV, the `.ics` calendars (the link only in an accepted registrant's), a
members-only space's events hidden from others, and the Event served to other servers."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import icalendar
import pytest

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.core.models import User
from fedi.core.timeutil import utcnow
from fedi.db import events as event_rows
from fedi.groups.groups import create_group
from tests.conftest import BASE
from tests.testrig.groups import accept_follow
from tests.web.member.helpers import BROWSER, csrf_of, sign_in, submit

LINK = "https://meet.example.org/room-12"
AS = {"Accept": "application/activity+json"}


@pytest.fixture
async def amal(context: Context) -> User:
    user = await add_member(context, "amal", "password-amal")
    await context.db.write(lambda conn: conn.execute("UPDATE users SET is_approved = 1"))
    return user


@pytest.fixture
async def ben(context: Context) -> User:
    user = await add_member(context, "ben", "password-ben")
    await context.db.write(lambda conn: conn.execute("UPDATE users SET is_approved = 1"))
    return user


def fields(**changes: str) -> dict[str, str]:
    start = (utcnow() + timedelta(days=4)).strftime("%Y-%m-%dT15:00")
    end = (utcnow() + timedelta(days=4)).strftime("%Y-%m-%dT16:30")
    values = {
        "title": "Webinar on documenting detentions", "description": "Agenda & speakers",
        "start_at": start, "end_at": end, "timezone": "Africa/Tunis", "online_url": LINK,
        "capacity": "", "registration": "open", "language": "en", "group": "",
    }  # fmt: skip
    values.update(changes)
    return values


async def new_event(client: httpx.AsyncClient, **changes: str) -> str:
    answer = await submit(client, "/events/new", fields(**changes), page="/events/new")
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"])


async def test_a_member_creates_an_event_and_another_registers(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    await sign_in(client, "amal", "password-amal")
    bad = await submit(client, "/events/new", fields(timezone="Mars/Base", online_url="ftp://x"),
                       page="/events/new")  # fmt: skip
    assert bad.status_code == 422
    assert "This is not a time zone this server knows" in bad.text
    assert "must be an http or https address" in bad.text
    path = await new_event(client)
    page = await client.get(path, headers=BROWSER)
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    assert LINK in page.text  # the organiser sees it
    assert "15:00" in page.text  # shown in the event's own zone by default
    client.cookies.clear()
    await sign_in(client, "ben", "password-ben")
    page = await client.get(path, headers=BROWSER)
    assert LINK not in page.text and "Register" in page.text
    listing = await client.get("/events", headers=BROWSER)
    assert "Webinar on documenting detentions" in listing.text and LINK not in listing.text
    ics = await client.get(f"{path}.ics")
    assert ics.headers["content-type"].startswith("text/calendar") and LINK not in ics.text
    done = await submit(client, f"{path}/register", {}, page=path)
    assert done.status_code == 303
    page = await client.get(path, headers=BROWSER)
    assert LINK in page.text and "You are registered." in page.text
    calendar = icalendar.Calendar.from_ical((await client.get(f"{path}.ics")).content)
    vevent = calendar.walk("VEVENT")[0]
    assert str(vevent["conference"]) == LINK
    assert vevent["dtstart"].params["TZID"] == "Africa/Tunis"
    assert calendar.walk("VTIMEZONE"), "a VTIMEZONE for the zone used"
    # Times in ben's own zone once he chooses one.
    await submit(client, "/events/time_zone", {"time_zone": "Asia/Tokyo", "next": path},
                 page=path)  # fmt: skip
    page = await client.get(path, headers=BROWSER)
    assert "23:00" in page.text and "Asia/Tokyo" in page.text
    cancelled = await submit(client, f"{path}/cancel", {}, page=path)
    assert cancelled.status_code == 303
    assert LINK not in (await client.get(path, headers=BROWSER)).text


async def test_forms_without_the_csrf_token_are_refused(
    client: httpx.AsyncClient, amal: User
) -> None:
    await sign_in(client, "amal", "password-amal")
    path = await new_event(client)
    answer = await client.post(f"{path}/register", data={"csrf_token": "forged-token-123456789"},
                               headers=BROWSER | {"Origin": BASE})  # fmt: skip
    assert answer.status_code == 403
    answer = await client.post("/events/new", data=fields(), headers=BROWSER | {"Origin": BASE})
    assert answer.status_code == 403


async def test_organisers_approve_decline_and_export_registrations(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    await sign_in(client, "amal", "password-amal")
    path = await new_event(client, registration="approval")
    client.cookies.clear()
    await sign_in(client, "ben", "password-ben")
    await submit(client, f"{path}/register", {"message": '=HYPERLINK("x")'}, page=path)
    assert "awaits the organisers" in (await client.get(path, headers=BROWSER)).text
    assert (await client.get(f"{path}/registrations", headers=BROWSER)).status_code == 404
    assert (await client.get(f"{path}/registrations.csv")).status_code == 404
    client.cookies.clear()
    await sign_in(client, "amal", "password-amal")
    listed = await client.get(f"{path}/registrations", headers=BROWSER)
    assert listed.status_code == 200 and "Awaiting approval" in listed.text
    exported = await client.get(f"{path}/registrations.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert "@ben@fedi.test" in exported.text and "'=HYPERLINK" in exported.text
    action = f"{path}/registrations/{ben.account.id}/approve"
    assert (await submit(client, action, {}, page=f"{path}/registrations")).status_code == 303
    assert "Accepted" in (await client.get(f"{path}/registrations", headers=BROWSER)).text


async def test_a_members_only_spaces_event_is_hidden_everywhere_else(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    group = await create_group(context, "lawyers", "amal", is_private=True)
    await sign_in(client, "amal", "password-amal")
    path = await new_event(client, group="lawyers")
    event_id = int(path.rsplit("/", 1)[1])
    async with context.db.read() as conn:
        stored = await event_rows.get_event(conn, event_id)
    assert stored is not None and stored.group_id == group.id and not stored.is_public
    assert (await client.get("/@lawyers/events.ics")).status_code == 200
    client.cookies.clear()
    missing = await client.get("/events/1", headers=BROWSER)
    for target in (path, f"{path}.ics", "/@lawyers/events.ics"):
        answer = await client.get(target, headers=BROWSER)
        assert answer.status_code == 404, target
    assert (await client.get(path, headers=AS)).status_code == 404
    await sign_in(client, "ben", "password-ben")
    assert (await client.get(path, headers=BROWSER)).status_code == missing.status_code == 404
    assert "Webinar" not in (await client.get("/events", headers=BROWSER)).text
    await accept_follow(context, ben.account, group.account)
    assert (await client.get(path, headers=BROWSER)).status_code == 200


async def test_a_public_event_is_served_as_an_activitystreams_event(
    client: httpx.AsyncClient, amal: User
) -> None:
    await sign_in(client, "amal", "password-amal")
    path = await new_event(client, capacity="40")
    client.cookies.clear()
    document = (await client.get(path, headers=AS)).json()
    assert document["type"] == "Event" and document["id"] == f"{BASE}{path}"
    assert document["maximumAttendeeCapacity"] == 40
    assert document["remainingAttendeeCapacity"] == 40
    assert LINK not in str(document)
    assert re.match(r"\d{4}-\d\d-\d\dT15:00:00\+01:00", document["startTime"])
    token = await csrf_of(client, "/auth/sign_in")
    assert token
