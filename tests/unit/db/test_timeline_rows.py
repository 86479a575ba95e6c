"""The timelines read through fedi.db.walk return exactly the rows the plain queries returned
(reference_timelines.py), page after page, for a varied data set: the benchmark's network at a
small scale (members, remote accounts, groups, boosts, replies, mentions, direct messages,
local-only posts, media, hashtags and followed hashtags, mutes, blocks, domain blocks, exclusive
lists, limited and suspended accounts). Each is checked with the default window and with a tiny
one, so that both the window walk and the sources serve pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bench.seed import Seeded
from fedi.core.models import Status
from fedi.db import group_pages, lists, timelines, walk
from fedi.db.connection import Reader
from fedi.db.timelines import TagQuery
from fedi.db.walk import Page
from tests.unit.db import reference_timelines as reference

Listing = Callable[[Reader, Page], Awaitable[list[Status]]]


@pytest.fixture(params=[walk.WINDOW, 13], ids=["window", "tiny-window"])
def window(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    size: int = request.param
    monkeypatch.setattr(walk, "WINDOW", size)
    return size


async def same_pages(conn: Reader, new: Listing, old: Listing, limit: int) -> int:
    """Page down with max_id, then check since_id and min_id pages around the middle; returns
    how many rows the pages held."""
    seen: list[int] = []
    page = Page(limit=limit)
    for _ in range(12):
        expected = [s.id for s in await old(conn, page)]
        assert [s.id for s in await new(conn, page)] == expected, page
        seen += expected
        if len(expected) < limit:
            break
        page = Page(max_id=expected[-1], limit=limit)
    if len(seen) > 2:
        middle = seen[len(seen) // 2]
        for around in (Page(since_id=middle, limit=limit), Page(min_id=middle, limit=limit),
                       Page(max_id=seen[0], since_id=middle, limit=limit),
                       Page(max_id=seen[1], min_id=seen[-1], limit=limit)):  # fmt: skip
            expected = [s.id for s in await old(conn, around)]
            assert [s.id for s in await new(conn, around)] == expected, around
    return len(seen)


def viewers(seeded: Seeded) -> list[int]:
    """The heavy member, every seventh member, the newcomer (whose home is mentions alone), and
    accounts that follow nobody."""
    return [*seeded.members[::7], seeded.members[-1], seeded.remote[0], seeded.groups[-1]]


async def test_home_is_the_same_page_after_page(
    conn: Reader, network: tuple[Path, Seeded], window: int
) -> None:
    total = 0
    for viewer in viewers(network[1]):
        for limit in (1, 7, 20):
            total += await same_pages(
                conn,
                lambda c, p, v=viewer: timelines.home(c, v, p),  # type: ignore[misc]
                lambda c, p, v=viewer: reference.home(c, v, p),  # type: ignore[misc]
                limit,
            )
    assert total > 500


async def test_followed_hashtags_bring_posts_of_strangers_home(
    conn: Reader, network: tuple[Path, Seeded]
) -> None:
    """The data set exercises the hashtag rule: the home pages the test above reads (twelve of
    twenty) hold public posts that only a followed hashtag brings (neither one's own, nor a
    followed account's, nor a mention)."""
    brought = 0
    for viewer in viewers(network[1]):
        cursor = await conn.execute("SELECT name FROM tag_follows WHERE account_id = ?", (viewer,))
        followed_tags = {row[0] for row in await cursor.fetchall()}
        for status in await timelines.home(conn, viewer, Page(limit=240)):
            cursor = await conn.execute(
                "SELECT (SELECT 1 FROM follows WHERE follower_id = ? AND followed_id = ?"
                "   AND state = 'accepted'),"
                " (SELECT 1 FROM mentions WHERE status_id = ? AND account_id = ?)",
                (viewer, status.account_id, status.id, viewer),
            )
            row = await cursor.fetchone()
            assert row is not None
            if status.account_id == viewer or row[0] or row[1]:
                continue
            assert status.visibility == "public" and status.reblog_of_id is None
            cursor = await conn.execute(
                "SELECT name FROM status_tags WHERE status_id = ?", (status.id,)
            )
            assert followed_tags & {tag for (tag,) in await cursor.fetchall()}, status.id
            brought += 1
    assert brought > 50, brought


async def test_public_timelines_are_the_same(
    conn: Reader, network: tuple[Path, Seeded], window: int
) -> None:
    for viewer in (None, network[1].members[3]):
        for local in (None, True, False):
            for media in (False, True):
                await same_pages(
                    conn,
                    lambda c, p, v=viewer, lo=local, m=media: timelines.public(c, lo, p, v, m),  # type: ignore[misc]
                    lambda c, p, v=viewer, lo=local, m=media: reference.public(c, lo, p, v, m),  # type: ignore[misc]
                    20,
                )  # fmt: skip


async def test_hashtag_timelines_are_the_same(
    conn: Reader, network: tuple[Path, Seeded], window: int
) -> None:
    queries = [
        TagQuery(any=("theme1",)),
        TagQuery(any=("theme2", "theme3", "rights")),
        TagQuery(any=("theme4", "theme5"), all=("theme5",)),
        TagQuery(any=("theme6", "theme7", "theme8"), none=("theme7",)),
        TagQuery(any=("theme9",), local=True),
        TagQuery(any=("theme10", "theme11"), local=False, only_media=True),
        TagQuery(any=("absent",)),
    ]
    for query in queries:
        for viewer in (None, network[1].members[0]):
            await same_pages(
                conn,
                lambda c, p, q=query, v=viewer: timelines.tag(c, q, p, v),  # type: ignore[misc]
                lambda c, p, q=query, v=viewer: reference.tag(c, q, p, v),  # type: ignore[misc]
                5,
            )


async def test_list_timelines_are_the_same(
    conn: Reader, network: tuple[Path, Seeded], window: int
) -> None:
    checked = 0
    for member in network[1].members:
        for owned in await lists.lists_of(conn, member):
            for policy in ("list", "followed", "none"):
                changed = lists.UserList(
                    owned.id, owned.account_id, owned.title, policy, owned.is_exclusive
                )
                await same_pages(
                    conn,
                    lambda c, p, o=changed: timelines.list_timeline(c, o, p),  # type: ignore[misc]
                    lambda c, p, o=changed: reference.list_timeline(c, o, p),  # type: ignore[misc]
                    10,
                )
                checked += 1
    assert checked >= 3


async def test_account_statuses_are_the_same_and_boosts_come_only_when_asked(
    conn: Reader, network: tuple[Path, Seeded]
) -> None:
    from fedi.db import statuses

    seeded = network[1]
    boosted = 0
    for account in [*seeded.members[:12], *seeded.remote[:6], *seeded.public_groups]:
        for flags in range(16):
            private, local_only, no_replies, media = (bool(flags & b) for b in (1, 2, 4, 8))

            def new(c: Reader, p: Page, a: int = account, boosts: bool = False,
                    f: tuple[bool, ...] = (private, local_only, no_replies, media),
                    ) -> Awaitable[list[Status]]:  # fmt: skip
                return statuses.public_page(
                    c, a, p.max_id, p.limit, with_private=f[0], with_local_only=f[1],
                    without_replies=f[2], only_media=f[3], with_reblogs=boosts,
                )  # fmt: skip

            def old(c: Reader, p: Page, a: int = account,
                    f: tuple[bool, ...] = (private, local_only, no_replies, media),
                    ) -> Awaitable[list[Status]]:  # fmt: skip
                return reference.public_page(
                    c, a, p.max_id, p.limit, with_private=f[0], with_local_only=f[1],
                    without_replies=f[2], only_media=f[3],
                )  # fmt: skip

            async def without_boosts(c: Reader, p: Page) -> list[Status]:
                return [s for s in await new(c, Page(max_id=p.max_id, limit=200), boosts=True)
                        if s.reblog_of_id is None][: p.limit]  # fmt: skip

            await same_pages(conn, new, old, 9)
            await same_pages(conn, without_boosts, old, 9)
            everything = await new(conn, Page(limit=200), boosts=True)
            boosted += sum(1 for s in everything if s.reblog_of_id is not None)
            assert not (media and any(s.reblog_of_id for s in everything))
    assert boosted > 0


async def test_group_pages_are_the_same(
    conn: Reader, network: tuple[Path, Seeded], window: int
) -> None:
    for group in network[1].groups:
        for members_view in (False, True):
            await same_pages(
                conn,
                lambda c, p, g=group, m=members_view: group_pages.posts_page(  # type: ignore[misc]
                    c, g, p.max_id, p.limit, members_view=m
                ),
                lambda c, p, g=group, m=members_view: reference.posts_page(  # type: ignore[misc]
                    c, g, p.max_id, p.limit, members_view=m
                ),
                6,
            )


async def test_threads_are_the_same(conn: Reader, network: tuple[Path, Seeded]) -> None:
    from fedi.db import statuses

    cursor = await conn.execute(
        "SELECT id FROM statuses WHERE in_reply_to_id IS NOT NULL ORDER BY id LIMIT 400"
    )
    replies = [row[0] for row in await cursor.fetchall()]
    found = await statuses.get_many(conn, replies)
    parents = await statuses.get_many(conn, [s.in_reply_to_id or 0 for s in found.values()])
    deep = 0
    for status in [*found.values(), *parents.values()]:
        for limit in (200, 3):
            new = await statuses.thread_of(conn, status, limit)
            old = await reference.thread_of(conn, status, limit)
            assert [[s.id for s in side] for side in new] == [[s.id for s in side] for side in old]
            deep += len(new[0]) > 1 or len(new[1]) > 1
    assert deep > 10
