"""Members' own posts: the function the command line, the tests and (later) the client API call to
publish. Delivery to other servers joins it with the federation issue."""

from __future__ import annotations

from fedi import ids
from fedi.context import Context
from fedi.db import statuses
from fedi.html import text_to_html
from fedi.members import MemberError, get_member
from fedi.models import Status, Visibility
from fedi.timeutil import to_db, utcnow

VISIBILITIES: tuple[Visibility, ...] = ("public", "unlisted", "private", "direct")
MAX_CHARACTERS = 500


class PostError(ValueError):
    """The post cannot be published; the message says why."""


async def post_status(
    context: Context,
    username: str,
    text: str,
    visibility: Visibility = "public",
    spoiler_text: str = "",
    language: str | None = None,
) -> Status:
    user = await get_member(context, username)
    if user.account.is_suspended:
        raise MemberError(f"{username} is suspended and cannot post")
    if visibility not in VISIBILITIES:
        raise PostError(f"unknown visibility {visibility!r}")
    if not text.strip():
        raise PostError("a post needs some text")
    if len(text) + len(spoiler_text) > MAX_CHARACTERS:
        raise PostError(f"a post has at most {MAX_CHARACTERS} characters")
    status_id = ids.new_id()
    account = user.account

    await context.db.write(
        lambda conn: statuses.insert_local_status(
            conn,
            status_id=status_id,
            uri=context.urls.status(account.username, status_id),
            url=context.urls.status_page(account.username, status_id),
            account_id=account.id,
            visibility=visibility,
            content=text_to_html(text),
            source_text=text,
            spoiler_text=spoiler_text,
            language=language,
            created_at=to_db(utcnow()),
        )
    )
    async with context.db.read() as conn:
        status = await statuses.get_by_id(conn, status_id)
    assert status is not None
    return status


async def pin_status(context: Context, username: str, status_id: int) -> None:
    user = await get_member(context, username)
    async with context.db.read() as conn:
        status = await statuses.get_public(conn, user.account.id, status_id)
    if status is None:
        raise PostError("only your own public or unlisted posts can be pinned")
    now = to_db(utcnow())
    await context.db.write(lambda conn: statuses.pin(conn, user.account.id, status_id, now))
