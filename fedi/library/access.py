"""Who may fetch a stored file of a members-only space (a private group's post attachments and
library documents): its current members and moderators, whether they come by session, by token
or by a signed fetch from their own actor. Not another actor of a member's server, not even its
instance actor: a file is a member's to fetch (security.md V2, groups.md pitfall 7)."""

from __future__ import annotations

from fedi.context import Context
from fedi.core.models import Account, Group
from fedi.db import groups as group_rows
from fedi.db import library_files
from fedi.groups.groups import may_read


async def private_space_of_file(context: Context, name: str) -> Group | None:
    """The local members-only space that holds this stored file, if any."""
    async with context.db.read() as conn:
        group_id = await library_files.private_space_of_file(conn, name)
        if group_id is None:
            return None
        return await group_rows.get_group(conn, group_id)


async def may_fetch(context: Context, group: Group, reader: Account | None) -> bool:
    """Whether `reader` (a signed-in member, a token's member or a verified signer) may have a
    file of this space now."""
    if not group.is_private:
        return True
    if reader is None or reader.actor_type in ("Application", "Service"):
        return False
    return await may_read(context, group, reader)
