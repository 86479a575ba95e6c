"""A page of statuses, accounts, notifications or conversations costs a fixed number of SQL
statements, whatever its length: every statement the API runs for pages of 2 to 40 items is
counted (the database is real; each reader connection is traced) and the count does not grow
with the page, beyond the few statements a page's content may call for. Run on a small copy of
the benchmark network (bench/seed.py)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite
import httpx
import pytest

from bench.seed import Scale, Seeded, bench_settings, seed_network
from fedi.app import create_app
from fedi.context import Context, open_context
from fedi.db import Database

DOMAIN = "pages.test"
OPTIONAL = 4  # statements a page runs only when its content calls for them
MOST = 40
SCALE = Scale(
    statuses=3000, members=50, remote=120, hosts=8, groups=12, public_groups=3, follows=20,
    heavy_follows=45, seed=11,
)  # fmt: skip


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Seeded]]:
    data = tmp_path_factory.mktemp("pages") / "data"
    yield data, asyncio.run(seed_network(data, DOMAIN, SCALE))


class Counter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, sql: str) -> None:
        self.statements.append(sql)


@pytest.fixture
async def api(
    network: tuple[Path, Seeded], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[httpx.AsyncClient, Counter, Context]]:
    counter = Counter()
    plain_read, plain_read_now = Database.read, Database.read_now

    @asynccontextmanager
    async def traced(self: Database) -> AsyncIterator[aiosqlite.Connection]:
        async with plain_read(self) as conn:
            assert isinstance(conn, aiosqlite.Connection)
            await conn.set_trace_callback(counter)
            try:
                yield conn
            finally:
                await conn.set_trace_callback(None)  # type: ignore[arg-type]  # ends the trace

    @asynccontextmanager
    async def traced_now(self: Database) -> AsyncIterator[aiosqlite.Connection]:
        async with plain_read_now(self) as conn:
            assert isinstance(conn, aiosqlite.Connection)
            await conn.set_trace_callback(counter)
            try:
                yield conn
            finally:
                await conn.set_trace_callback(None)  # type: ignore[arg-type]  # ends the trace

    settings = bench_settings(network[0], DOMAIN)
    async with open_context(settings) as context:
        monkeypatch.setattr(Database, "read", traced)
        monkeypatch.setattr(Database, "read_now", traced_now)
        app = create_app(settings, context, workers=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{DOMAIN}") as client:
            yield client, counter, context


def tokens(network: tuple[Path, Seeded]) -> dict[str, str]:
    found: dict[str, str] = json.loads((network[0] / "bench-tokens.json").read_text())
    return found


async def statements_for(
    client: httpx.AsyncClient, counter: Counter, path: str, token: str, limit: int
) -> tuple[int, int]:
    """(statements run, items answered) for one page."""
    separator = "&" if "?" in path else "?"
    counter.statements.clear()
    response = await client.get(
        f"{path}{separator}limit={limit}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    return len(counter.statements), len(response.json())


@pytest.mark.sqlite_only
async def test_pages_run_as_many_statements_for_5_items_as_for_40(
    api: tuple[httpx.AsyncClient, Counter, Context], network: tuple[Path, Seeded]
) -> None:
    client, counter, _ = api
    seeded = network[1]
    heavy = tokens(network)["m0000"]
    paths: list[str] = [
        "/api/v1/timelines/home",
        "/api/v1/timelines/public",
        "/api/v1/timelines/public?local=true",
        "/api/v1/notifications",
        "/api/v1/favourites",
        f"/api/v1/accounts/{seeded.members[1]}/statuses",
        f"/api/v1/accounts/{seeded.public_groups[0]}/statuses",
        f"/api/v1/accounts/{seeded.members[1]}/followers",
        f"/api/v1/accounts/{seeded.members[0]}/following",
    ]
    for path in paths:
        counts, sizes = [], []
        for limit in (3, 10, 20, 40):
            statements, items = await statements_for(client, counter, path, heavy, limit)
            counts.append(statements)
            sizes.append(items)
        assert sizes[-1] > sizes[0], path
        assert min(counts) >= 3, (path, counts)  # the statements were seen
        # What differs is only what the content asks for (boosted posts to load, a private
        # group's posts to check, the sources after the window): never a statement per item.
        assert max(counts) - min(counts) <= OPTIONAL, (path, counts)
        assert max(counts) <= MOST, (path, counts)


@pytest.mark.sqlite_only
async def test_pages_of_notification_groups_run_as_many_statements_for_3_as_for_80(
    api: tuple[httpx.AsyncClient, Counter, Context], network: tuple[Path, Seeded]
) -> None:
    client, counter, _ = api
    heavy = tokens(network)["m0000"]
    auth = {"Authorization": f"Bearer {heavy}"}
    for path in ("/api/v2/notifications", "/api/v2/notifications?expand_accounts=partial_avatars"):
        counts, sizes = [], []
        for limit in (3, 10, 40, 80):
            counter.statements.clear()
            separator = "&" if "?" in path else "?"
            response = await client.get(f"{path}{separator}limit={limit}", headers=auth)
            assert response.status_code == 200, response.text
            counts.append(len(counter.statements))
            sizes.append(len(response.json()["notification_groups"]))
        assert sizes[-1] > sizes[0], (path, sizes)
        assert min(counts) >= 3, (path, counts)
        assert max(counts) - min(counts) <= OPTIONAL, (path, counts)
        assert max(counts) <= MOST, (path, counts)
    key = response.json()["notification_groups"][0]["group_key"]
    for one in (f"/api/v2/notifications/{key}", f"/api/v2/notifications/{key}/accounts"):
        counter.statements.clear()
        assert (await client.get(one, headers=auth)).status_code == 200
        assert len(counter.statements) <= MOST, one


@pytest.mark.sqlite_only
async def test_a_thread_runs_as_many_statements_short_or_long(
    api: tuple[httpx.AsyncClient, Counter, Context], network: tuple[Path, Seeded]
) -> None:
    client, counter, context = api
    heavy = tokens(network)["m0000"]
    async with context.db.read() as conn:
        cursor = await conn.execute(
            "SELECT in_reply_to_id, count(*) AS n FROM statuses s"
            " WHERE in_reply_to_id IS NOT NULL AND visibility = 'public' AND is_local_only = 0"
            " GROUP BY in_reply_to_id ORDER BY n DESC, in_reply_to_id"
        )
        counted: list[tuple[int, int]] = [(r[0], r[1]) for r in await cursor.fetchall()]
    busy, quiet = counted[0], counted[-1]
    assert busy[1] > quiet[1]
    runs: list[int] = []
    sizes: list[int] = []
    for status_id, _ in (busy, quiet):
        counter.statements.clear()
        response = await client.get(
            f"/api/v1/statuses/{status_id}/context", headers={"Authorization": f"Bearer {heavy}"}
        )
        assert response.status_code == 200
        runs.append(len(counter.statements))
        sizes.append(len(response.json()["descendants"]))
    assert sizes[0] > sizes[1]
    assert abs(runs[0] - runs[1]) <= OPTIONAL, runs
