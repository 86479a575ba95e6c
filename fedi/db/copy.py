"""Copying an instance's rows from its SQLite file into an empty PostgreSQL database migrated to
the same version (`fedi db copy`). Every table is copied as it is, derived ones included (the
home feeds, the counters, the row versions), with PostgreSQL's triggers and foreign-key checks
off for the copy (session_replication_role = replica), so that nothing is counted twice; the
search tables, which the two databases keep differently, are made again from the copied rows;
sequences continue after the copied numbers. One transaction: an interrupted copy leaves the
target empty. The source is held with a write lock for the duration, so that no process writes
to it meanwhile."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from fedi.db.fulltext import without_diacritics
from fedi.db.postgres import PgConnection

CHUNK = 2000  # rows read from SQLite at a time
# Kept differently on each side (FTS5 there, tsvector here): made again after the copy.
SEARCH_TABLES = ("status_search", "account_search")


class CopyError(Exception):
    """The copy cannot be made; the message is fit for an operator."""


@dataclass(frozen=True)
class Copied:
    table: str
    rows: int


# Tables the migrations give a row (the counter of id tags): the copy replaces it.
SEEDED = ("id_tags",)


def source_tables(source: sqlite3.Connection) -> list[str]:
    """The source's own tables, in a stable order: not SQLite's, not full-text tables or their
    shadow tables, not the migrations' record."""
    rows = source.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name"
    ).fetchall()
    virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")]
    return [
        name
        for name, _ in rows
        if name != "schema_migrations"
        and name not in virtual
        and not any(name.startswith(f"{v}_") for v in virtual)
    ]


def versions(source: sqlite3.Connection) -> set[int]:
    return {row[0] for row in source.execute("SELECT version FROM schema_migrations")}


def target_versions(target: PgConnection) -> set[int]:
    return {row[0] for row in target.execute("SELECT version FROM schema_migrations")}


def target_columns(target: PgConnection, table: str) -> list[str]:
    """The table's columns that take values (not generated), or [] when it does not exist."""
    rows = target.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = ? AND is_generated = 'NEVER' ORDER BY ordinal_position",
        (table,),
    ).fetchall()
    return [row[0] for row in rows]


def source_columns(source: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in source.execute(f'PRAGMA table_info("{table}")')]


def holds_an_instance(target: PgConnection) -> bool:
    return target.execute("SELECT 1 FROM accounts LIMIT 1").fetchone() is not None


def copy_all(source: sqlite3.Connection, target: PgConnection) -> list[Copied]:
    """Copy every table (see the module's docstring). The caller holds the source's lock and
    checked the versions; the target must hold no instance yet."""
    tables = source_tables(source)
    plans = []
    for table in tables:
        wanted = source_columns(source, table)
        present = target_columns(target, table)
        missing = [column for column in wanted if column not in present]
        if not present or missing:
            raise CopyError(f"the PostgreSQL database has no {table} ({', '.join(missing)})")
        plans.append((table, wanted))
    copied = []
    target.execute("BEGIN")
    try:
        target.execute("SET LOCAL session_replication_role = replica")
        for table in SEEDED:  # the source's rows instead of the migrations'
            target.execute(f"DELETE FROM {table}")
        for table, columns in plans:
            count = target.copy_rows(table, columns, _rows(source, table, columns))
            copied.append(Copied(table, count))
        copied.append(Copied("status_search", _post_words(source, target)))
        target.execute(
            "INSERT INTO account_search (id, username, names) SELECT id,"
            " to_tsvector('simple', fedi_without_diacritics(username)),"
            " to_tsvector('simple', fedi_without_diacritics(username || ' ' || display_name))"
            " FROM accounts"
        )
        _continue_sequences(target)
        target.execute("COMMIT")
    except BaseException:
        if target.in_transaction:
            target.execute("ROLLBACK")
        raise
    return copied


def _rows(
    source: sqlite3.Connection, table: str, columns: list[str]
) -> Iterator[tuple[object, ...]]:
    names = ", ".join(f'"{column}"' for column in columns)
    cursor = source.execute(f'SELECT {names} FROM "{table}"')
    while chunk := cursor.fetchmany(CHUNK):
        yield from (tuple(row) for row in chunk)


def _post_words(source: sqlite3.Connection, target: PgConnection) -> int:
    """The posts' words, as fedi.db.status_search keeps them on PostgreSQL."""
    cursor = source.execute("SELECT rowid, text FROM status_search")

    def words() -> Iterator[tuple[object, ...]]:
        while chunk := cursor.fetchmany(CHUNK):
            yield from ((row[0], without_diacritics(row[1])) for row in chunk)

    return target.copy_rows("status_search", ["id", "text"], words())


def _continue_sequences(target: PgConnection) -> None:
    """Each column numbered by a sequence goes on after the largest number copied."""
    owned = target.execute(
        "SELECT c.table_name, c.column_name,"
        " pg_get_serial_sequence(quote_ident(c.table_name), c.column_name)"
        " FROM information_schema.columns c WHERE c.table_schema = current_schema()"
    ).fetchall()
    for table, column, sequence in owned:
        if sequence is None:
            continue
        target.execute(
            f'SELECT setval(?, coalesce((SELECT max("{column}") FROM "{table}"), 0) + 1, false)',
            (sequence,),
        )
