"""Ids: time-ordered, strictly growing in a process, and apart between the processes that share
a database (each takes its own tag from the database when it opens it)."""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from fedi.core import ids
from fedi.db import connect
from fedi.db.claims import take_id_tag
from fedi.db.migrate import apply_migrations


@pytest.fixture(autouse=True)
def fresh_ids() -> Iterator[None]:
    saved = ids._last, ids._tag
    yield
    ids._last, ids._tag = saved


def test_ids_grow_and_borrow_the_next_millisecond_after_64() -> None:
    ids._last = 0
    ids.use_tag(5)
    made = [ids.new_id(at_ms=1_000) for _ in range(200)]
    assert made == sorted(set(made))
    assert made[0] == ids.first_id_at(1_000) | (5 << ids.SEQUENCE_BITS)
    assert {i >> 16 for i in made} == {1_000, 1_001, 1_002, 1_003}
    assert {(i >> ids.SEQUENCE_BITS) & 1023 for i in made} == {5}
    # A later millisecond starts at its first sequence number again.
    assert ids.new_id(at_ms=2_000) == (2_000 << 16) | (5 << ids.SEQUENCE_BITS)


def test_a_smaller_tag_within_a_millisecond_still_grows() -> None:
    ids._last = 0
    ids.use_tag(900)
    first = ids.new_id(at_ms=1_000)
    ids.use_tag(3)
    second = ids.new_id(at_ms=1_000)
    assert second > first and (second >> ids.SEQUENCE_BITS) & 1023 == 3


def test_two_tags_in_the_same_milliseconds_never_meet() -> None:
    made: set[int] = set()
    for tag in (1, 2):
        ids._last = 0
        ids.use_tag(tag)
        made.update(ids.new_id(at_ms=1_000 + n // 100) for n in range(1_000))
    assert len(made) == 2_000


def _ids_of_a_process(database: str, count: int) -> tuple[set[int], list[int]]:
    """The tags of the ids this process made, and the ids."""
    conn = connect(Path(database))
    try:
        ids.use_tag(take_id_tag(conn))
    finally:
        conn.close()
    made = [ids.new_id() for _ in range(count)]
    return {(i >> ids.SEQUENCE_BITS) % (1 << ids.TAG_BITS) for i in made}, made


def test_processes_opening_one_database_take_different_tags(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    conn = connect(database)
    apply_migrations(conn)
    assert [take_id_tag(conn), take_id_tag(conn)] == [1, 2]
    conn.close()
    # Two processes making ids (at the same moment, before the tags, they collided): their
    # ids carry one tag each, not the same, whenever they run.
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        (tags_a, made_a), (tags_b, made_b) = pool.starmap(
            _ids_of_a_process, [(str(database), 5_000)] * 2
        )
    assert len(tags_a) == len(tags_b) == 1 and tags_a != tags_b
    assert len(set(made_a) | set(made_b)) == 10_000
    with sqlite3.connect(database) as check:
        assert check.execute("SELECT next FROM id_tags").fetchall() == [(4,)]
