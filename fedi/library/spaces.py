"""Which space's library a reader asks for, by the space's account id (as the client API names
groups): a local space whose library the reader may read (groups.may_read), or a remote space
the reader is a member of here (an accepted follow), whose documents this server keeps as links
to the space's own server. Anything else is None: the 404 of a space that does not exist."""

from __future__ import annotations

from dataclasses import dataclass

from fedi.context import Context
from fedi.core.models import Account, Group
from fedi.db import accounts, follows
from fedi.db import groups as group_rows
from fedi.groups.groups import may_read


@dataclass(frozen=True)
class Space:
    account: Account
    group: Group | None  # None for a remote space

    @property
    def id(self) -> int:
        return self.account.id


async def space_for(context: Context, space_id: int, reader: Account | None) -> Space | None:
    async with context.db.read() as conn:
        account = await accounts.get_by_id(conn, space_id)
        if account is None or account.actor_type != "Group" or account.is_suspended:
            return None
        if account.domain is None:
            group = await group_rows.get_group(conn, account.id)
        else:
            group = None
            follow = await follows.get_follow(conn, reader.id, account.id) if reader else None
    if account.domain is None:
        if group is None or (group.is_local_only and reader is None):
            return None
        return Space(account, group) if await may_read(context, group, reader) else None
    is_member = reader is not None and reader.domain is None and not reader.is_suspended
    return Space(account, None) if is_member and follow and follow[2] == "accepted" else None
