"""Members' profiles: editing them and rotating their keys, federated as Update{Person} to their
followers' servers."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from fedi.accounts.members import MemberError, get_member
from fedi.activitypub.actor import actor_to_ap
from fedi.activitypub.notes import wrap
from fedi.activitypub.vocab import PUBLIC
from fedi.context import Context
from fedi.core.html import text_to_html
from fedi.core.models import ProfileField, User
from fedi.core.timeutil import to_ap, to_db, utcnow
from fedi.core.validation import Invalid, Problem, too_long
from fedi.db import accounts
from fedi.db.connection import Connection
from fedi.federation.publish import Audience, enqueue
from keys.keypair import generate_keypair

MAX_FIELDS = 4
MAX_NOTE = 500
MAX_NAME = 30


class ProfileError(Invalid, MemberError):
    """A profile change that is refused: the field and why, in Mastodon's words (for apps), and
    `code` naming the limit (for pages)."""

    def __init__(self, code: str, problem: Problem) -> None:
        super().__init__(problem)
        self.code = code


def check_profile(
    display_name: str | None, note: str | None, fields: Sequence[tuple[str, str]] | None
) -> None:
    """Refuse a profile over the limits, before anything of the change (images) is stored."""
    if display_name is not None and len(display_name) > MAX_NAME:
        raise ProfileError(
            "name_too_long", Problem("display_name", "ERR_TOO_LONG", too_long(MAX_NAME))
        )
    if note is not None and len(note) > MAX_NOTE:
        raise ProfileError("note_too_long", Problem("note", "ERR_TOO_LONG", too_long(MAX_NOTE)))
    if fields is not None and len(fields) > MAX_FIELDS:
        limit = f"is too long (maximum is {MAX_FIELDS} fields)"
        raise ProfileError("too_many_fields", Problem("fields", "ERR_TOO_LONG", limit))


async def _announce_profile(context: Context, user: User, now: str) -> None:
    """Send the member's current actor document to their followers' servers."""
    fresh = await get_member(context, user.account.username)
    document = actor_to_ap(fresh.account, context.urls)
    document.pop("@context")
    moment = utcnow()
    activity = wrap(
        "Update", f"{fresh.account.uri}#updates/{int(moment.timestamp() * 1000)}", fresh.account,
        document, [PUBLIC], [fresh.account.followers_uri or ""], to_ap(moment),
    )  # fmt: skip
    audience = Audience(followers_of=fresh.account.id)
    await context.db.write(lambda conn: enqueue(conn, fresh.account.id, activity, audience, now))
    context.wake.outbox.set()


async def update_profile(
    context: Context,
    username: str,
    *,
    display_name: str | None = None,
    note: str | None = None,
    fields: Sequence[tuple[str, str]] | None = None,
    locked: bool | None = None,
    bot: bool | None = None,
    discoverable: bool | None = None,
) -> User:
    user = await get_member(context, username)
    account = user.account
    check_profile(display_name, note, fields)
    now = to_db(utcnow())
    new_fields = (
        [ProfileField(name[:255], value[:255]) for name, value in fields if name.strip()]
        if fields is not None
        else list(account.fields)
    )
    await context.db.write(
        lambda conn: accounts.update_profile(
            conn,
            account.id,
            display_name=account.display_name if display_name is None else display_name,
            note=account.note if note is None else text_to_html(note),
            fields=new_fields,
            updated_at=now,
            note_source=note,
            is_locked=locked,
            is_bot=bot,
            is_discoverable=discoverable,
        )
    )
    await _announce_profile(context, user, now)
    return await get_member(context, username)


async def rotate_key(context: Context, username: str) -> User:
    """Give a member a new key pair. Remote servers meet the new key on the next signed request
    (a failed verification makes them refetch the actor) or with the Update sent now."""
    user = await get_member(context, username)
    keypair = await asyncio.to_thread(generate_keypair)
    now = to_db(utcnow())
    context.keys.save(user.account.id, keypair.private_pem)

    def write(conn: Connection) -> None:
        accounts.set_public_key(conn, user.account.id, keypair.public_pem, now)

    await context.db.write(write)
    await _announce_profile(context, user, now)
    return await get_member(context, username)
