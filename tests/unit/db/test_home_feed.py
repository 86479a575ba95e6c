"""The home feed (migration 0039) keeps home pages exactly those of the plain query: with the
floor in the middle of history (pages served by the feed above it, by the statuses walk below,
and pages across it), and after the writes that change a home (a follow asked then accepted, an
unfollow, new posts, a mention, a followed hashtag, a new member, a deleted post)."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bench.seed import Seeded, bench_settings
from fedi.accounts.members import add_member
from fedi.context import Context, open_context
from fedi.core import ids
from fedi.core.timeutil import to_db, utcnow
from fedi.db import follows, home_feed, tag_follows, timelines, walk
from fedi.db.connection import Reader
from fedi.statuses.home_trim import trim_round
from fedi.statuses.posting import post_status
from tests.unit.db import reference_timelines as reference
from tests.unit.db.conftest import DOMAIN
from tests.unit.db.test_timeline_rows import same_pages, viewers


@pytest.fixture
async def copied(tmp_path: Path, network: tuple[Path, Seeded]) -> AsyncIterator[Context]:
    data = tmp_path / "data"
    shutil.copytree(network[0], data)
    async with open_context(bench_settings(data, DOMAIN)) as context:
        yield context


async def _same_homes(context: Context, accounts: list[int]) -> int:
    total = 0
    async with context.db.read() as conn:
        for viewer in accounts:
            for limit in (1, 7, 20):
                total += await same_pages(
                    conn,
                    lambda c, p, v=viewer: timelines.home(c, v, p),  # type: ignore[misc]
                    lambda c, p, v=viewer: reference.home(c, v, p),  # type: ignore[misc]
                    limit,
                )
    return total


async def _feed_size(conn: Reader, account_id: int) -> int:
    cursor = await conn.execute(
        "SELECT count(*) FROM home_feed WHERE account_id = ?", (account_id,)
    )
    row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize("window", [walk.WINDOW, 13], ids=["window", "tiny-window"])
@pytest.mark.parametrize("above", [0.33, 0.05, 0.005])
async def test_pages_are_the_same_above_below_and_across_the_floor(
    copied: Context, network: tuple[Path, Seeded], monkeypatch: pytest.MonkeyPatch, window: int,
    above: float,
) -> None:  # fmt: skip
    """With `above` of the statuses above the floor: pages read from the feed alone, pages
    that cross the floor, and pages read below it."""
    monkeypatch.setattr(walk, "WINDOW", window)
    seeded = network[1]

    def lower_the_floor(conn: sqlite3.Connection) -> int:
        ordered = [row[0] for row in conn.execute("SELECT id FROM statuses ORDER BY id")]
        floor = int(ordered[int(len(ordered) * (1 - above))])
        conn.execute("UPDATE home_floors SET floor = ?", (floor,))
        conn.execute("DELETE FROM home_feed WHERE status_id <= ?", (floor,))
        return floor

    await copied.db.write(lower_the_floor)
    async with copied.db.read() as conn:
        assert await _feed_size(conn, seeded.members[0]) > 0
    assert await _same_homes(copied, viewers(seeded)) > 500


async def test_pages_stay_the_same_after_the_writes_that_change_a_home(
    copied: Context, network: tuple[Path, Seeded]
) -> None:
    seeded = network[1]
    viewer, newcomer = seeded.members[3], seeded.members[-1]
    async with copied.db.read() as conn:
        cursor = await conn.execute("SELECT username FROM accounts WHERE id = ?", (viewer,))
        row = await cursor.fetchone()
        assert row is not None
        viewer_name = str(row[0])
        followed = {
            int(r[0])
            for r in await (
                await conn.execute(
                    "SELECT followed_id FROM follows WHERE follower_id = ? AND state = 'accepted'",
                    (viewer,),
                )
            ).fetchall()
        }
        before = await _feed_size(conn, viewer)
    stranger = next(m for m in seeded.members[1:-1] if m not in followed and m != viewer)
    dropped = sorted(followed)[0]
    now = to_db(utcnow())

    # A follow asked, then accepted; an unfollow.
    def ask(conn: sqlite3.Connection) -> None:
        follows.insert_follow(
            conn, follow_id=ids.new_id(), follower_id=viewer, followed_id=stranger, uri=None,
            state="pending", created_at=now,
        )  # fmt: skip

    await copied.db.write(ask)
    assert await _same_homes(copied, [viewer]) > 0
    await copied.db.write(lambda conn: follows.set_state(conn, viewer, stranger, "accepted"))
    await copied.db.write(lambda conn: follows.delete_follow(conn, viewer, dropped))
    assert await _same_homes(copied, [viewer]) > 0

    # New posts: the stranger's (now followed), a mention of the newcomer, a followed hashtag.
    async with copied.db.read() as conn:
        cursor = await conn.execute(
            "SELECT username FROM accounts WHERE id IN (?, ?) ORDER BY id = ?",
            (stranger, newcomer, stranger),
        )
        newcomer_name, stranger_name = (str(r[0]) for r in await cursor.fetchall())
    await copied.db.write(lambda conn: tag_follows.follow_tag(conn, viewer, "feedtest", now))
    posted = [
        await post_status(copied, stranger_name, "followed now"),
        await post_status(copied, stranger_name, "for followers", visibility="private"),
        await post_status(copied, stranger_name, f"hello @{newcomer_name}"),
        await post_status(copied, newcomer_name, "a post about #feedtest"),
        await post_status(copied, viewer_name, "my own"),
    ]
    assert await _same_homes(copied, [viewer, newcomer]) > 0

    # A new member who follows someone already posting; a deleted post.
    member = await add_member(copied, "feedcomer", "a long enough password")

    def follow_stranger(conn: sqlite3.Connection) -> None:
        follows.insert_follow(
            conn, follow_id=ids.new_id(), follower_id=member.account.id, followed_id=stranger,
            uri=None, state="accepted", created_at=now,
        )  # fmt: skip

    await copied.db.write(follow_stranger)
    await copied.db.write(
        lambda conn: conn.execute("DELETE FROM statuses WHERE id = ?", (posted[0].id,))
    )
    assert await _same_homes(copied, [viewer, newcomer, member.account.id]) > 0
    async with copied.db.read() as conn:
        home = [s.id for s in await timelines.home(conn, member.account.id, walk.Page(limit=40))]
        assert posted[1].id in home and posted[0].id not in home
        assert await _feed_size(conn, viewer) != before


async def test_trimmed_feeds_keep_their_newest_rows_and_the_same_pages(
    copied: Context, network: tuple[Path, Seeded]
) -> None:
    """Trimming (fedi.statuses.home_trim) drops the rows past the newest ones and raises the
    floor over them: the feeds shrink, pages stay those of the plain query, and a post written
    afterwards still reaches the feeds."""
    seeded = network[1]
    heavy = seeded.members[0]
    async with copied.db.read() as conn:
        before = await _feed_size(conn, heavy)
    assert before > 40
    assert await trim_round(copied, keep=25) > 0
    async with copied.db.read() as conn:
        assert await _feed_size(conn, heavy) == 25
        assert await home_feed.members_above(conn, 25, 0, 1000) == []
    assert await trim_round(copied, keep=25) == 0  # nothing more to trim
    assert await _same_homes(copied, viewers(seeded)) > 500
    async with copied.db.read() as conn:
        cursor = await conn.execute("SELECT username FROM accounts WHERE id = ?", (heavy,))
        row = await cursor.fetchone()
        assert row is not None
    posted = await post_status(copied, str(row[0]), "after the trim")
    async with copied.db.read() as conn:
        home = await timelines.home(conn, heavy, walk.Page(limit=1))
    assert [s.id for s in home] == [posted.id]
