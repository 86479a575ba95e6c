"""A group's settings, changed by its moderators: its name and description (federated as
Update{Group} to the servers of its members), whether a private group takes join requests only
from partner domains, and that list of domains. Every change is written to the group's log."""

from __future__ import annotations

from typing import Any

from fedi.activitypub.actor import group_to_ap
from fedi.activitypub.notes import wrap
from fedi.activitypub.vocab import PUBLIC
from fedi.context import Context
from fedi.core.config import ConfigError, validate_domain
from fedi.core.html import text_to_html
from fedi.core.models import Group, User
from fedi.core.timeutil import to_ap, to_db, utcnow
from fedi.db import accounts
from fedi.db import groups as group_rows
from fedi.db.connection import Connection
from fedi.federation.publish import Audience, enqueue
from fedi.groups.groups import MAX_DISPLAY_NAME
from fedi.groups.moderation import Moderated, ModerationError, check_moderator

MAX_DESCRIPTION = 2000


async def description_source(context: Context, group: Group) -> str:
    """The description as its moderators wrote it (the HTML is made from it)."""
    async with context.db.read() as conn:
        return await accounts.note_source(conn, group.id)


async def update_settings(
    context: Context,
    group: Group,
    moderator: User,
    *,
    display_name: str,
    description: str,
    partners_only: bool | None = None,
) -> Moderated:
    """Change the name, the description and (for a private group) the partners-only rule, and
    send the new Group document to the servers of its members."""
    await check_moderator(context, group, moderator)
    display_name = display_name.strip()
    if len(display_name) > MAX_DISPLAY_NAME:
        raise ModerationError(
            "name_too_long", f"a group's name has at most {MAX_DISPLAY_NAME} characters"
        )
    if len(description) > MAX_DESCRIPTION:
        raise ModerationError(
            "description_too_long", f"a description has at most {MAX_DESCRIPTION} characters"
        )
    account = group.account
    moment = utcnow()
    now = to_db(moment)
    new_partners_only = partners_only if group.is_private and partners_only is not None else None

    def write(conn: Connection) -> None:
        accounts.update_profile(
            conn, group.id, display_name=display_name or account.username,
            note=text_to_html(description) if description.strip() else "",
            fields=account.fields, updated_at=now, note_source=description,
        )  # fmt: skip
        if new_partners_only is not None:
            group_rows.set_partners_only(conn, group.id, new_partners_only)
        detail = "" if new_partners_only is None else f"partners_only={int(new_partners_only)}"
        group_rows.log_action(conn, group.id, moderator.account.id, "settings", now, detail=detail)

    await context.db.write(write)
    async with context.db.read() as conn:
        fresh = await group_rows.get_group(conn, group.id)
    assert fresh is not None
    activity = wrap(
        "Update", f"{fresh.account.uri}#updates/{int(moment.timestamp() * 1000)}",
        fresh.account, _group_document(context, fresh), [PUBLIC],
        [fresh.account.followers_uri or ""], to_ap(moment),
    )  # fmt: skip
    if not fresh.is_local_only:
        audience = Audience(followers_of=fresh.id)
        await context.db.write(lambda conn: enqueue(conn, fresh.id, activity, audience, now))
        context.wake.outbox.set()
    return Moderated(activity=None if fresh.is_private else activity)


def _group_document(context: Context, group: Group) -> dict[str, Any]:
    document = group_to_ap(group.account, context.urls)
    document.pop("@context", None)
    return document


def check_domain(text: str) -> str:
    """A host name (or host:port) as partner domains are kept: lower case, no scheme or path."""
    try:
        return validate_domain(text.strip().removeprefix("https://").rstrip("/"))
    except ConfigError:
        raise ModerationError("bad_domain", f"{text!r} is not a host name") from None


async def add_partner_domain(
    context: Context, group: Group, moderator: User, domain: str
) -> Moderated:
    await check_moderator(context, group, moderator)
    host = check_domain(domain)
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        group_rows.add_partner_domain(conn, group.id, host, now)
        group_rows.log_action(
            conn, group.id, moderator.account.id, "add_partner", now, target_domain=host
        )

    await context.db.write(write)
    return Moderated()


async def remove_partner_domain(
    context: Context, group: Group, moderator: User, domain: str
) -> Moderated:
    await check_moderator(context, group, moderator)
    host = domain.strip().lower()
    now = to_db(utcnow())

    def write(conn: Connection) -> bool:
        if not group_rows.remove_partner_domain(conn, group.id, host):
            return False
        group_rows.log_action(
            conn, group.id, moderator.account.id, "remove_partner", now, target_domain=host
        )
        return True

    if not await context.db.write(write):
        raise ModerationError("not_partner", "this domain is not a partner of the group")
    return Moderated()
