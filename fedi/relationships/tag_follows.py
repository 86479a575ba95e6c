"""Hashtags a member follows (Mastodon's TagFollow): follow, unfollow, the member's list, and a
hashtag as apps and pages show it (its week of use, and whether the member follows it). The
public posts of a followed hashtag join the member's home timeline (fedi.db.timelines.home) and
its live stream (fedi.streams.audience)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from fedi.context import Context
from fedi.core.html import tag_name
from fedi.core.ids import first_id_at
from fedi.core.models import User
from fedi.core.timeutil import to_db, utcnow
from fedi.db import tag_follows
from fedi.db.tag_follows import DayOfUse, FollowedTag
from fedi.db.walk import Page

HISTORY_DAYS = 7  # Mastodon's Tag#history: the last seven days, today first


class TagError(ValueError):
    """The name cannot be a hashtag."""


@dataclass(frozen=True)
class Tag:
    """A hashtag as Mastodon's Tag entity shows it; `following` is None when no member asks."""

    name: str
    history: tuple[DayOfUse, ...]
    following: bool | None


def normal_name(raw: object) -> str:
    """The hashtag's normal form (as posts store it), or TagError."""
    name = tag_name(raw)
    if name is None:
        raise TagError("not a hashtag")
    return name


async def follow(context: Context, user: User, raw: object) -> str:
    """Follow a hashtag (again: nothing changes); its normal form."""
    name = normal_name(raw)
    account_id, now = user.account.id, to_db(utcnow())
    await context.db.write(lambda conn: tag_follows.follow_tag(conn, account_id, name, now))
    return name


async def unfollow(context: Context, user: User, raw: object) -> str:
    """Stop following a hashtag (one not followed: nothing changes); its normal form."""
    name = normal_name(raw)
    account_id = user.account.id
    await context.db.write(lambda conn: tag_follows.unfollow_tag(conn, account_id, name))
    return name


async def followed(context: Context, user: User, page: Page) -> list[FollowedTag]:
    """The hashtags the member follows, the latest followed first, paged by the follows."""
    async with context.db.read_now() as conn:
        return await tag_follows.followed(conn, user.account.id, page)


async def is_following(context: Context, user: User, name: str) -> bool:
    """Whether the member follows the hashtag (in normal form)."""
    async with context.db.read_now() as conn:
        return bool(await tag_follows.following_of(conn, user.account.id, [name]))


def _days(now: datetime) -> list[str]:
    today = now.date()
    return [(today - timedelta(days=back)).isoformat() for back in range(HISTORY_DAYS)]


async def tags(context: Context, names: Sequence[str], viewer: User | None) -> list[Tag]:
    """Each hashtag (in normal form) with its history and, for a member, whether they follow
    it; in the order given."""
    now = utcnow()
    days = _days(now)
    start = datetime.fromisoformat(days[-1]).replace(tzinfo=now.tzinfo)
    async with context.db.read_now() as conn:
        uses = await tag_follows.uses_since(
            conn, names, first_id_at(int(start.timestamp() * 1000)) - 1
        )
        following = (
            await tag_follows.following_of(conn, viewer.account.id, names) if viewer else None
        )
    found = []
    for name in names:
        counted = {d.day: d for d in uses.get(name, [])}
        history = tuple(counted.get(day, DayOfUse(day, 0, 0)) for day in days)
        found.append(Tag(name, history, None if following is None else name in following))
    return found


async def tag(context: Context, raw: object, viewer: User | None) -> Tag:
    """One hashtag as tags() shows it, or TagError."""
    return (await tags(context, [normal_name(raw)], viewer))[0]
