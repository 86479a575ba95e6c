"""Spaces in the member app without JavaScript: the directory of groups with the member's place
in each (a fixed number of statements whatever the number of groups), joining and leaving from
it, and a group's page with the member cards and a compose box that posts in the group exactly
as an app's post does; a members-only space shows nothing of itself to anyone else."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite
import httpx
import pytest

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.core.config import Settings, load_settings
from fedi.core.models import Group, Status, User
from fedi.db import Database, statuses
from fedi.db import group_posts as group_post_rows
from fedi.db import groups as group_rows
from fedi.groups import moderation
from fedi.groups.groups import create_group
from fedi.relationships.relationships import follow
from tests.api.tokens import bearer
from tests.conftest import DOMAIN
from tests.testrig.group_web import group_post
from tests.web.member.helpers import BROWSER, csrf_of, sign_in, submit


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The usual test instance, with the password grant for the app's side of a comparison."""
    return load_settings(
        {"FEDI_DOMAIN": DOMAIN, "FEDI_DATA_DIR": str(tmp_path / "data"),
         "FEDI_REGISTRATIONS": "approval", "FEDI_INSTANCE_TITLE": "Test network",
         "FEDI_PASSWORD_GRANT": "true"}
    )  # fmt: skip


@pytest.fixture
async def people(context: Context) -> dict[str, User]:
    return {n: await add_member(context, n, f"{n}-password") for n in ("olga", "mia", "nils")}


@pytest.fixture
async def forum(context: Context, people: dict[str, User]) -> Group:
    return await create_group(
        context,
        "forum",
        "olga",
        display_name="Open forum",
        note="<p>Talk about <b>anything</b></p>",
    )


@pytest.fixture
async def casework(context: Context, people: dict[str, User]) -> Group:
    """A private group with mia as its member and one of her posts (the group's copy)."""
    group = await create_group(
        context, "casework", "olga", is_private=True, display_name="Casework",
        note="Strategic litigation",
    )  # fmt: skip
    await follow(context, "mia", group.account)
    await moderation.approve(context, group, people["olga"], people["mia"].account.id)
    await group_post(
        context, group.account, group, "Secret case strategy", visibility="private",
        submitted_by=people["mia"].account,
    )  # fmt: skip
    return group


async def newest(context: Context, account_id: int) -> Status:
    async with context.db.read() as conn:
        cursor = await conn.execute(
            "SELECT id FROM statuses WHERE account_id = ? ORDER BY id DESC LIMIT 1", (account_id,)
        )
        row = await cursor.fetchone()
        assert row is not None
        status = await statuses.get_by_id(conn, row[0])
    assert status is not None
    return status


async def count_rows(context: Context, table: str) -> int:
    async with context.db.read() as conn:
        cursor = await conn.execute(f"SELECT count(*) FROM {table}")
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def test_the_directory_lists_every_space_with_the_members_place(
    client: httpx.AsyncClient, context: Context, people: dict[str, User], forum: Group,
    casework: Group,
) -> None:  # fmt: skip
    hidden = await create_group(context, "shelter", "olga", is_private=True, is_local_only=True)
    await sign_in(client, "mia", "mia-password")
    page = await client.get("/groups?lang=en", headers=BROWSER)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "private, no-store"
    mine, others = page.text.split('id="other-spaces"')
    assert "Casework" in mine and "Member" in mine and "/@casework/leave" in mine
    assert "Open forum" in others and "/@forum/join" in others and "Talk about anything" in others
    assert hidden.account.username in others and "This server only" in others
    assert "Members only" in page.text and "Public" in page.text
    assert '<bdi dir="ltr" class="handle">@forum@fedi.test</bdi>' in page.text
    assert "Secret case strategy" not in page.text  # a directory shows no posts

    joined = await submit(client, "/@forum/join", {"next": "/groups"}, page="/groups")
    assert joined.status_code == 303 and joined.headers["location"] == "/groups"
    async with context.db.read() as conn:
        assert await group_rows.membership(conn, forum.id, people["mia"].account.id) == "accepted"
    asked = await submit(client, "/@shelter/join", {"next": "/groups"}, page="/groups")
    assert asked.status_code == 303
    again = await client.get("/groups?lang=en", headers=BROWSER)
    assert "Request pending" in again.text.split('id="other-spaces"')[0]


async def test_the_directory_shows_bans_and_needs_signing_in(
    client: httpx.AsyncClient, context: Context, people: dict[str, User], forum: Group
) -> None:
    assert (await client.get("/groups", headers=BROWSER)).status_code == 303
    await moderation.ban(context, forum, people["olga"], people["nils"].account.id)
    await sign_in(client, "nils", "nils-password")
    page = await client.get("/groups?lang=en", headers=BROWSER)
    assert "You cannot join this group." in page.text
    assert "/@forum/join" not in page.text


async def test_joining_from_the_directory_without_the_token_changes_nothing(
    client: httpx.AsyncClient, context: Context, people: dict[str, User], forum: Group
) -> None:
    await sign_in(client, "mia", "mia-password")
    await csrf_of(client, "/groups")
    forged = await client.post(
        "/@forum/join", data={"csrf_token": "x" * 40, "next": "/groups"}, headers=BROWSER
    )
    assert forged.status_code == 403
    async with context.db.read() as conn:
        assert await group_rows.membership(conn, forum.id, people["mia"].account.id) is None


def count_statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQL statement the readers run from now on (the test clears the list)."""
    seen: list[str] = []

    def traced(plain: Callable[[Database], AbstractAsyncContextManager[Any]]) -> (
        Callable[[Database], AbstractAsyncContextManager[Any]]
    ):  # fmt: skip
        @asynccontextmanager
        async def reader(self: Database) -> AsyncIterator[aiosqlite.Connection]:
            async with plain(self) as conn:
                assert isinstance(conn, aiosqlite.Connection)
                await conn.set_trace_callback(seen.append)
                try:
                    yield conn
                finally:
                    await conn.set_trace_callback(None)  # type: ignore[arg-type]

        return reader

    monkeypatch.setattr(Database, "read", traced(Database.read))
    monkeypatch.setattr(Database, "read_now", traced(Database.read_now))
    return seen


@pytest.mark.sqlite_only
async def test_the_directory_costs_as_many_statements_for_many_groups_as_for_two(
    client: httpx.AsyncClient, context: Context, people: dict[str, User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    await sign_in(client, "mia", "mia-password")
    seen = count_statements(monkeypatch)
    counts = []
    for total in (2, 12):
        while (made := len(await _groups(context))) < total:
            group = await create_group(context, f"g{made}", "olga", is_private=made % 2 == 1)
            await follow(context, "mia", group.account)
        seen.clear()
        page = await client.get("/groups", headers=BROWSER)
        assert page.status_code == 200 and page.text.count('class="space"') == total
        counts.append(len(seen))
    assert counts[0] == counts[1], counts


async def _groups(context: Context) -> list[Group]:
    async with context.db.read() as conn:
        return await group_rows.list_groups(conn)


async def test_a_private_space_shows_its_posts_and_compose_to_members_only(
    client: httpx.AsyncClient, context: Context, people: dict[str, User], casework: Group
) -> None:
    await sign_in(client, "mia", "mia-password")
    page = await client.get("/@casework?lang=en", headers=BROWSER)
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    assert "Members-only space: posts here reach only its approved members." in page.text
    assert "Secret case strategy" in page.text
    assert 'name="group" value="casework"' in page.text
    assert 'name="visibility"' not in page.text and "poll_1" not in page.text
    assert "/favourite" in page.text  # member cards, with their actions

    client.cookies.delete("session")
    await sign_in(client, "nils", "nils-password")
    outside = await client.get("/@casework?lang=en", headers=BROWSER)
    assert outside.status_code == 200
    assert "Secret case strategy" not in outside.text
    assert 'name="group"' not in outside.text and "Members-only space" not in outside.text
    visitor = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
    async with visitor:
        public = await visitor.get("/@casework", headers=BROWSER)
    assert "Secret case strategy" not in public.text and 'name="group"' not in public.text


async def test_a_forged_post_into_a_private_space_is_refused(
    client: httpx.AsyncClient, context: Context, people: dict[str, User], casework: Group
) -> None:
    await sign_in(client, "nils", "nils-password")
    before = await count_rows(context, "statuses")
    forged = await submit(client, "/statuses", {"status": "Let me in", "group": "casework"})
    assert forged.status_code == 404
    assert await count_rows(context, "statuses") == before
    # Mentioning the group in an ordinary post does not get a non-member in either.
    mention = await submit(client, "/statuses", {"status": "@casework let me in"})
    assert mention.status_code == 422
    assert await count_rows(context, "statuses") == before


async def test_posting_in_a_private_space_makes_the_rows_an_app_makes(
    client: httpx.AsyncClient, context: Context, people: dict[str, User], casework: Group
) -> None:
    await follow(context, "nils", casework.account)
    await moderation.approve(context, casework, people["olga"], people["nils"].account.id)
    await sign_in(client, "mia", "mia-password")
    answer = await submit(
        client, "/statuses", {"status": "Hearing notes", "group": "casework",
                              "visibility": "public", "next": "/@casework"}, page="/@casework",
    )  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"] == "/@casework"
    from_page = await newest(context, people["mia"].account.id)

    app = await client.post(
        "/api/v1/statuses", data={"status": "@casework Hearing notes", "visibility": "public"},
        headers=await bearer(client, "nils", "write"),
    )  # fmt: skip
    assert app.status_code == 200, app.text
    from_app = await newest(context, people["nils"].account.id)

    for post in (from_page, from_app):
        assert (post.visibility, post.group_id, post.source_text) == (
            "direct",
            casework.id,
            "@casework Hearing notes",
        )
        async with context.db.read() as conn:
            mentioned = await statuses.mentioned_account_ids(conn, post.id)
            copy = await group_post_rows.copy_of_submission(conn, post.uri)
        assert list(mentioned) == [casework.id]
        assert copy is not None and copy.visibility == "private"
    assert from_page.content == from_app.content
    page = await client.get("/@casework", headers=BROWSER)
    assert "Hearing notes" in page.text


async def test_posting_in_a_public_group_from_its_page(
    client: httpx.AsyncClient, context: Context, people: dict[str, User], forum: Group
) -> None:
    await sign_in(client, "mia", "mia-password")
    outside = await client.get("/@forum", headers=BROWSER)
    assert 'name="group"' not in outside.text  # members post; others join first
    refused = await submit(client, "/statuses", {"status": "Hi", "group": "forum"}, page="/@forum")
    assert refused.status_code == 403
    await submit(client, "/@forum/join", {}, page="/@forum")
    page = await client.get("/@forum", headers=BROWSER)
    assert 'name="group" value="forum"' in page.text
    answer = await submit(
        client, "/statuses", {"status": "Hello forum", "group": "forum", "visibility": "direct",
                              "next": "/@forum"}, page="/@forum",
    )  # fmt: skip
    assert answer.status_code == 303
    post = await newest(context, people["mia"].account.id)
    assert (post.visibility, post.group_id, post.source_text) == (
        "public",
        forum.id,
        "@forum Hello forum",
    )
    empty = await submit(client, "/statuses", {"status": " ", "group": "forum"}, page="/@forum")
    assert empty.status_code == 422 and 'name="group" value="forum"' in empty.text
    again = await client.get("/@forum", headers=BROWSER)
    assert "Hello forum" in again.text


def _html_dir(page: str) -> Iterator[str]:
    yield page.split("<html ", 1)[1].split(">", 1)[0]


async def test_arabic_directory_keeps_handles_left_to_right(
    client: httpx.AsyncClient, context: Context, people: dict[str, User], forum: Group
) -> None:
    await sign_in(client, "mia", "mia-password")
    page = await client.get("/groups?lang=ar", headers=BROWSER)
    assert 'dir="rtl"' in next(_html_dir(page.text))
    assert '<bdi dir="ltr" class="handle">@forum@fedi.test</bdi>' in page.text
    assert "<bdi>Open forum</bdi>" in page.text
