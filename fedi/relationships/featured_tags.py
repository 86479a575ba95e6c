"""Featured hashtags, as Mastodon's: a member shows up to ten hashtags on their profile, each
with how many of their public and unlisted posts carry it and the day of the latest."""

from __future__ import annotations

from fedi.context import Context
from fedi.core.ids import new_id
from fedi.core.models import Account, User
from fedi.core.timeutil import to_db, utcnow
from fedi.db import featured_tags
from fedi.db.connection import Connection
from fedi.db.featured_tags import Featured
from fedi.relationships.tag_follows import TagError, normal_name

MAX_FEATURED = 10  # Mastodon's FeaturedTag::LIMIT
SUGGESTIONS = 10


class FeatureError(ValueError):
    """A hashtag that cannot be featured; the message says why (Mastodon's words)."""


async def featured_of(context: Context, account: Account) -> list[Featured]:
    async with context.db.read() as conn:
        return await featured_tags.of_account(conn, account.id)


async def feature(context: Context, user: User, raw: object) -> Featured:
    try:
        name = normal_name(raw)
    except TagError:
        raise FeatureError("Name is invalid") from None
    account_id, now, made = user.account.id, to_db(utcnow()), new_id()

    def write(conn: Connection) -> int:
        if featured_tags.count_of(conn, account_id) >= MAX_FEATURED and not (
            featured_tags.is_featured(conn, account_id, name)
        ):
            raise FeatureError(f"You can only feature up to {MAX_FEATURED} hashtags")
        return featured_tags.feature(conn, made, account_id, name, now)

    feature_id = await context.db.write(write)
    found = [f for f in await featured_of(context, user.account) if f.id == feature_id]
    return found[0]


async def unfeature(context: Context, user: User, feature_id: int) -> bool:
    account_id = user.account.id
    return bool(
        await context.db.write(lambda conn: featured_tags.unfeature(conn, feature_id, account_id))
    )


async def suggestions(context: Context, user: User) -> list[str]:
    """Hashtags of the member's recent posts that they do not feature yet."""
    async with context.db.read() as conn:
        recent = await featured_tags.recently_used(conn, user.account.id, SUGGESTIONS * 2)
        shown = {f.name for f in await featured_tags.of_account(conn, user.account.id)}
    return [name for name in recent if name not in shown][:SUGGESTIONS]
