"""A page's status details, read in one statement, are each status's own mentions (by account),
hashtags (by name), attachments (by position) and poll, as reading each table for it says."""

from __future__ import annotations

import aiosqlite

from fedi.core.models import Attachment, Mention
from fedi.db import status_details


async def _one_by_one(conn: aiosqlite.Connection, status_id: int) -> tuple[object, ...]:
    mentions = await conn.execute(
        "SELECT a.id, a.uri, a.username, a.domain, a.url FROM mentions m"
        " JOIN accounts a ON a.id = m.account_id WHERE m.status_id = ? ORDER BY a.id",
        (status_id,),
    )
    tags = await conn.execute(
        "SELECT name FROM status_tags WHERE status_id = ? ORDER BY name", (status_id,)
    )
    media = await conn.execute(
        "SELECT id, media_type, COALESCE(remote_url, ''), description, blurhash, width, height,"
        " file, preview_file, preview_width, preview_height, file_size, focus_x, focus_y,"
        " file_name FROM media_attachments WHERE status_id = ? ORDER BY position, id",
        (status_id,),
    )
    poll = await conn.execute("SELECT voters_count FROM polls WHERE status_id = ?", (status_id,))
    return (
        tuple(Mention(*r) for r in await mentions.fetchall()),
        tuple(r[0] for r in await tags.fetchall()),
        tuple(Attachment(*r) for r in await media.fetchall()),
        [r[0] for r in await poll.fetchall()],
    )


async def test_details_in_one_statement_are_each_status_own(conn: aiosqlite.Connection) -> None:
    cursor = await conn.execute(
        "SELECT id FROM statuses WHERE id IN (SELECT status_id FROM mentions)"
        " OR id IN (SELECT status_id FROM status_tags) OR id IN (SELECT status_id FROM polls)"
        " OR id IN (SELECT status_id FROM media_attachments) ORDER BY id DESC LIMIT 60"
    )
    busy = [r[0] for r in await cursor.fetchall()]
    cursor = await conn.execute("SELECT id FROM statuses ORDER BY id LIMIT 20")
    ids = busy + [r[0] for r in await cursor.fetchall()]
    found = await status_details.details_of(conn, ids)
    assert list(found) == list(dict.fromkeys(ids))
    kinds = set()
    for status_id in ids:
        details = found[status_id]
        mentions, tags, attachments, voters = await _one_by_one(conn, status_id)
        assert (details.mentions, details.tags, details.attachments) == (
            mentions,
            tags,
            attachments,
        )
        assert ([details.poll.voters_count] if details.poll else []) == voters
        kinds |= {
            k for k, v in zip("mtap", (mentions, tags, attachments, voters), strict=True) if v
        }
    assert kinds >= {"m", "t", "p"}
