"""SQL for mail_outbox: the durable queue of outgoing mail, each row one whole message.

queued -> sent | written | failed; a failed attempt that may succeed later stays queued with a
later next_attempt_at and one more attempt counted. A queued mail is claimed by one worker at a
time (fedi.db.claims); recording the attempt ends the claim.
"""

from __future__ import annotations

from dataclasses import dataclass

from fedi.db.claims import CLAIM_LOCK
from fedi.db.connection import Connection, Reader


@dataclass(frozen=True)
class NewMail:
    id: int
    account_id: int | None
    recipient: str
    kind: str
    subject: str
    message: bytes


@dataclass(frozen=True)
class QueuedMail:
    id: int
    recipient: str
    message: bytes
    attempts: int
    created_at: str


@dataclass(frozen=True)
class MailRow:
    """A mail as administrators see it in the list (the message itself is read one at a time)."""

    id: int
    recipient: str
    kind: str
    subject: str
    state: str
    attempts: int
    last_error: str
    file_name: str | None
    created_at: str
    sent_at: str | None


LIST_COLUMNS = (
    "id, recipient, kind, subject, state, attempts, last_error, file_name, created_at, sent_at"
)


def insert(conn: Connection, mail: NewMail, now: str) -> None:
    conn.execute(
        "INSERT INTO mail_outbox (id, account_id, recipient, kind, subject, message,"
        " next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (mail.id, mail.account_id, mail.recipient, mail.kind, mail.subject, mail.message,
         now, now),
    )  # fmt: skip


async def due(conn: Reader, now: str, limit: int) -> list[QueuedMail]:
    cursor = await conn.execute(
        "SELECT id, recipient, message, attempts, created_at FROM mail_outbox"
        " WHERE state = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
        (now, limit),
    )
    return [QueuedMail(r[0], r[1], bytes(r[2]), r[3], r[4]) for r in await cursor.fetchall()]


def claim_due(conn: Connection, worker: str, now: str, until: str, limit: int) -> list[QueuedMail]:
    """Claim up to `limit` due mails (oldest first) that no live claim holds, in one statement."""
    rows = conn.execute(
        "UPDATE mail_outbox SET claimed_by = ?, claimed_until = ? WHERE id IN ("
        " SELECT id FROM mail_outbox WHERE state = 'queued' AND next_attempt_at <= ?"
        " AND (claimed_until IS NULL OR claimed_until < ? OR claimed_by = ?)"
        f" ORDER BY next_attempt_at, id LIMIT ?{CLAIM_LOCK})"
        " RETURNING id, recipient, message, attempts, created_at, next_attempt_at",
        (worker, until, now, now, worker, limit),
    ).fetchall()
    rows.sort(key=lambda r: (r[5], r[0]))
    return [QueuedMail(r[0], r[1], bytes(r[2]), r[3], r[4]) for r in rows]


async def next_due_at(conn: Reader) -> str | None:
    cursor = await conn.execute(
        "SELECT min(next_attempt_at) FROM mail_outbox WHERE state = 'queued'"
    )
    row = await cursor.fetchone()
    return str(row[0]) if row and row[0] else None


def mark_done(
    conn: Connection, mail_id: int, state: str, now: str, file_name: str | None = None
) -> None:
    """Sent over SMTP (`sent`) or written as a file (`written`)."""
    conn.execute(
        "UPDATE mail_outbox SET state = ?, attempts = attempts + 1, sent_at = ?, file_name = ?,"
        " last_error = '', claimed_until = NULL WHERE id = ? AND state = 'queued'",
        (state, now, file_name, mail_id),
    )


def mark_failed_attempt(conn: Connection, mail_id: int, error: str, retry_at: str | None) -> None:
    """One more failed attempt: again at `retry_at`, or failed for good when it is None."""
    if retry_at is None:
        conn.execute(
            "UPDATE mail_outbox SET state = 'failed', attempts = attempts + 1, last_error = ?,"
            " claimed_until = NULL WHERE id = ? AND state = 'queued'",
            (error, mail_id),
        )
    else:
        conn.execute(
            "UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,"
            " claimed_until = NULL WHERE id = ? AND state = 'queued'",
            (error, retry_at, mail_id),
        )


async def recent(conn: Reader, max_id: int | None, limit: int) -> list[MailRow]:
    """The newest mails first, older than max_id when given (the list's next page)."""
    cursor = await conn.execute(
        f"SELECT {LIST_COLUMNS} FROM mail_outbox WHERE id < ? ORDER BY id DESC LIMIT ?",
        (max_id if max_id is not None else 2**63 - 1, limit),
    )
    return [MailRow(*row) for row in await cursor.fetchall()]


async def get(conn: Reader, mail_id: int) -> tuple[MailRow, bytes] | None:
    cursor = await conn.execute(
        f"SELECT {LIST_COLUMNS}, message FROM mail_outbox WHERE id = ?", (mail_id,)
    )
    row = await cursor.fetchone()
    if row is None:
        return None
    return MailRow(*tuple(row)[:-1]), bytes(row[-1])


async def count_by_state(conn: Reader) -> dict[str, int]:
    cursor = await conn.execute("SELECT state, count(*) FROM mail_outbox GROUP BY state")
    return {row[0]: row[1] for row in await cursor.fetchall()}


async def count_since(conn: Reader, account_id: int, kind: str, since: str) -> int:
    """How many mails of `kind` were queued for the member since then (a cap on resending)."""
    cursor = await conn.execute(
        "SELECT count(*) FROM mail_outbox WHERE account_id = ? AND kind = ? AND created_at > ?",
        (account_id, kind, since),
    )
    row = await cursor.fetchone()
    return int(row[0]) if row else 0
