"""The numbered migrations on PostgreSQL: the same versions, in the same schema_migrations
table, so that an instance's applied set reads the same on either database.

A migration written as portable DDL is the SQLite file itself, its column types spelt as
PostgreSQL spells them (ids are 64-bit: INTEGER is BIGINT; BLOB is BYTEA) and its statements
translated as every query is (fedi.db.pg_sql). Where the dialects truly differ (triggers are
PL/pgSQL functions, full-text search is tsvector), migrations/postgresql/NNNN_name.sql replaces
the file of the same number. Each runs in its own transaction under an advisory lock, so two
processes migrating at once cannot apply a file twice. Around them, functions.sql (before) and
streams.sql (after) make or replace what belongs to no version, every time.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from importlib import resources

from fedi.db.migrate import Migration, available_migrations, split_statements
from fedi.db.pg_sql import translate
from fedi.db.postgres import PgConnection

_LOCK = 0x6665646900  # the advisory lock key of fedi's migrations ("fedi")
_TYPES = re.compile(
    r"('(?:[^']|'')*'|--[^\n]*)|\b(INTEGER|BLOB)\b|\s+WITHOUT\s+ROWID\b", re.IGNORECASE
)
_SPELT = {"integer": "BIGINT", "blob": "BYTEA"}
_NUMBERED = re.compile(r"^\d{4}_[a-z0-9_]+\.sql$")
_FOLDER = resources.files("fedi.db").joinpath("migrations", "postgresql")


def postgresql_migrations() -> list[Migration]:
    own = {}
    for entry in _FOLDER.iterdir():
        if _NUMBERED.match(entry.name):
            own[int(entry.name[:4])] = entry.read_text(encoding="utf-8")
    return [
        Migration(m.version, m.name, own.get(m.version) or _portable(m.sql))
        for m in available_migrations()
    ]


def _portable(sql: str) -> str:
    statements = [translate(_types(statement)).sql for statement in split_statements(sql)]
    # No parameters: a literal % is itself again.
    return ";\n".join(statement.replace("%%", "%") for statement in statements)


def _types(sql: str) -> str:
    def spelt(match: re.Match[str]) -> str:
        if match[1]:
            return match[1]
        return _SPELT[match[2].lower()] if match[2] else ""

    return _TYPES.sub(spelt, sql)


def applied_versions(conn: PgConnection) -> set[int]:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    return {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}


def apply_pg_migrations(conn: PgConnection) -> list[str]:
    """Apply every pending migration; returns the names of those applied now."""
    applied: list[str] = []
    _unversioned(conn, "functions.sql")
    done = applied_versions(conn)
    for migration in postgresql_migrations():
        if migration.version in done:
            continue
        conn.execute("BEGIN")
        try:
            conn.execute("SELECT pg_advisory_xact_lock(?)", (_LOCK,))
            if migration.version in applied_versions(conn):
                conn.execute("ROLLBACK")
                continue
            conn.execute_script(migration.sql)
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, datetime.now(UTC).isoformat()),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(f"{migration.version:04d}_{migration.name}")
    _unversioned(conn, "streams.sql")
    return applied


def _unversioned(conn: PgConnection, name: str) -> None:
    conn.execute("BEGIN")
    try:
        conn.execute("SELECT pg_advisory_xact_lock(?)", (_LOCK,))
        conn.execute_script(_FOLDER.joinpath(name).read_text(encoding="utf-8"))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
