"""SQL for the directory of spaces: every group of this server with its member count and where
one member stands in it (member, request pending, banned, moderator), and the remote groups the
member follows, each list in one statement whatever the number of groups."""

from __future__ import annotations

from dataclasses import dataclass

from fedi.core.models import Account, Group
from fedi.db.accounts import ACCOUNT_COLUMNS, account_from_row
from fedi.db.connection import Reader
from fedi.db.groups import _GROUP_COLUMNS, group_from_row


@dataclass(frozen=True)
class Listed:
    """A local group as the directory shows it to one member."""

    group: Group
    member_count: int
    membership: str | None  # the member's follow of it: accepted, pending or None
    is_banned: bool
    moderator_role: str | None


# Members as fedi.db.groups counts them: accepted follows, not suspended, not banned.
_MEMBER_COUNT = (
    "(SELECT count(*) FROM follows f JOIN accounts m ON m.id = f.follower_id"
    " WHERE f.followed_id = g.account_id AND f.state = 'accepted' AND m.suspended_at IS NULL"
    " AND NOT EXISTS (SELECT 1 FROM group_bans b WHERE b.group_id = g.account_id"
    "   AND b.account_id = f.follower_id))"
)


async def local_groups(conn: Reader, viewer_id: int, *, with_local_only: bool) -> list[Listed]:
    """The groups of this server that are not suspended (local-only ones only when asked: for
    members of this server), by name."""
    cursor = await conn.execute(
        f"SELECT {_GROUP_COLUMNS}, {_MEMBER_COUNT} AS member_count,"
        " (SELECT f.state FROM follows f WHERE f.follower_id = :me"
        "   AND f.followed_id = g.account_id) AS membership,"
        " EXISTS (SELECT 1 FROM group_bans b WHERE b.group_id = g.account_id"
        "   AND b.account_id = :me) AS is_banned,"
        " (SELECT r.role FROM group_moderators r WHERE r.group_id = g.account_id"
        "   AND r.account_id = :me) AS moderator_role"
        " FROM groups g JOIN accounts a ON a.id = g.account_id"
        " WHERE a.suspended_at IS NULL AND (:local_only = 1 OR g.is_local_only = 0)"
        " ORDER BY lower(coalesce(nullif(a.display_name, ''), a.username)), a.id",
        {"me": viewer_id, "local_only": int(with_local_only)},
    )
    return [
        Listed(
            group=group_from_row(row),
            member_count=int(row["member_count"]),
            membership=row["membership"],
            is_banned=bool(row["is_banned"]),
            moderator_role=row["moderator_role"],
        )
        for row in await cursor.fetchall()
    ]


async def followed_remote_groups(conn: Reader, viewer_id: int) -> list[tuple[Account, str]]:
    """The groups on other servers the member follows or asked to join, with the follow's
    state, by name."""
    cursor = await conn.execute(
        f"SELECT {ACCOUNT_COLUMNS}, f.state AS follow_state FROM follows f"
        " JOIN accounts a ON a.id = f.followed_id"
        " WHERE f.follower_id = ? AND a.actor_type = 'Group' AND a.domain IS NOT NULL"
        " AND a.suspended_at IS NULL"
        " ORDER BY lower(coalesce(nullif(a.display_name, ''), a.username)), a.id",
        (viewer_id,),
    )
    return [(account_from_row(row), str(row["follow_state"])) for row in await cursor.fetchall()]
