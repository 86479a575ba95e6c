"""SQL for groups: the groups table, moderators, partner domains, bans, the moderation log, and
the membership questions every read path of a private group asks (membership is an accepted
follow of the group; a pending follow is a join request)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fedi.core.ids import new_id
from fedi.core.models import Account, Group, GroupBan, GroupLogEntry, GroupModerator, GroupRole
from fedi.core.timeutil import from_db
from fedi.db.accounts import ACCOUNT_COLUMNS, account_from_row, versioned
from fedi.db.connection import Connection, Reader, Row

_GROUP_COLUMNS = (
    f"{ACCOUNT_COLUMNS}, g.is_private, g.is_local_only, g.partners_only,"
    " g.created_at AS group_created_at"
)


def group_from_row(row: Row) -> Group:
    return Group(
        account=account_from_row(row),
        is_private=bool(row["is_private"]),
        is_local_only=bool(row["is_local_only"]),
        partners_only=bool(row["partners_only"]),
        created_at=from_db(row["group_created_at"]),
    )


def insert_group(
    conn: Connection,
    account_id: int,
    *,
    is_private: bool,
    is_local_only: bool,
    partners_only: bool,
    now: str,
) -> None:
    conn.execute(
        "INSERT INTO groups (account_id, is_private, is_local_only, partners_only, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (account_id, int(is_private), int(is_local_only), int(partners_only), now),
    )


def set_partners_only(conn: Connection, group_id: int, partners_only: bool) -> None:
    conn.execute(
        "UPDATE groups SET partners_only = ? WHERE account_id = ?", (int(partners_only), group_id)
    )


async def get_group(conn: Reader, account_id: int) -> Group | None:
    cursor = await conn.execute(
        f"SELECT {_GROUP_COLUMNS} FROM groups g JOIN accounts a ON a.id = g.account_id"
        " WHERE g.account_id = ?",
        (account_id,),
    )
    row = await cursor.fetchone()
    return group_from_row(row) if row else None


async def get_many(conn: Reader, account_ids: list[int]) -> dict[int, Group]:
    """The local groups among these account ids, by id."""
    ids = list(dict.fromkeys(account_ids))
    if not ids:
        return {}
    cursor = await conn.execute(
        f"SELECT {_GROUP_COLUMNS} FROM groups g JOIN accounts a ON a.id = g.account_id"
        f" WHERE g.account_id IN ({', '.join('?' for _ in ids)})",
        ids,
    )
    return {row["id"]: group_from_row(row) for row in await cursor.fetchall()}


async def get_group_by_name(conn: Reader, name: str) -> Group | None:
    cursor = await conn.execute(
        f"SELECT {_GROUP_COLUMNS} FROM groups g JOIN accounts a ON a.id = g.account_id"
        " WHERE a.domain IS NULL AND lower(a.username) = lower(?)",
        (name,),
    )
    row = await cursor.fetchone()
    return group_from_row(row) if row else None


async def list_groups(conn: Reader) -> list[Group]:
    cursor = await conn.execute(
        f"SELECT {_GROUP_COLUMNS} FROM groups g JOIN accounts a ON a.id = g.account_id"
        " ORDER BY lower(a.username)"
    )
    return [group_from_row(row) for row in await cursor.fetchall()]


# -- membership --------------------------------------------------------------------------------


async def membership(conn: Reader, group_id: int, account_id: int) -> str | None:
    """'accepted' for a member, 'pending' for a join request, None otherwise."""
    cursor = await conn.execute(
        "SELECT state FROM follows WHERE follower_id = ? AND followed_id = ?",
        (account_id, group_id),
    )
    row = await cursor.fetchone()
    return str(row[0]) if row else None


# The group's members (state 'accepted') or join requests ('pending'): not suspended, not banned.
_MEMBERS = (
    f"SELECT f.id AS follow_id, {ACCOUNT_COLUMNS} FROM follows f"
    " JOIN accounts a ON a.id = f.follower_id"
    " WHERE f.followed_id = ? AND f.state = ? AND a.suspended_at IS NULL"
    " AND NOT EXISTS (SELECT 1 FROM group_bans b WHERE b.group_id = f.followed_id"
    "   AND b.account_id = f.follower_id)"
)


async def is_member(conn: Reader, group_id: int, account_id: int) -> bool:
    cursor = await conn.execute(
        f"SELECT 1 FROM ({_MEMBERS}) a WHERE a.id = ?", (group_id, "accepted", account_id)
    )
    return await cursor.fetchone() is not None


async def joined_among(conn: Reader, account_id: int, group_ids: list[int]) -> set[int]:
    """Which of these groups the account moderates or is a member of (accepted, not banned),
    as moderator_role and is_member answer one group at a time."""
    ids = list(dict.fromkeys(group_ids))
    if not ids:
        return set()
    marks = ", ".join("?" for _ in ids)
    cursor = await conn.execute(
        f"SELECT group_id FROM group_moderators WHERE account_id = ? AND group_id IN ({marks})"
        " UNION SELECT f.followed_id FROM follows f JOIN accounts a ON a.id = f.follower_id"
        f" WHERE f.follower_id = ? AND f.followed_id IN ({marks}) AND f.state = 'accepted'"
        " AND a.suspended_at IS NULL AND NOT EXISTS (SELECT 1 FROM group_bans b"
        "   WHERE b.group_id = f.followed_id AND b.account_id = f.follower_id)",
        [account_id, *ids, account_id, *ids],
    )
    return {row[0] for row in await cursor.fetchall()}


async def members(
    conn: Reader, group_id: int, state: str = "accepted", limit: int = 10_000
) -> list[Account]:
    """Members (state 'accepted') or join requests ('pending'), oldest first."""
    cursor = await conn.execute(f"{_MEMBERS} ORDER BY f.id LIMIT ?", (group_id, state, limit))
    return [account_from_row(row) for row in await cursor.fetchall()]


async def member_count(conn: Reader, group_id: int) -> int:
    cursor = await conn.execute(
        "SELECT count(*) FROM follows f JOIN accounts a ON a.id = f.follower_id"
        " WHERE f.followed_id = ? AND f.state = 'accepted' AND a.suspended_at IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM group_bans b WHERE b.group_id = f.followed_id"
        "   AND b.account_id = f.follower_id)",
        (group_id,),
    )
    row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def member_uris_on_host(conn: Reader, group_id: int, host: str) -> list[str]:
    """The actor ids of the members whose actor ids live on host (FEP-8fcf partial collection)."""
    cursor = await conn.execute(
        f"SELECT a.uri FROM ({_MEMBERS}) a WHERE a.domain IS NOT NULL", (group_id, "accepted")
    )
    return [row[0] for row in await cursor.fetchall() if urlsplit(row[0]).netloc.lower() == host]


async def member_inboxes(conn: Reader, group_id: int) -> list[str]:
    """Where the group delivers: one inbox per server with a current remote member, its shared
    inbox when it has one."""
    cursor = await conn.execute(
        f"SELECT DISTINCT COALESCE(a.shared_inbox_uri, a.inbox_uri) FROM ({_MEMBERS}) a"
        " WHERE a.domain IS NOT NULL",
        (group_id, "accepted"),
    )
    return [row[0] for row in await cursor.fetchall() if row[0]]


async def has_member_on_domain(conn: Reader, group_id: int, domain: str) -> bool:
    cursor = await conn.execute(
        f"SELECT 1 FROM ({_MEMBERS}) a WHERE a.domain = ? LIMIT 1",
        (group_id, "accepted", domain),
    )
    return await cursor.fetchone() is not None


# -- moderators --------------------------------------------------------------------------------


def add_moderator(
    conn: Connection, group_id: int, account_id: int, role: GroupRole, now: str
) -> None:
    conn.execute(
        "INSERT INTO group_moderators (group_id, account_id, role, created_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (group_id, account_id) DO UPDATE SET role = excluded.role"
        " WHERE group_moderators.role <> 'owner'",
        (group_id, account_id, role, now),
    )


def remove_moderator(conn: Connection, group_id: int, account_id: int) -> int:
    """Removes a moderator (never the owner); returns how many rows went."""
    return conn.execute(
        "DELETE FROM group_moderators WHERE group_id = ? AND account_id = ? AND role <> 'owner'",
        (group_id, account_id),
    ).rowcount


async def moderators(conn: Reader, group_id: int) -> list[GroupModerator]:
    cursor = await conn.execute(
        "SELECT a.id, a.row_version, m.role, m.created_at FROM group_moderators m"
        " JOIN accounts a ON a.id = m.account_id"
        " WHERE m.group_id = ? ORDER BY m.role = 'owner' DESC, m.created_at",
        (group_id,),
    )
    rows = await cursor.fetchall()
    found = await versioned(conn, [(row[0], row[1]) for row in rows])
    return [
        GroupModerator(account=found[row[0]], role=row[2], created_at=from_db(row[3]))
        for row in rows
        if row[0] in found
    ]


async def moderator_role(conn: Reader, group_id: int, account_id: int) -> GroupRole | None:
    cursor = await conn.execute(
        "SELECT role FROM group_moderators WHERE group_id = ? AND account_id = ?",
        (group_id, account_id),
    )
    row = await cursor.fetchone()
    return row[0] if row else None


# -- partner domains ---------------------------------------------------------------------------


def add_partner_domain(conn: Connection, group_id: int, domain: str, now: str) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO group_partner_domains (group_id, domain, created_at)"
        " VALUES (?, ?, ?)",
        (group_id, domain.lower(), now),
    )


def remove_partner_domain(conn: Connection, group_id: int, domain: str) -> int:
    return conn.execute(
        "DELETE FROM group_partner_domains WHERE group_id = ? AND domain = ?",
        (group_id, domain.lower()),
    ).rowcount


async def partner_domains(conn: Reader, group_id: int) -> list[str]:
    cursor = await conn.execute(
        "SELECT domain FROM group_partner_domains WHERE group_id = ? ORDER BY domain",
        (group_id,),
    )
    return [str(row[0]) for row in await cursor.fetchall()]


# -- bans --------------------------------------------------------------------------------------


def ban(
    conn: Connection,
    group_id: int,
    account_id: int,
    reason: str,
    banned_by_id: int | None,
    now: str,
) -> None:
    conn.execute(
        "INSERT INTO group_bans (group_id, account_id, reason, banned_by_id, created_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (group_id, account_id) DO UPDATE"
        " SET reason = excluded.reason, banned_by_id = excluded.banned_by_id",
        (group_id, account_id, reason, banned_by_id, now),
    )


def unban(conn: Connection, group_id: int, account_id: int) -> int:
    return conn.execute(
        "DELETE FROM group_bans WHERE group_id = ? AND account_id = ?", (group_id, account_id)
    ).rowcount


async def is_banned(conn: Reader, group_id: int, account_id: int) -> bool:
    cursor = await conn.execute(
        "SELECT 1 FROM group_bans WHERE group_id = ? AND account_id = ?", (group_id, account_id)
    )
    return await cursor.fetchone() is not None


async def bans(conn: Reader, group_id: int) -> list[GroupBan]:
    cursor = await conn.execute(
        f"SELECT {ACCOUNT_COLUMNS}, b.reason, b.banned_by_id, b.created_at AS banned_at"
        " FROM group_bans b JOIN accounts a ON a.id = b.account_id WHERE b.group_id = ?"
        " ORDER BY b.created_at DESC",
        (group_id,),
    )
    return [
        GroupBan(
            account=account_from_row(row),
            reason=row["reason"],
            banned_by_id=row["banned_by_id"],
            created_at=from_db(row["banned_at"]),
        )
        for row in await cursor.fetchall()
    ]


# -- moderation log ----------------------------------------------------------------------------


def log_action(
    conn: Connection,
    group_id: int,
    actor_id: int | None,
    action: str,
    now: str,
    *,
    target_account_id: int | None = None,
    target_domain: str | None = None,
    detail: str = "",
) -> None:
    conn.execute(
        "INSERT INTO group_log (id, group_id, actor_id, action, target_account_id, target_domain,"
        " detail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (new_id(), group_id, actor_id, action, target_account_id, target_domain, detail, now),
    )


async def log_entries(conn: Reader, group_id: int, limit: int = 100) -> list[GroupLogEntry]:
    cursor = await conn.execute(
        "SELECT id, actor_id, action, target_account_id, target_domain, detail, created_at"
        " FROM group_log WHERE group_id = ? ORDER BY id DESC LIMIT ?",
        (group_id, limit),
    )
    return [
        GroupLogEntry(
            id=row[0],
            actor_id=row[1],
            action=row[2],
            target_account_id=row[3],
            target_domain=row[4],
            detail=row[5],
            created_at=from_db(row[6]),
        )
        for row in await cursor.fetchall()
    ]
