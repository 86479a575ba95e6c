"""Reports across servers: the Flag this server sends when a member's report of a remote
account is forwarded, and what an incoming Flag may name.

A forwarded Flag comes from the instance actor, never from the reporter (Mastodon's
ActivityPub::FlagSerializer with the instance actor as `actor`): object = [account uri, status
uris], content = the comment. security.md V10: a server is named only posts it already has; a
private group's post is never named to a server with no member of that group, and no post's
content is ever included."""

from __future__ import annotations

import uuid
from typing import Any

from fedi.context import Context
from fedi.core.models import Account, Status
from fedi.db import accounts, statuses
from fedi.db import groups as group_rows
from fedi.db.connection import Reader
from fedi.federation.publish import Audience

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"


async def known_to(conn: Reader, status: Status, domain: str) -> bool:
    """Whether the server at `domain` (accounts.domain form, port included) already has the
    post: its author's server has it; a private group's post is on servers where the group has
    members (a remote group's: its own server); anything else if public or mentioning someone
    there."""
    author = await accounts.get_by_id(conn, status.account_id)
    if author is None:
        return False
    if author.domain == domain:
        return True
    if status.group_id is not None:
        group_account = await accounts.get_by_id(conn, status.group_id)
        if group_account is None:
            return False
        if group_account.domain is not None:
            return group_account.domain == domain
        group = await group_rows.get_group(conn, status.group_id)
        if status.visibility == "direct" and status.account_id != status.group_id:
            return False  # a submission: its author's server and the group alone have it
        if group is not None and group.is_private:
            return await group_rows.has_member_on_domain(conn, status.group_id, domain)
    if status.visibility in ("public", "unlisted"):
        return True
    for account_id in await statuses.mentioned_account_ids(conn, status.id):
        mentioned = await accounts.get_by_id(conn, account_id)
        if mentioned is not None and mentioned.domain == domain:
            return True
    return False


def flag_activity(
    context: Context, target: Account, status_uris: list[str], comment: str
) -> dict[str, Any]:
    return {
        "@context": AS_CONTEXT,
        "id": f"{context.urls.base}/flags/{uuid.uuid4()}",
        "type": "Flag",
        "actor": context.instance_actor.uri,
        "content": comment,
        "object": [target.uri, *status_uris],
    }


async def inbox_on(conn: Reader, target: Account, domain: str) -> str | None:
    """Where a Flag for `domain` goes: the reported account's shared inbox (or its own inbox)
    on its server; on another server, the shared inbox of any account known there."""
    if target.domain == domain:
        return target.shared_inbox_uri or target.inbox_uri
    return await accounts.an_inbox_on(conn, domain)


async def forwarded_flags(
    context: Context,
    target: Account,
    reported: list[Status],
    comment: str,
    domains: list[str],
) -> list[tuple[dict[str, Any], Audience]]:
    """One Flag per server, each naming only the posts that server has."""
    found = []
    async with context.db.read() as conn:
        for domain in dict.fromkeys(domains):
            inbox = await inbox_on(conn, target, domain)
            if inbox is None:
                continue
            uris = [s.uri for s in reported if await known_to(conn, s, domain)]
            activity = flag_activity(context, target, uris, comment)
            found.append((activity, Audience(inboxes=(inbox,))))
    return found


async def local_objects(context: Context, uris: list[str]) -> tuple[Account | None, list[Status]]:
    """The local account an incoming Flag names (the first one) and the named posts of it;
    anything else (remote, unknown, another account's post) is left out."""
    target: Account | None = None
    found: list[Status] = []
    async with context.db.read() as conn:
        for uri in uris:
            account = await accounts.get_by_uri(conn, uri)
            if account is not None and account.is_local and account.actor_type != "Application":
                target = target or account
        if target is None:
            for uri in uris:  # a Flag naming posts only: their author is the target
                status = await statuses.get_by_uri(conn, uri)
                if status is not None and status.is_local:
                    author = await accounts.get_by_id(conn, status.account_id)
                    target = author if author is not None and author.is_local else None
                    break
        if target is None:
            return None, []
        for uri in uris:
            status = await statuses.get_by_uri(conn, uri)
            if (
                status is not None
                and status.is_local
                and target.id in (status.account_id, status.submitted_by_id)
            ):
                found.append(status)
    return target, found
