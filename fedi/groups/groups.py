"""Groups: creating them, and the rules every part of the server asks about them: who is a
member, who may read a private group's objects, and the FEP-8fcf digest of its followers on a
server. Membership is an accepted follow of the group (groups.md)."""

from __future__ import annotations

import asyncio
import hashlib

from fedi.accounts.members import TakenError, check_username, get_member, local_actor
from fedi.context import Context
from fedi.core import ids
from fedi.core.models import Account, Group
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts
from fedi.db import groups as group_rows
from fedi.db.connection import Connection
from keys.keypair import generate_keypair

MAX_NAME = 30
MAX_DISPLAY_NAME = 100


class GroupError(Exception):
    """A group action cannot be done; the message says why (shown to operators and members)."""


async def create_group(
    context: Context,
    name: str,
    owner: str,
    *,
    is_private: bool = False,
    is_local_only: bool = False,
    display_name: str = "",
    note: str = "",
) -> Group:
    """A new group with its own key pair, owned by a local member. A private group starts with
    the instance's partner domains as the domains it accepts join requests from."""
    check_username(name)
    if is_local_only and not is_private:
        raise GroupError("a local-only group must be private")
    if len(display_name) > MAX_DISPLAY_NAME:
        raise GroupError(f"a group's name has at most {MAX_DISPLAY_NAME} characters")
    owner_user = await get_member(context, owner)
    async with context.db.read() as conn:
        if await accounts.get_local_actor(conn, name, include_pending=True) is not None:
            raise TakenError("username", f"the name {name!r} is already taken")
    keypair = await asyncio.to_thread(generate_keypair)
    account_id = ids.new_id()
    now = to_db(utcnow())
    # A private group is never suggested or indexed; its page shows its description only.
    new = local_actor(
        context, account_id, name, "Group", keypair.public_pem, now,
        display_name=display_name or name, is_locked=is_private, is_discoverable=not is_private,
    )  # fmt: skip
    partners = context.settings.partner_domains

    def insert(conn: Connection) -> None:
        if accounts.local_username_taken(conn, name):
            raise TakenError("username", f"the name {name!r} is already taken")
        accounts.insert_local_account(conn, new)
        if note:
            conn.execute("UPDATE accounts SET note = ? WHERE id = ?", (note, account_id))
        group_rows.insert_group(
            conn,
            account_id,
            is_private=is_private,
            is_local_only=is_local_only,
            partners_only=is_private,
            now=now,
        )
        group_rows.add_moderator(conn, account_id, owner_user.account.id, "owner", now)
        for domain in partners:
            group_rows.add_partner_domain(conn, account_id, domain, now)
        group_rows.log_action(
            conn, account_id, owner_user.account.id, "create", now,
            detail="private" if is_private else "public",
        )  # fmt: skip

    context.keys.save(account_id, keypair.private_pem)
    try:
        await context.db.write(insert)
    except BaseException:
        context.keys.delete(account_id)
        raise
    return await get_group(context, name)


async def get_group(context: Context, name: str) -> Group:
    async with context.db.read() as conn:
        group = await group_rows.get_group_by_name(conn, name)
    if group is None:
        raise GroupError(f"no group named {name!r}")
    return group


async def group_of(context: Context, account: Account) -> Group | None:
    """The local group this account is, if it is one."""
    if not account.is_local or account.actor_type != "Group":
        return None
    async with context.db.read() as conn:
        return await group_rows.get_group(conn, account.id)


async def may_read(context: Context, group: Group, reader: Account | None) -> bool:
    """Whether `reader` (a local account, or the verified signer of a fetch) may read what a
    private group keeps for its members: a current member or moderator, or the instance actor
    (Application/Service) of a server that has a current member. Mastodon fetches either on
    behalf of a member (signed as that member) or as its instance actor (groups.md). Other
    people on a member's server may NOT read (security.md V2: unlike Lemmy's instance rule).
    Public groups are readable by everyone."""
    if not group.is_private:
        return True
    if reader is None or reader.is_suspended:
        return False
    async with context.db.read() as conn:
        if await group_rows.moderator_role(conn, group.id, reader.id) is not None:
            return True
        if await group_rows.is_member(conn, group.id, reader.id):
            return True
        if group.is_local_only or reader.domain is None:
            return False
        if reader.actor_type in ("Application", "Service"):
            return await group_rows.has_member_on_domain(conn, group.id, reader.domain)
    return False


def followers_digest(actor_uris: list[str]) -> str:
    """FEP-8fcf: the XOR of the SHA-256 of each follower id, hex-encoded (64 zeros for none)."""
    digest = bytearray(32)
    for uri in actor_uris:
        for i, byte in enumerate(hashlib.sha256(uri.encode("utf-8")).digest()):
            digest[i] ^= byte
    return digest.hex()


async def synchronization_header(context: Context, group: Group, host: str) -> str:
    """The FEP-8fcf Collection-Synchronization header for a delivery of the group's posts to
    one server: the group's followers there, and where to fetch that partial collection."""
    async with context.db.read() as conn:
        uris = await group_rows.member_uris_on_host(conn, group.id, host)
    collection = group.account.followers_uri or ""
    return (
        f'collectionId="{collection}", url="{group.account.uri}/followers_synchronization",'
        f' digest="{followers_digest(uris)}"'
    )
