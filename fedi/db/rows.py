"""Helpers shared by the table modules: booleans, timestamps and JSON columns, and rows of
several kinds read together."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from fedi.core.timeutil import from_db
from fedi.db.connection import Reader, Row
from fedi.db.postgres import is_postgresql


def opt_time(value: str | None) -> datetime | None:
    return from_db(value) if value else None


def json_list(value: str) -> list[Any]:
    if value == "[]":  # most rows' lists are empty: no parse
        return []
    parsed = json.loads(value)
    return parsed if isinstance(parsed, list) else []


def no_limit(conn: object) -> int | None:
    """`LIMIT ?`'s parameter for no limit at all: -1 on SQLite, NULL on PostgreSQL."""
    return None if is_postgresql(conn) else -1


Arm = tuple[str, Sequence[object]]
_UNIONS: dict[tuple[tuple[str, ...], int], str] = {}


async def rows_of_kinds(conn: Reader, arms: Sequence[Arm], ordered: int = 0) -> list[Row]:
    """Rows of several kinds in one column layout, each kind an arm (its SQL and parameters)
    whose first column names it, sorted by their first `ordered` columns. On SQLite, one
    statement (UNION ALL, made once per set of arms), each arm's columns of its own types;
    PostgreSQL's UNION wants one type per column, so there each arm is a statement of its own."""
    if not is_postgresql(conn):
        key = (tuple(sql for sql, _ in arms), ordered)
        sql = _UNIONS.get(key)
        if sql is None:
            order = " ORDER BY " + ", ".join(str(n + 1) for n in range(ordered)) if ordered else ""
            sql = _UNIONS[key] = " UNION ALL ".join(key[0]) + order
        cursor = await conn.execute(sql, [value for _, values in arms for value in values])
        return list(await cursor.fetchall())
    rows: list[Row] = []
    for sql, values in arms:
        cursor = await conn.execute(sql, list(values))
        rows += await cursor.fetchall()
    if ordered:
        rows.sort(key=lambda row: tuple((v is not None, v) for v in row[:ordered]))
    return rows
