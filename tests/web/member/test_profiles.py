"""Profiles in the member app without JavaScript: follow (a request for a locked account),
unfollow, block, mute and report from a profile, each a form with the CSRF token; the posts as
member cards; an account on another server shown from what this server knows, followed with a
federated Follow and reported with a copy to its server; visitors keep the public pages."""

from __future__ import annotations

import json

import httpx
import pytest

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.core import ids
from fedi.core.models import Account, NewStatus, Status, User
from fedi.core.timeutil import to_db, utcnow
from fedi.db import follows, interactions, mutes, statuses
from fedi.groups.groups import create_group
from fedi.statuses.posting import post_status
from tests.testrig.group_web import assert_translated, remote_account
from tests.web.member.helpers import BROWSER, csrf_of, sign_in, submit


@pytest.fixture
async def amal(context: Context) -> User:
    return await add_member(context, "amal", "password-amal")


@pytest.fixture
async def ben(context: Context) -> User:
    return await add_member(context, "ben", "password-ben")


@pytest.fixture
async def rita(context: Context) -> Account:
    """An account on another server, with a bio that tries to run a script."""
    account = await remote_account(context, "rita", "remote.example.org")
    note = '<p>Lawyer <script>alert(1)</script><a href="https://x.example.org">site</a></p>'
    await context.db.write(
        lambda conn: conn.execute("UPDATE accounts SET note = ? WHERE id = ?", (note, account.id))
    )
    return account


async def remote_post(context: Context, author: Account, text: str) -> Status:
    status_id = ids.new_id()
    uri = f"https://{author.domain}/users/{author.username}/statuses/{status_id}"
    new = NewStatus(
        id=status_id, uri=uri, url=uri, account_id=author.id, visibility="public",
        content=f"<p>{text}</p>", spoiler_text="", is_sensitive=False, language="en",
        is_local=False, created_at=to_db(utcnow()),
    )  # fmt: skip
    await context.db.write(lambda conn: statuses.insert_status(conn, new))
    async with context.db.read() as conn:
        stored = await statuses.get_by_id(conn, status_id)
    assert stored is not None
    return stored


async def follow_state(context: Context, follower: Account, followed: Account) -> str | None:
    async with context.db.read() as conn:
        found = await follows.get_follow(conn, follower.id, followed.id)
    return found[2] if found else None


async def is_muting(context: Context, user: User, other: User) -> bool:
    async with context.db.read() as conn:
        found = await mutes.active_mute(conn, user.account.id, other.account.id, to_db(utcnow()))
    return found is not None


async def test_a_visitor_keeps_the_public_profile_and_no_remote_one(
    client: httpx.AsyncClient, context: Context, ben: User, rita: Account
) -> None:
    await post_status(context, "ben", "Public thoughts")
    page = await client.get("/@ben", headers=BROWSER)
    assert page.status_code == 200 and "Public thoughts" in page.text
    assert "/@ben/follow" not in page.text and "private" not in page.headers.get(
        "cache-control", ""
    )
    remote = await client.get("/@rita@remote.example.org", headers=BROWSER)
    assert remote.status_code == 404


async def test_a_member_follows_mutes_and_blocks_from_a_profile(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    await post_status(context, "ben", "Field notes from the valley")
    await sign_in(client, "amal", "password-amal")
    page = await client.get("/@ben?lang=en", headers=BROWSER)
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    assert "Field notes from the valley" in page.text and "/favourite" in page.text
    assert 'action="/@ben/follow"' in page.text and 'href="/@ben/report"' in page.text
    assert '<bdi dir="ltr" class="handle">@ben@fedi.test</bdi>' in page.text

    answer = await submit(client, "/@ben/follow", {"next": "/@ben"}, page="/@ben")
    assert answer.status_code == 303 and answer.headers["location"] == "/@ben"
    assert await follow_state(context, amal.account, ben.account) == "accepted"
    assert 'action="/@ben/unfollow"' in (await client.get("/@ben", headers=BROWSER)).text
    await submit(client, "/@ben/unfollow", {"next": "/@ben"}, page="/@ben")
    assert await follow_state(context, amal.account, ben.account) is None

    await submit(client, "/@ben/mute", {"next": "/@ben"}, page="/@ben")
    assert await is_muting(context, amal, ben)
    assert 'action="/@ben/unmute"' in (await client.get("/@ben", headers=BROWSER)).text
    await submit(client, "/@ben/unmute", {"next": "/@ben"}, page="/@ben")
    await submit(client, "/@ben/block", {"next": "/@ben"}, page="/@ben")
    async with context.db.read() as conn:
        assert (
            await mutes.active_mute(conn, amal.account.id, ben.account.id, to_db(utcnow())) is None
        )
        assert await interactions.is_blocked(conn, amal.account.id, ben.account.id)
    await submit(client, "/@ben/unblock", {"next": "/@ben"}, page="/@ben")
    async with context.db.read() as conn:
        assert not await interactions.is_blocked(conn, amal.account.id, ben.account.id)


async def test_a_locked_account_shows_the_request_waiting(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    await context.db.write(
        lambda conn: conn.execute(
            "UPDATE accounts SET is_locked = 1 WHERE id = ?", (ben.account.id,)
        )
    )
    await sign_in(client, "amal", "password-amal")
    page = await client.get("/@ben?lang=en", headers=BROWSER)
    assert "Ask to follow" in page.text
    await submit(client, "/@ben/follow", {"next": "/@ben"}, page="/@ben")
    assert await follow_state(context, amal.account, ben.account) == "pending"
    again = await client.get("/@ben?lang=en", headers=BROWSER)
    assert "Requested" in again.text and "Cancel the request" in again.text


async def test_relationship_forms_without_the_token_change_nothing(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    await sign_in(client, "amal", "password-amal")
    await csrf_of(client, "/@ben")
    for change in ("follow", "block", "mute", "report"):
        forged = await client.post(
            f"/@ben/{change}", data={"csrf_token": "x" * 40, "comment": "x"}, headers=BROWSER
        )
        assert forged.status_code == 403, change
        elsewhere = await submit(
            client, f"/@ben/{change}", {}, page="/@ben",
            headers={"Origin": "https://evil.example.org"},
        )  # fmt: skip
        assert elsewhere.status_code == 403, change
    assert await follow_state(context, amal.account, ben.account) is None
    async with context.db.read() as conn:
        assert not await interactions.is_blocked(conn, amal.account.id, ben.account.id)
        assert (
            await mutes.active_mute(conn, amal.account.id, ben.account.id, to_db(utcnow())) is None
        )
        cursor = await conn.execute("SELECT count(*) FROM reports")
        assert (await cursor.fetchone())[0] == 0  # type: ignore[index]


async def test_reporting_an_account_with_some_of_its_posts(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User
) -> None:
    shown = await post_status(context, "ben", "Buy cheap watches now")
    hidden = await post_status(context, "ben", "Followers-only rant", visibility="private")
    await sign_in(client, "amal", "password-amal")
    page = await client.get("/@ben/report?lang=en", headers=BROWSER)
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    assert "Buy cheap watches now" in page.text and "Followers-only rant" not in page.text
    assert 'name="forward"' not in page.text  # ben is on this server
    # A post the reporter may not see is refused like a missing one, and nothing is filed.
    refused = await submit(
        client, "/@ben/report", {"category": "spam", f"post_{hidden.id}": str(hidden.id)},
        page="/@ben/report",
    )  # fmt: skip
    assert refused.status_code == 422
    answer = await submit(
        client, "/@ben/report",
        {"category": "spam", "comment": "Spam again", f"post_{shown.id}": str(shown.id)},
        page="/@ben/report",
    )  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"] == "/@ben?reported=1"
    async with context.db.read() as conn:
        cursor = await conn.execute(
            "SELECT r.id, r.category, r.comment, r.is_forwarded, r.target_account_id"
            " FROM reports r WHERE r.account_id = ?", (amal.account.id,),
        )  # fmt: skip
        rows = await cursor.fetchall()
        assert [tuple(r)[1:] for r in rows] == [("spam", "Spam again", 0, ben.account.id)]
        cursor = await conn.execute("SELECT status_id FROM report_statuses")
        assert [r[0] for r in await cursor.fetchall()] == [shown.id]
    thanks = await client.get("/@ben?reported=1&lang=en", headers=BROWSER)
    assert "the report was sent" in thanks.text
    mine = await client.get("/@amal/report", headers=BROWSER)
    assert mine.status_code == 404  # nobody reports themselves


async def test_a_remote_profile_for_members_with_follow_and_forwarded_report(
    client: httpx.AsyncClient, context: Context, amal: User, rita: Account
) -> None:
    await remote_post(context, rita, "Notes from the hearing")
    await sign_in(client, "amal", "password-amal")
    page = await client.get("/@rita@remote.example.org?lang=en", headers=BROWSER)
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    assert '<bdi dir="ltr" class="handle">@rita@remote.example.org</bdi>' in page.text
    assert "Notes from the hearing" in page.text and "<script>" not in page.text
    assert "Lawyer" in page.text
    assert "another server" in page.text
    answer = await submit(
        client, "/@rita@remote.example.org/follow", {"next": "/@rita@remote.example.org"},
        page="/@rita@remote.example.org",
    )  # fmt: skip
    assert answer.status_code == 303
    assert await follow_state(context, amal.account, rita) == "pending"
    sent = await outbox_types(context)
    assert "Follow" in sent
    report = await client.get("/@rita@remote.example.org/report", headers=BROWSER)
    assert 'name="forward"' in report.text
    filed = await submit(
        client, "/@rita@remote.example.org/report",
        {"category": "other", "comment": "Threats", "forward": "on"},
        page="/@rita@remote.example.org/report",
    )  # fmt: skip
    assert filed.status_code == 303
    async with context.db.read() as conn:
        cursor = await conn.execute("SELECT is_forwarded FROM reports")
        assert [r[0] for r in await cursor.fetchall()] == [1]
    assert "Flag" in await outbox_types(context)
    missing = await client.get("/@nobody@remote.example.org", headers=BROWSER)
    assert missing.status_code == 404


async def outbox_types(context: Context) -> list[str]:
    async with context.db.read() as conn:
        cursor = await conn.execute("SELECT body FROM outbox_activities ORDER BY id")
        return [json.loads(row[0])["type"] for row in await cursor.fetchall()]


async def test_an_arabic_profile_keeps_handles_left_to_right(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User, rita: Account
) -> None:
    await sign_in(client, "amal", "password-amal")
    for path in ("/@ben", "/@rita@remote.example.org", "/@ben/report"):
        page = await client.get(f"{path}?lang=ar", headers=BROWSER)
        assert page.status_code == 200, path
        assert '<html lang="ar" dir="rtl">' in page.text
        handle = "@ben@fedi.test" if "ben" in path else "@rita@remote.example.org"
        assert f'<bdi dir="ltr" class="handle">{handle}</bdi>' in page.text


@pytest.mark.parametrize("code", ["fr", "ar", "de", "pt"])
async def test_member_people_pages_are_translated(
    client: httpx.AsyncClient, context: Context, amal: User, ben: User, rita: Account, code: str
) -> None:
    await create_group(context, "forum", "ben", display_name="Open forum")
    await post_status(context, "ben", "Notes #field")
    await sign_in(client, "amal", "password-amal")
    for path in ("/groups", "/@ben", "/@rita@remote.example.org", "/@ben/report",
                 "/search?q=b", "/search?q=%23fie", "/@forum"):  # fmt: skip
        separator = "&" if "?" in path else "?"
        page = await client.get(f"{path}{separator}lang={code}", headers=BROWSER)
        assert page.status_code == 200, path
        assert_translated(page.text, code)
