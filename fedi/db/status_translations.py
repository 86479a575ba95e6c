"""SQL for status_translations: posts' machine translations, one per post, version of its text
and target language, so that asking again makes no request to the engine."""

from __future__ import annotations

import json
from dataclasses import dataclass

from fedi.db.connection import Connection, Reader
from fedi.db.rows import json_list


@dataclass(frozen=True)
class Translation:
    """A post translated: its HTML already sanitised, the other fields plain text."""

    status_id: int
    source_hash: str  # of everything that was sent: an edit gives another
    target_language: str
    provider: str  # the engine's name, shown with the translation
    detected_source_language: str | None
    content: str
    spoiler_text: str
    poll_options: tuple[str, ...]
    media_descriptions: tuple[tuple[int, str], ...]  # (attachment id, description)


async def get(
    conn: Reader, status_id: int, target: str, provider: str, source_hash: str
) -> Translation | None:
    cursor = await conn.execute(
        "SELECT detected_source_language, content, spoiler_text, poll_options,"
        " media_descriptions FROM status_translations WHERE status_id = ?"
        " AND target_language = ? AND provider = ? AND source_hash = ?",
        (status_id, target, provider, source_hash),
    )
    row = await cursor.fetchone()
    if row is None:
        return None
    return Translation(
        status_id, source_hash, target, provider, row[0], row[1], row[2],
        tuple(str(title) for title in json_list(row[3])),
        tuple((int(pair[0]), str(pair[1])) for pair in json_list(row[4])),
    )  # fmt: skip


def keep(conn: Connection, translation: Translation, now: str) -> None:
    """Keep a translation, dropping those of the post's earlier texts into the same language."""
    t = translation
    conn.execute(
        "DELETE FROM status_translations WHERE status_id = ? AND target_language = ?"
        " AND source_hash != ?",
        (t.status_id, t.target_language, t.source_hash),
    )
    conn.execute(
        "INSERT INTO status_translations (status_id, source_hash, target_language,"
        " provider, detected_source_language, content, spoiler_text, poll_options,"
        " media_descriptions, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (status_id, target_language, provider, source_hash) DO UPDATE SET"
        " detected_source_language = excluded.detected_source_language,"
        " content = excluded.content, spoiler_text = excluded.spoiler_text,"
        " poll_options = excluded.poll_options,"
        " media_descriptions = excluded.media_descriptions, created_at = excluded.created_at",
        (t.status_id, t.source_hash, t.target_language, t.provider,
         t.detected_source_language, t.content, t.spoiler_text,
         json.dumps(list(t.poll_options), ensure_ascii=False),
         json.dumps([list(pair) for pair in t.media_descriptions], ensure_ascii=False), now),
    )  # fmt: skip
