"""fedi.db.row_memo: a model is reused only for a row equal in every column, and the memo
keeps at most its size."""

from __future__ import annotations

import sqlite3

from fedi.db.connection import Row
from fedi.db.row_memo import RowMemo


def rows(*values: tuple[object, ...]) -> list[sqlite3.Row]:
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    conn.execute("CREATE TABLE t (id INTEGER, name TEXT, edited TEXT)")
    conn.executemany("INSERT INTO t VALUES (?, ?, ?)", values)
    return list(conn.execute("SELECT id, name, edited FROM t ORDER BY rowid"))


def test_an_equal_row_reuses_the_model_and_a_changed_one_builds_anew() -> None:
    built: list[tuple[object, ...]] = []

    def build(row: Row) -> tuple[object, ...]:
        built.append(tuple(row))
        return tuple(row)

    memo = RowMemo(build, 10)
    first, same, edited = rows((1, "a", None), (1, "a", None), (1, "a", "later"))
    assert memo(first) is memo(same)
    assert memo(edited) == (1, "a", "later")
    assert built == [(1, "a", None), (1, "a", "later")]


def test_the_oldest_rows_go_first_past_the_size() -> None:
    memo = RowMemo(tuple, 2)
    for row in rows((1, "a", None), (2, "b", None), (3, "c", None)):
        memo(row)
    assert len(memo) == 2
