"""Numbered SQL migrations (db/migrations/NNNN_name.sql), applied in order, each exactly once.

Each file runs in its own BEGIN IMMEDIATE transaction that re-checks whether it was applied, so two
processes migrating at once (the server and `fedi migrate`) cannot apply a file twice.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources

from fedi.db.status_search import indexed_text

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    found = []
    for entry in resources.files("fedi.db").joinpath("migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.version)


def split_statements(sql: str) -> list[str]:
    statements, current = [], ""
    for line in sql.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip() and not current.strip().startswith("--"):
        statements.append(current.strip())
    return statements


def applied_versions(conn: sqlite3.Connection) -> set[int]:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    return {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}


def prepare(conn: sqlite3.Connection) -> None:
    """Give the connection the functions of ours that migrations call (0036 indexes the posts'
    words with indexed_text); whatever runs migration files must call this first."""
    conn.create_function("indexed_text", 4, indexed_text, deterministic=True)


def apply_migrations(conn: sqlite3.Connection) -> list[str]:
    """Apply every pending migration; returns the names of those applied now."""
    prepare(conn)
    applied: list[str] = []
    for migration in available_migrations():
        if migration.version in applied_versions(conn):
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            if migration.version in applied_versions(conn):
                conn.execute("ROLLBACK")
                continue
            for statement in split_statements(migration.sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, datetime.now(UTC).isoformat()),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(f"{migration.version:04d}_{migration.name}")
    return applied
