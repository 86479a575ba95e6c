"""SQL for translation_languages: the language pairs the configured engine last listed, kept a
day so that pages and apps asking for them do not each ask the engine."""

from __future__ import annotations

import json
from datetime import datetime

from fedi.core.timeutil import from_db
from fedi.db.connection import Connection, Reader

Pairs = dict[str, list[str]]  # a source language -> the languages it translates into


async def get(conn: Reader, engine: str) -> tuple[Pairs, datetime] | None:
    """The pairs kept for this engine and when they were fetched."""
    cursor = await conn.execute(
        "SELECT languages, fetched_at FROM translation_languages WHERE engine = ?", (engine,)
    )
    row = await cursor.fetchone()
    if row is None:
        return None
    parsed = json.loads(row[0])  # written by keep() below: a JSON object of lists
    pairs = {str(k): [str(t) for t in v] for k, v in parsed.items() if isinstance(v, list)}
    return pairs, from_db(row[1])


def keep(conn: Connection, engine: str, pairs: Pairs, now: str) -> None:
    conn.execute(
        "INSERT INTO translation_languages (engine, languages, fetched_at) VALUES (?, ?, ?)"
        " ON CONFLICT (engine) DO UPDATE SET languages = excluded.languages,"
        " fetched_at = excluded.fetched_at",
        (engine, json.dumps(pairs), now),
    )
