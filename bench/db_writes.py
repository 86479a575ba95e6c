"""Write-path benchmark: CPU per committed row, fedi's group-committing writer against one
aiosqlite commit per row, in the same run. Prints ratios (run by hand: python bench/db_writes.py).

    per-row aiosqlite : execute + commit through aiosqlite for every row (the naive path)
    fedi writer, 1    : Database.write, one caller at a time (no batching possible)
    fedi writer, 64   : Database.write, 64 concurrent callers (as under inbox load)
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import aiosqlite

from fedi.db import Database

SCHEMA = "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"
BODY = "x" * 2000


async def per_row_aiosqlite(path: Path, rows: int) -> None:
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=FULL")
        await conn.execute(SCHEMA)
        for _ in range(rows):
            await conn.execute("BEGIN")
            await conn.execute("INSERT INTO t (body) VALUES (?)", (BODY,))
            await conn.execute("COMMIT")


async def fedi_writer(path: Path, rows: int, concurrency: int) -> None:
    db = Database(path)
    await db.open()
    await db.write(lambda c: c.execute(SCHEMA))
    queue = iter(range(rows))

    async def worker() -> None:
        for _ in queue:
            await db.write(lambda c: c.execute("INSERT INTO t (body) VALUES (?)", (BODY,)))

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    await db.close()


def cpu_per_row(run: Callable[[Path], Coroutine[Any, Any, None]], rows: int) -> float:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "bench.sqlite3"
        start = time.process_time()
        asyncio.run(run(path))
        return (time.process_time() - start) / rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5000)
    rows = parser.parse_args().rows
    naive = cpu_per_row(lambda p: per_row_aiosqlite(p, rows), rows)
    single = cpu_per_row(lambda p: fedi_writer(p, rows, 1), rows)
    batched = cpu_per_row(lambda p: fedi_writer(p, rows, 64), rows)
    print(f"rows: {rows}")
    print(f"per-row aiosqlite : {naive * 1e6:8.1f} us CPU/row   ratio 1.00")
    print(f"fedi writer, 1    : {single * 1e6:8.1f} us CPU/row   ratio {single / naive:.2f}")
    print(f"fedi writer, 64   : {batched * 1e6:8.1f} us CPU/row   ratio {batched / naive:.2f}")


if __name__ == "__main__":
    main()
