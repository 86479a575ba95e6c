"""SQL for a member's mutes and user domain blocks (private to the member, never federated), and
the SQL condition that keeps what they hide out of timelines and notifications."""

from __future__ import annotations

from dataclasses import dataclass

from fedi.core.ids import new_id
from fedi.db.connection import Connection, Reader
from fedi.db.rows import rows_of_kinds


@dataclass(frozen=True)
class Mute:
    id: int
    target_account_id: int
    hide_notifications: bool
    expires_at: str | None


def upsert_mute(
    conn: Connection,
    account_id: int,
    target_id: int,
    hide_notifications: bool,
    expires_at: str | None,
    now: str,
) -> None:
    """Mute, or change an existing mute's notifications flag and expiry (Mastodon's MuteService
    updates in place)."""
    conn.execute(
        "INSERT INTO mutes (id, account_id, target_account_id, hide_notifications, expires_at,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, target_account_id)"
        " DO UPDATE SET hide_notifications = excluded.hide_notifications,"
        " expires_at = excluded.expires_at",
        (new_id(), account_id, target_id, int(hide_notifications), expires_at, now),
    )


def delete_mute(conn: Connection, account_id: int, target_id: int) -> int:
    return conn.execute(
        "DELETE FROM mutes WHERE account_id = ? AND target_account_id = ?", (account_id, target_id)
    ).rowcount


async def active_mute(conn: Reader, account_id: int, target_id: int, now: str) -> Mute | None:
    cursor = await conn.execute(
        "SELECT id, target_account_id, hide_notifications, expires_at FROM mutes"
        " WHERE account_id = ? AND target_account_id = ?"
        " AND (expires_at IS NULL OR expires_at > ?)",
        (account_id, target_id, now),
    )
    row = await cursor.fetchone()
    return Mute(row[0], row[1], bool(row[2]), row[3]) if row else None


async def mutes_page(
    conn: Reader,
    account_id: int,
    now: str,
    max_id: int | None,
    min_id: int | None,
    limit: int,
) -> list[Mute]:
    """Active mutes, newest first (min_id: the page just above it, still newest first)."""
    order = "ASC" if min_id is not None else "DESC"
    cursor = await conn.execute(
        "SELECT id, target_account_id, hide_notifications, expires_at FROM mutes"
        " WHERE account_id = ? AND (expires_at IS NULL OR expires_at > ?)"
        " AND (? IS NULL OR id < ?) AND (? IS NULL OR id > ?)"
        f" ORDER BY id {order} LIMIT ?",
        (account_id, now, max_id, max_id, min_id, min_id, limit),
    )
    found = [Mute(r[0], r[1], bool(r[2]), r[3]) for r in await cursor.fetchall()]
    return found if order == "DESC" else found[::-1]


def add_domain_block(conn: Connection, account_id: int, domain: str, now: str) -> bool:
    cursor = conn.execute(
        "INSERT OR IGNORE INTO account_domain_blocks (id, account_id, domain, created_at)"
        " VALUES (?, ?, ?, ?)",
        (new_id(), account_id, domain, now),
    )
    return cursor.rowcount == 1


def remove_domain_block(conn: Connection, account_id: int, domain: str) -> int:
    return conn.execute(
        "DELETE FROM account_domain_blocks WHERE account_id = ? AND domain = ?",
        (account_id, domain),
    ).rowcount


async def domain_blocks_page(
    conn: Reader,
    account_id: int,
    max_id: int | None,
    min_id: int | None,
    limit: int,
) -> list[tuple[int, str]]:
    """(id, domain) of a member's domain blocks, newest first."""
    order = "ASC" if min_id is not None else "DESC"
    cursor = await conn.execute(
        "SELECT id, domain FROM account_domain_blocks WHERE account_id = ?"
        f" AND (? IS NULL OR id < ?) AND (? IS NULL OR id > ?) ORDER BY id {order} LIMIT ?",
        (account_id, max_id, max_id, min_id, min_id, limit),
    )
    found = [(r[0], r[1]) for r in await cursor.fetchall()]
    return found if order == "DESC" else found[::-1]


@dataclass(frozen=True)
class Hidden:
    """Everything one member hides, as fedi.statuses.timeline_rules applies it: active mutes
    (target, with notifications), accounts blocking or blocked by them, blocked domains, and
    the members of their exclusive lists (but themselves)."""

    muted: tuple[tuple[int, bool], ...]
    blocked: frozenset[int]
    domains: frozenset[str]
    exclusive: frozenset[int]


async def hidden_by(conn: Reader, account_id: int, now: str) -> Hidden:
    """One statement: every page a member reads asks for all four."""
    found = await rows_of_kinds(conn, [
        ("SELECT 0, target_account_id, hide_notifications FROM mutes"
         " WHERE account_id = ? AND (expires_at IS NULL OR expires_at > ?)", (account_id, now)),
        ("SELECT 1, target_account_id, NULL FROM blocks WHERE account_id = ?", (account_id,)),
        ("SELECT 1, account_id, NULL FROM blocks WHERE target_account_id = ?", (account_id,)),
        ("SELECT 2, NULL, domain FROM account_domain_blocks WHERE account_id = ?",
         (account_id,)),
        ("SELECT 3, la.account_id, NULL FROM list_accounts la JOIN lists l ON l.id = la.list_id"
         " WHERE l.account_id = ? AND l.is_exclusive = 1 AND la.account_id != ?",
         (account_id, account_id)),
    ])  # fmt: skip
    muted: list[tuple[int, bool]] = []
    blocked: set[int] = set()
    domains: set[str] = set()
    exclusive: set[int] = set()
    for kind, target, extra in found:
        if kind == 0:
            muted.append((target, bool(extra)))
        elif kind == 1:
            blocked.add(target)
        elif kind == 2:
            domains.add(extra)
        else:
            exclusive.add(target)
    return Hidden(tuple(muted), frozenset(blocked), frozenset(domains), frozenset(exclusive))


async def follows_with_domain(
    conn: Reader, account_id: int, domain: str
) -> tuple[list[int], list[int]]:
    """(accounts on domain that account_id follows or asked to follow, accounts on domain that
    follow or asked to follow account_id)."""
    out = await conn.execute(
        "SELECT f.followed_id FROM follows f JOIN accounts a ON a.id = f.followed_id"
        f" WHERE f.follower_id = ? AND {_ON_DOMAIN.format(a='a')}",
        (account_id, domain, domain),
    )
    back = await conn.execute(
        "SELECT f.follower_id FROM follows f JOIN accounts a ON a.id = f.follower_id"
        f" WHERE f.followed_id = ? AND {_ON_DOMAIN.format(a='a')}",
        (account_id, domain, domain),
    )
    return [r[0] for r in await out.fetchall()], [r[0] for r in await back.fetchall()]


def clear_notifications_from_domain(conn: Connection, account_id: int, domain: str) -> None:
    conn.execute(
        "DELETE FROM notifications WHERE account_id = ? AND from_account_id IN"
        f" (SELECT a.id FROM accounts a WHERE {_ON_DOMAIN.format(a='a')})",
        (account_id, domain, domain),
    )


# An account is on a blocked domain when its domain is the blocked one, with or without a port
# (test and small set-ups serve on a port; the port is part of accounts.domain).
_HOST = (
    "CASE WHEN {a}.domain GLOB '*:[0-9]*' THEN substr({a}.domain, 1, instr({a}.domain, ':') - 1)"
    " ELSE {a}.domain END"
)
_ON_DOMAIN = "{a}.domain IS NOT NULL AND (? = {a}.domain OR ? = " + _HOST + ")"


def hidden_clause(viewer_id: int, now: str, column: str) -> tuple[str, list[object]]:
    """An ` AND NOT EXISTS (...)` condition true when none of the accounts whose ids `column`
    names (an SQL expression list) is muted by, blocks, is blocked by, or is on a domain
    blocked by the viewer. Used for statuses (author and boosted author) and notifications."""
    sql = (
        " AND NOT EXISTS (SELECT 1 FROM accounts ha WHERE ha.id IN (" + column + ")"
        " AND ha.id != ? AND ("
        "   EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = ? AND m.target_account_id = ha.id"
        "           AND (m.expires_at IS NULL OR m.expires_at > ?))"
        "   OR EXISTS (SELECT 1 FROM blocks b"
        "              WHERE (b.account_id = ? AND b.target_account_id = ha.id)"
        "              OR (b.account_id = ha.id AND b.target_account_id = ?))"
        "   OR (ha.domain IS NOT NULL AND EXISTS (SELECT 1 FROM account_domain_blocks d"
        "       WHERE d.account_id = ? AND d.domain IN (ha.domain, " + _HOST.format(a="ha") + ")))"
        "))"
    )
    return sql, [viewer_id, viewer_id, now, viewer_id, viewer_id, viewer_id]


def hidden_status_clause(viewer_id: int, now: str) -> tuple[str, list[object]]:
    """hidden_clause for a statuses row `s`: its author, and for a boost the boosted author."""
    return hidden_clause(
        viewer_id,
        now,
        "s.account_id, (SELECT o.account_id FROM statuses o WHERE o.id = s.reblog_of_id)",
    )


def hidden_sender_clause(viewer_id: int, now: str) -> tuple[str, list[object]]:
    """For a notifications row: its sender is blocked, domain-blocked, or muted with
    notifications (a mute without them keeps the notifications, as on Mastodon)."""
    sql = (
        " AND NOT EXISTS (SELECT 1 FROM accounts ha WHERE ha.id = from_account_id AND ("
        "   EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = ? AND m.target_account_id = ha.id"
        "           AND m.hide_notifications = 1 AND (m.expires_at IS NULL OR m.expires_at > ?))"
        "   OR EXISTS (SELECT 1 FROM blocks b"
        "              WHERE b.account_id = ? AND b.target_account_id = ha.id)"
        "   OR (ha.domain IS NOT NULL AND EXISTS (SELECT 1 FROM account_domain_blocks d"
        "       WHERE d.account_id = ? AND d.domain IN (ha.domain, " + _HOST.format(a="ha") + ")))"
        "))"
    )
    return sql, [viewer_id, now, viewer_id, viewer_id]


async def is_domain_blocked(conn: Reader, account_id: int, domain: str) -> bool:
    """Whether the member blocks this account domain (with or without its port)."""
    cursor = await conn.execute(
        "SELECT 1 FROM account_domain_blocks WHERE account_id = ? AND domain IN (?, ?)",
        (account_id, domain, domain.split(":")[0]),
    )
    return await cursor.fetchone() is not None
