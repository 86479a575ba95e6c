"""SQL for finding hashtags by the start of their name (the search page and the API's search):
only tags that public or unlisted posts of accounts in good standing carry, so that a tag used
only in a private group, a followers-only or a direct post is never revealed."""

from __future__ import annotations

from fedi.db.connection import Reader
from fedi.db.postgres import is_postgresql


async def search(conn: Reader, prefix: str, limit: int, offset: int = 0) -> list[tuple[str, int]]:
    """(name, number of such posts) of the tags starting with `prefix` (lower-case, letters,
    digits and underscores only, as tags are stored), the exact tag first, then the most used.
    Read through the status_tags_name index (GLOB on a prefix is a range of it), each post then
    by its key: CROSS JOIN keeps SQLite from walking every post that is not a boost instead."""
    cursor = await conn.execute(
        "SELECT t.name, count(*) AS uses FROM status_tags t"
        " CROSS JOIN statuses s ON s.id = t.status_id CROSS JOIN accounts a ON a.id = s.account_id"
        f" WHERE t.name {'LIKE' if is_postgresql(conn) else 'GLOB'} ?"
        " AND s.visibility IN ('public', 'unlisted')"
        " AND s.reblog_of_id IS NULL AND a.suspended_at IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM groups g WHERE g.account_id = s.group_id"
        "   AND g.is_private = 1)"
        " GROUP BY t.name ORDER BY t.name = ? DESC, uses DESC, t.name LIMIT ? OFFSET ?",
        (f"{prefix}{'%' if is_postgresql(conn) else '*'}", prefix, limit, offset),
    )
    return [(str(row[0]), int(row[1])) for row in await cursor.fetchall()]
