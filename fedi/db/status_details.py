"""SQL for what hangs off statuses, read for many at once: their mentions, hashtags,
attachments and polls (one statement whatever the number of statuses)."""

from __future__ import annotations

from collections.abc import Iterable

from fedi.core.models import Attachment, Mention, Poll, PollOption, StatusDetails
from fedi.db.connection import Reader
from fedi.db.rows import json_list, opt_time, rows_of_kinds


def _marks(ids: list[int]) -> str:
    return ", ".join("?" for _ in ids)


_EMPTY = StatusDetails()
_ATTACHMENT = (
    "id, media_type, COALESCE(remote_url, ''), description, blurhash, width, height, file,"
    " preview_file, preview_width, preview_height, file_size, focus_x, focus_y, file_name"
)
_PAD = ", NULL" * 10


async def details_of(conn: Reader, status_ids: Iterable[int]) -> dict[int, StatusDetails]:
    """Each status's details (an empty StatusDetails for one with none), by status id: one
    statement, each kind of row sorted by the status and its own order (kind, status id, two
    sort keys, then the row)."""
    ids = list(dict.fromkeys(status_ids))
    if not ids:
        return {}
    marks = _marks(ids)
    found = await rows_of_kinds(conn, [
        ("SELECT 0, m.status_id, a.id, NULL, a.id, a.uri, a.username, a.domain, a.url" + _PAD
         + f" FROM mentions m JOIN accounts a ON a.id = m.account_id"
         f" WHERE m.status_id IN ({marks})", ids),
        ("SELECT 1, status_id, name, NULL, name, NULL, NULL, NULL, NULL" + _PAD
         + f" FROM status_tags WHERE status_id IN ({marks})", ids),
        (f"SELECT 2, status_id, position, id, {_ATTACHMENT}"
         f" FROM media_attachments WHERE status_id IN ({marks})", ids),
        ("SELECT 3, status_id, NULL, NULL, options, is_multiple, voters_count,"
         " expires_at, hide_totals" + _PAD + f" FROM polls WHERE status_id IN ({marks})", ids),
    ], ordered=4)  # fmt: skip
    mentions: dict[int, list[Mention]] = {}
    tags: dict[int, list[str]] = {}
    attachments: dict[int, list[Attachment]] = {}
    polls: dict[int, Poll] = {}
    for row in found:
        kind, status_id = row[0], row[1]
        if kind == 0:
            mentions.setdefault(status_id, []).append(Mention(*row[4:9]))
        elif kind == 1:
            tags.setdefault(status_id, []).append(row[4])
        elif kind == 2:
            attachments.setdefault(status_id, []).append(Attachment(*row[4:19]))
        else:
            options = tuple(
                PollOption(str(o.get("title", "")), int(o.get("votes", 0)))
                for o in json_list(row[4])
                if isinstance(o, dict)
            )
            polls[status_id] = Poll(options, bool(row[5]), row[6], opt_time(row[7]), bool(row[8]))
    return {
        i: StatusDetails(
            mentions=tuple(mentions.get(i, ())),
            tags=tuple(tags.get(i, ())),
            attachments=tuple(attachments.get(i, ())),
            poll=polls.get(i),
        )
        if i in mentions or i in tags or i in attachments or i in polls
        else _EMPTY
        for i in ids
    }
