"""SQL for what a member receives by mail: their address (and whether they proved it), their
language, and mail_preferences (notification mail, newsletter, digest), with the notifications
a notification mail tells of."""

from __future__ import annotations

from dataclasses import dataclass

from fedi.db.connection import Connection, Reader, Row

LISTS = ("notifications", "newsletter", "digest")
DIGESTS = ("off", "weekly", "monthly")


@dataclass(frozen=True)
class Recipient:
    account_id: int
    username: str
    email: str | None
    is_confirmed: bool
    locale: str | None


@dataclass(frozen=True)
class MailPreferences:
    notifications: bool = False
    newsletter: bool = False
    digest: str = "off"


@dataclass(frozen=True)
class Pending:
    """A notification not mailed yet: its id, type, sender and post (if any), with what the
    mail may say of the post (the text only when the post is public: see fedi.mail.notices)."""

    id: int
    type: str
    sender_id: int
    sender_acct: str
    sender_name: str
    status_id: int | None
    visibility: str | None
    group_id: int | None
    group_is_private: bool
    is_local_only: bool
    spoiler_text: str
    content: str


_RECIPIENT = (
    "SELECT a.id, a.username, u.email, u.email_confirmed_at, u.locale FROM accounts a"
    " JOIN users u ON u.account_id = a.id"
)


def _recipient(row: Row | tuple[object, ...]) -> Recipient:
    return Recipient(int(row[0]), str(row[1]), row[2], row[3] is not None, row[4])  # type: ignore[arg-type]


async def recipient(conn: Reader, account_id: int) -> Recipient | None:
    cursor = await conn.execute(f"{_RECIPIENT} WHERE a.id = ?", (account_id,))
    row = await cursor.fetchone()
    return _recipient(row) if row else None


async def recipient_by_email(conn: Reader, email: str) -> Recipient | None:
    cursor = await conn.execute(
        f"{_RECIPIENT} WHERE lower(u.email) = lower(?) AND a.suspended_at IS NULL"
        " AND u.is_approved = 1",
        (email,),
    )
    row = await cursor.fetchone()
    return _recipient(row) if row else None


def confirm_email(conn: Connection, account_id: int, email: str, now: str) -> bool:
    """Mark the address proven, if it is still the member's address."""
    return (
        conn.execute(
            "UPDATE users SET email_confirmed_at = COALESCE(email_confirmed_at, ?)"
            " WHERE account_id = ? AND lower(email) = lower(?)",
            (now, account_id, email),
        ).rowcount
        == 1
    )


async def preferences(conn: Reader, account_id: int) -> MailPreferences:
    cursor = await conn.execute(
        "SELECT notifications, newsletter, digest FROM mail_preferences WHERE account_id = ?",
        (account_id,),
    )
    row = await cursor.fetchone()
    if row is None:
        return MailPreferences()
    return MailPreferences(bool(row[0]), bool(row[1]), str(row[2]))


def save_preferences(conn: Connection, account_id: int, chosen: MailPreferences) -> None:
    """Store the choices. Turning notification mail on starts after the newest notification:
    a member who opts in is not sent what came before."""
    conn.execute(
        "INSERT INTO mail_preferences (account_id, notifications, newsletter, digest,"
        " notified_up_to) VALUES (?, ?, ?, ?,"
        " (SELECT COALESCE(max(id), 0) FROM notifications WHERE account_id = ?))"
        " ON CONFLICT (account_id) DO UPDATE SET"
        " notified_up_to = CASE WHEN mail_preferences.notifications = 0"
        " AND excluded.notifications = 1 THEN excluded.notified_up_to"
        " ELSE mail_preferences.notified_up_to END,"
        " notifications = excluded.notifications, newsletter = excluded.newsletter,"
        " digest = excluded.digest",
        (account_id, int(chosen.notifications), int(chosen.newsletter), chosen.digest,
         account_id),
    )  # fmt: skip


def leave_list(conn: Connection, account_id: int, name: str) -> None:
    """Unsubscribe from one list: notifications, newsletter or digest."""
    column, value = {"notifications": ("notifications", 0), "newsletter": ("newsletter", 0),
                     "digest": ("digest", "off")}[name]  # fmt: skip
    conn.execute(
        f"UPDATE mail_preferences SET {column} = ? WHERE account_id = ?", (value, account_id)
    )


async def subscribers(
    conn: Reader, name: str, digest: str | None, after_id: int, limit: int
) -> list[int]:
    """Members on a list (newsletter; digest at the `digest` frequency) with a confirmed
    address, not suspended, by account id after `after_id` (a page of a sending run)."""
    condition = "p.newsletter = 1" if name == "newsletter" else "p.digest = ?"
    args: list[object] = [] if name == "newsletter" else [digest or ""]
    cursor = await conn.execute(
        "SELECT p.account_id FROM mail_preferences p JOIN users u ON u.account_id = p.account_id"
        " JOIN accounts a ON a.id = p.account_id"
        f" WHERE {condition} AND u.email_confirmed_at IS NOT NULL AND a.suspended_at IS NULL"
        " AND p.account_id > ? ORDER BY p.account_id LIMIT ?",
        (*args, after_id, limit),
    )
    return [row[0] for row in await cursor.fetchall()]


async def members_with_news(conn: Reader, sent_before: str, limit: int) -> list[int]:
    """Members who want notification mail, have a proven address, were not mailed since
    `sent_before`, and have notifications newer than the last one mailed."""
    cursor = await conn.execute(
        "SELECT p.account_id FROM mail_preferences p JOIN users u ON u.account_id = p.account_id"
        " JOIN accounts a ON a.id = p.account_id"
        " WHERE p.notifications = 1 AND u.email_confirmed_at IS NOT NULL"
        " AND a.suspended_at IS NULL AND (p.notified_at IS NULL OR p.notified_at <= ?)"
        " AND EXISTS (SELECT 1 FROM notifications n WHERE n.account_id = p.account_id"
        " AND n.id > p.notified_up_to) LIMIT ?",
        (sent_before, limit),
    )
    return [row[0] for row in await cursor.fetchall()]


async def pending_notices(
    conn: Reader,
    account_id: int,
    types: tuple[str, ...],
    hidden: tuple[str, list[object]],
    limit: int,
) -> tuple[int, list[Pending]]:
    """The newest notification id of the member, and the notifications of `types` after the
    last one mailed (oldest first, at most `limit`), senders the member hides left out."""
    cursor = await conn.execute(
        "SELECT notified_up_to, (SELECT COALESCE(max(id), 0) FROM notifications"
        " WHERE account_id = ?) FROM mail_preferences WHERE account_id = ?",
        (account_id, account_id),
    )
    row = await cursor.fetchone()
    if row is None:
        return 0, []
    after, newest = int(row[0]), int(row[1])
    clause, args = hidden
    marks = ", ".join("?" for _ in types)
    cursor = await conn.execute(
        "SELECT n.id, n.type, n.from_account_id,"
        " a.username || CASE WHEN a.domain IS NULL THEN '' ELSE '@' || a.domain END,"
        " a.display_name, s.id, s.visibility, s.group_id,"
        " CASE WHEN s.group_id IS NULL THEN 0 ELSE COALESCE(g.is_private, 1) END,"
        " COALESCE(s.is_local_only, 0), COALESCE(s.spoiler_text, ''), COALESCE(s.content, '')"
        " FROM notifications n JOIN accounts a ON a.id = n.from_account_id"
        " LEFT JOIN statuses s ON s.id = n.status_id"
        " LEFT JOIN groups g ON g.account_id = s.group_id"
        f" WHERE n.account_id = ? AND n.id > ? AND n.id <= ? AND n.type IN ({marks}) {clause}"
        " ORDER BY n.id LIMIT ?",
        (account_id, after, newest, *types, *args, limit),
    )
    found = [
        Pending(
            r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]), bool(r[9]), r[10], r[11]
        )
        for r in await cursor.fetchall()
    ]
    return newest, found


def mark_notified(conn: Connection, account_id: int, up_to: int, now: str) -> None:
    conn.execute(
        "UPDATE mail_preferences SET notified_up_to = max(notified_up_to, ?), notified_at = ?"
        " WHERE account_id = ?",
        (up_to, now, account_id),
    )
