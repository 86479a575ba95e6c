"""A small copy of the benchmark's network (bench/seed.py), seeded once for the timeline tests,
and a read connection to it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bench.seed import Scale, Seeded, bench_settings, seed_network
from fedi.context import open_context
from fedi.db import Database
from fedi.db.connection import Reader
from tests.testrig.postgres import Databases

DOMAIN = "rows.test"
SMALL = Scale(
    statuses=4000, members=60, remote=150, hosts=10, groups=20, public_groups=4, follows=15,
    heavy_follows=50, seed=7,
)  # fmt: skip


@pytest.fixture
async def database(tmp_path: Path, postgres_databases: Databases | None) -> AsyncIterator[Database]:
    """An empty instance's database, opened: SQLite, or PostgreSQL when the suite runs there."""
    url = postgres_databases.create() if postgres_databases is not None else None
    opened = Database(url if url is not None else tmp_path / "db.sqlite3")
    await opened.open()
    try:
        yield opened
    finally:
        await opened.close()
        if postgres_databases is not None and url is not None:
            postgres_databases.drop(url)


@pytest.fixture(scope="package")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Seeded]]:
    data = tmp_path_factory.mktemp("network") / "data"
    yield data, asyncio.run(seed_network(data, DOMAIN, SMALL))


@pytest.fixture
async def conn(network: tuple[Path, Seeded]) -> AsyncIterator[Reader]:
    async with (
        open_context(bench_settings(network[0], DOMAIN)) as context,
        context.db.read() as connection,
    ):
        yield connection
