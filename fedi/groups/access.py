"""Who may see a private group's posts: the one question every read path (API, fetches, likes,
lists, notifications) asks before the ordinary visibility rules. A local private group's copy is
for whoever fedi.groups.groups.may_read admits (current members and moderators, a member server's
instance actor), at the moment of asking; a member's original submission is for its author and
the group only (groups.md, security.md V2 and V6)."""

from __future__ import annotations

from fedi.context import Context
from fedi.core.models import Account, Group, Status
from fedi.db import groups as group_rows
from fedi.groups.groups import may_read


def is_copy(status: Status) -> bool:
    """A group's own post (its copy of a member's submission, or a post it wrote itself)."""
    return status.group_id is not None and status.account_id == status.group_id


def is_submission(status: Status) -> bool:
    """A member's post to a private group, addressed to the group alone (a post to a public
    group is public or unlisted, and the ordinary rules apply to it)."""
    return (
        status.group_id is not None
        and status.account_id != status.group_id
        and status.visibility == "direct"
    )


def may_see_submission(status: Status, reader: Account | None) -> bool:
    """A member's submission to a group is for its author and the group alone."""
    return reader is not None and reader.id in (status.account_id, status.group_id)


async def private_group(context: Context, group_id: int | None) -> Group | None:
    """The local private group with this account id, if it is one."""
    if group_id is None:
        return None
    async with context.db.read() as conn:
        group = await group_rows.get_group(conn, group_id)
    return group if group is not None and group.is_private else None


async def may_see_group_post(
    context: Context, status: Status, reader: Account | None
) -> bool | None:
    """For a local private group's copy: whether `reader` may see it now. For a submission to
    any group: only its author and the group. None when the status is neither (the ordinary
    rules decide)."""
    if is_submission(status):
        return may_see_submission(status, reader)
    if not is_copy(status):
        return None
    group = await private_group(context, status.group_id)
    if group is None:
        return None
    return await may_read(context, group, reader)
