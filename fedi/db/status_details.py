"""SQL for what hangs off statuses, read for many at once: their mentions, hashtags,
attachments and polls (four statements whatever the number of statuses)."""

from __future__ import annotations

from collections.abc import Iterable

import aiosqlite

from fedi.core.models import Attachment, Mention, Poll, PollOption, StatusDetails
from fedi.db.rows import json_list, opt_time


def _marks(ids: list[int]) -> str:
    return ", ".join("?" for _ in ids)


async def details_of(
    conn: aiosqlite.Connection, status_ids: Iterable[int]
) -> dict[int, StatusDetails]:
    """Each status's details (an empty StatusDetails for one with none), by status id."""
    ids = list(dict.fromkeys(status_ids))
    if not ids:
        return {}
    marks = _marks(ids)
    mentions: dict[int, list[Mention]] = {i: [] for i in ids}
    cursor = await conn.execute(
        "SELECT m.status_id, a.id, a.uri, a.username, a.domain, a.url FROM mentions m"
        f" JOIN accounts a ON a.id = m.account_id WHERE m.status_id IN ({marks})"
        " ORDER BY m.status_id, a.id",
        ids,
    )
    for row in await cursor.fetchall():
        mentions[row[0]].append(Mention(*row[1:]))
    tags: dict[int, list[str]] = {i: [] for i in ids}
    cursor = await conn.execute(
        f"SELECT status_id, name FROM status_tags WHERE status_id IN ({marks})"
        " ORDER BY status_id, name",
        ids,
    )
    for row in await cursor.fetchall():
        tags[row[0]].append(row[1])
    attachments: dict[int, list[Attachment]] = {i: [] for i in ids}
    cursor = await conn.execute(
        "SELECT status_id, id, media_type, COALESCE(remote_url, ''), description, blurhash,"
        " width, height, file, preview_file, preview_width, preview_height, file_size, focus_x,"
        f" focus_y, file_name FROM media_attachments WHERE status_id IN ({marks})"
        " ORDER BY status_id, position, id",
        ids,
    )
    for row in await cursor.fetchall():
        attachments[row[0]].append(Attachment(*row[1:]))
    polls: dict[int, Poll] = {}
    cursor = await conn.execute(
        "SELECT status_id, options, is_multiple, voters_count, expires_at, hide_totals"
        f" FROM polls WHERE status_id IN ({marks})",
        ids,
    )
    for row in await cursor.fetchall():
        options = tuple(
            PollOption(str(o.get("title", "")), int(o.get("votes", 0)))
            for o in json_list(row[1])
            if isinstance(o, dict)
        )
        polls[row[0]] = Poll(options, bool(row[2]), row[3], opt_time(row[4]), bool(row[5]))
    return {
        i: StatusDetails(
            mentions=tuple(mentions[i]),
            tags=tuple(tags[i]),
            attachments=tuple(attachments[i]),
            poll=polls.get(i),
        )
        for i in ids
    }
