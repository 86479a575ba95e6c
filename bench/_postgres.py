"""PostgreSQL for the benchmarks run on it (--database-url): the CPU of the database server's
processes, counted beside fedi's (on PostgreSQL a query's work is done there, not in fedi's
process), and counts read through it.

The server must run on this machine with its data directory readable (its postmaster.pid names
the server's process, whose children are the connections' backends), and the URL's user must
be allowed to read `data_directory` (a superuser, or a member of pg_read_all_settings)."""

from __future__ import annotations

from pathlib import Path

import psycopg

from bench._common import _cpu_fields, process_cpu


def server_pid(url: str) -> int:
    """The PostgreSQL server's main process (the postmaster)."""
    with psycopg.connect(url) as conn:
        row = conn.execute("SHOW data_directory").fetchone()
    assert row is not None
    return int((Path(row[0]) / "postmaster.pid").read_text().split()[0])


def server_cpu(pid: int) -> float:
    """utime + stime of the server and every process it started (backends, checkpointer, WAL
    writer...), in seconds: those alive now."""
    total = process_cpu(pid)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # ended meanwhile
            continue
        if int(text.rsplit(")", 1)[1].split()[1]) == pid:
            total += _cpu_fields(text)
    return total


def count(url: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return list(conn.execute(sql).fetchall())
