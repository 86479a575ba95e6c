"""Remote accounts and posts stored straight into a served instance's database, for API tests
that need content from other servers without running them (the federation tests do that)."""

from __future__ import annotations

from fedi.context import Context
from fedi.core.ids import new_id
from fedi.core.models import NewAttachment, NewStatus, RemoteActor, Visibility
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, follows, statuses


async def remote_account(context: Context, username: str, domain: str) -> int:
    base = f"https://{domain}/users/{username}"
    actor = RemoteActor(
        uri=base, actor_type="Person", username=username, domain=domain,
        display_name=username, note="", fields=(), url=base, inbox_uri=f"{base}/inbox",
        shared_inbox_uri=None, outbox_uri=None, followers_uri=None, following_uri=None,
        featured_uri=None, public_key_id=f"{base}#main-key", public_key_pem="unused",
        avatar_remote_url=None, header_remote_url=None, is_locked=False, is_bot=False,
        is_discoverable=True, also_known_as=(), moved_to_uri=None,
    )  # fmt: skip
    now = to_db(utcnow())
    return await context.db.write(
        lambda conn: accounts.upsert_remote(conn, actor, now, accept_new_key=True)
    )


async def remote_post(
    context: Context,
    account_id: int,
    content: str,
    *,
    tags: tuple[str, ...] = (),
    visibility: Visibility = "public",
    reblog_of_id: int | None = None,
    in_reply_to_id: int | None = None,
    in_reply_to_account_id: int | None = None,
    media_description: str | None = None,
    spoiler_text: str = "",
) -> int:
    status_id = new_id()
    attachments = (
        (NewAttachment("image/png", "https://remote.example/a.png", media_description, None,
                       None, None),)
        if media_description is not None
        else ()
    )  # fmt: skip
    new = NewStatus(
        id=status_id, uri=f"https://remote.example/statuses/{status_id}", url=None,
        account_id=account_id, visibility=visibility, content=f"<p>{content}</p>",
        spoiler_text=spoiler_text, is_sensitive=bool(spoiler_text), language="en",
        is_local=False, created_at=to_db(utcnow()), tags=tags, reblog_of_id=reblog_of_id,
        in_reply_to_id=in_reply_to_id, in_reply_to_account_id=in_reply_to_account_id,
        in_reply_to_uri=f"https://remote.example/statuses/{in_reply_to_id}"
        if in_reply_to_id else None,
        attachments=attachments,
    )  # fmt: skip
    await context.db.write(lambda conn: statuses.insert_status(conn, new))
    return status_id


async def accepted_follow(context: Context, follower_id: int, followed_id: int) -> None:
    now = to_db(utcnow())
    await context.db.write(
        lambda conn: follows.upsert_follow(
            conn,
            follower_id=follower_id,
            followed_id=followed_id,
            uri=f"https://follows.example/{new_id()}",
            state="accepted",
            now=now,
        )
    )


async def account_id_of(context: Context, username: str) -> int:
    async with context.db.read() as conn:
        account = await accounts.get_local_actor(conn, username)
    assert account is not None
    return account.id
