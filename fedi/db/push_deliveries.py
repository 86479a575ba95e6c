"""SQL for push_deliveries: the durable queue of Web Push messages, one per notification and
subscription (queued by a trigger on notifications, migration 0034).

queued -> sending -> sent | skipped | failed; a push that may go later goes back to queued with
one more attempt and a later next_attempt_at. A row found `sending` when the worker starts was
interrupted mid-request: it is failed rather than sent again (never shown twice).
"""

from __future__ import annotations

from dataclasses import dataclass

from fedi.db.connection import Connection, Reader, Row


@dataclass(frozen=True)
class Due:
    """A queued push with what deciding and writing it needs: the notification, its sender
    (and whether the sender is a space whose privacy is not known to be public), its post (with
    whether that post sits in a space that is members-only or unknown), the member's language,
    and who follows whom for the subscription's policy."""

    id: int
    subscription_id: int
    notification_id: int
    attempts: int
    created_at: str
    account_id: int
    type: str
    sender_id: int
    sender_acct: str
    sender_name: str
    sender_avatar_file: str | None
    sender_note: str
    sender_is_closed_group: bool
    status_id: int | None
    visibility: str | None
    group_is_private: bool
    is_local_only: bool
    spoiler_text: str
    content: str
    locale: str | None
    member_follows_sender: bool
    sender_follows_member: bool


_DUE = (
    "SELECT d.id, d.subscription_id, d.notification_id, d.attempts, d.created_at,"
    " n.account_id, n.type, n.from_account_id,"
    " a.username || CASE WHEN a.domain IS NULL THEN '' ELSE '@' || a.domain END,"
    " a.display_name, a.avatar_file, a.note,"
    " a.actor_type = 'Group' AND COALESCE((SELECT ga.is_private FROM groups ga"
    "   WHERE ga.account_id = a.id), 1) = 1,"
    " s.id, s.visibility,"
    " CASE WHEN s.group_id IS NULL THEN 0 ELSE COALESCE(g.is_private, 1) END,"
    " COALESCE(s.is_local_only, 0), COALESCE(s.spoiler_text, ''), COALESCE(s.content, ''),"
    " u.locale,"
    " EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = n.account_id"
    "   AND f.followed_id = n.from_account_id AND f.state = 'accepted'),"
    " EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = n.from_account_id"
    "   AND f.followed_id = n.account_id AND f.state = 'accepted')"
    " FROM push_deliveries d JOIN notifications n ON n.id = d.notification_id"
    " JOIN accounts a ON a.id = n.from_account_id"
    " LEFT JOIN users u ON u.account_id = n.account_id"
    " LEFT JOIN statuses s ON s.id = n.status_id"
    " LEFT JOIN groups g ON g.account_id = s.group_id"
)


def _due(r: Row) -> Due:
    return Due(
        r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11] or "",
        bool(r[12]), r[13], r[14], bool(r[15]), bool(r[16]), r[17], r[18], r[19],
        bool(r[20]), bool(r[21]),
    )  # fmt: skip


async def due(conn: Reader, now: str, limit: int) -> list[Due]:
    cursor = await conn.execute(
        f"{_DUE} WHERE d.state = 'queued' AND d.next_attempt_at <= ?"
        " ORDER BY d.next_attempt_at, d.id LIMIT ?",
        (now, limit),
    )
    return [_due(r) for r in await cursor.fetchall()]


async def visible(conn: Reader, notification_id: int, hidden: tuple[str, list[object]]) -> bool:
    """Whether the notification survives `hidden` (a clause on its from_account_id: senders the
    member mutes or blocks, or moderators took out of view)."""
    clause, args = hidden
    cursor = await conn.execute(
        f"SELECT 1 FROM notifications WHERE id = ? {clause}", (notification_id, *args)
    )
    return await cursor.fetchone() is not None


def claim(
    conn: Connection, ids: list[int], worker: str = "", until: str | None = None
) -> list[int]:
    """Mark the pushes `sending` for `worker` (fedi.db.claims) until `until`, just before their
    requests, in one statement; returns those still queued (another worker took the others)."""
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    rows = conn.execute(
        "UPDATE push_deliveries SET state = 'sending', claimed_by = ?, claimed_until = ?"
        f" WHERE id IN ({marks}) AND state = 'queued' RETURNING id",
        (worker, until, *ids),
    ).fetchall()
    return sorted(row[0] for row in rows)


def finish(conn: Connection, delivery_id: int, state: str, error: str = "") -> None:
    """sent, skipped or failed; an attempt is counted unless skipped."""
    conn.execute(
        "UPDATE push_deliveries SET state = ?, last_error = ?, claimed_until = NULL,"
        " attempts = attempts + CASE WHEN ? = 'skipped' THEN 0 ELSE 1 END WHERE id = ?",
        (state, error, state, delivery_id),
    )


def retry_at(conn: Connection, delivery_id: int, when: str, error: str) -> None:
    conn.execute(
        "UPDATE push_deliveries SET state = 'queued', attempts = attempts + 1,"
        " next_attempt_at = ?, last_error = ?, claimed_until = NULL WHERE id = ?",
        (when, error, delivery_id),
    )


_INTERRUPTED = (
    "UPDATE push_deliveries SET state = 'failed', claimed_until = NULL,"
    " last_error = 'interrupted while sending; not sent again' WHERE state = 'sending'"
)


def fail_interrupted(conn: Connection, now: str) -> int:
    """Pushes left `sending` by a stopped worker (its claim lapsed, or it claimed them before
    claims had a lease): whether they reached the push service is unknown, so they are not
    sent again."""
    return conn.execute(
        f"{_INTERRUPTED} AND (claimed_until IS NULL OR claimed_until < ?)", (now,)
    ).rowcount


def fail_lapsed(conn: Connection, now: str) -> int:
    """As fail_interrupted, only for lapsed claims (read through the claims' index)."""
    return conn.execute(
        f"{_INTERRUPTED} AND claimed_until IS NOT NULL AND claimed_until < ?", (now,)
    ).rowcount


def forget_before(conn: Connection, before: str) -> int:
    """Finished pushes older than `before` are no longer needed."""
    return conn.execute(
        "DELETE FROM push_deliveries WHERE created_at < ?"
        " AND state IN ('sent', 'skipped', 'failed')",
        (before,),
    ).rowcount


async def states_of(conn: Reader, notification_id: int) -> list[tuple[int, str]]:
    """(subscription id, state) of a notification's pushes."""
    cursor = await conn.execute(
        "SELECT subscription_id, state FROM push_deliveries WHERE notification_id = ?"
        " ORDER BY subscription_id",
        (notification_id,),
    )
    return [(int(r[0]), str(r[1])) for r in await cursor.fetchall()]
