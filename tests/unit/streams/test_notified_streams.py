"""Live streams across processes on PostgreSQL (run with FEDI_TEST_DATABASE=postgresql; skipped
on SQLite): two processes' instances on one database, a change shared by one reaches a stream
on the other as soon as it commits, woken by NOTIFY rather than by the (slow) fallback poll."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from fedi.accounts.members import add_member
from fedi.statuses.posting import post_status
from tests.testrig.postgres import Databases
from tests.unit.streams.test_shared_streams import changes_of, processes


@pytest.fixture(autouse=True)
def on_postgresql(postgres_databases: Databases | None) -> None:
    if postgres_databases is None:
        pytest.skip("FEDI_TEST_DATABASE=postgresql runs these")


async def test_a_change_shared_by_one_process_is_heard_at_once_by_the_other(
    tmp_path: Path,
) -> None:
    async with processes(tmp_path, 2, shared=True) as (web, worker):
        amal = await add_member(web, "amal", "amal-password")
        web.streams.poll = 60.0  # the fallback poll never comes within the test
        listener = await web.streams.listen(web.db, amal.account.id, 1)
        await asyncio.sleep(0.5)  # the listening connection is made
        for text in ("Hearing moved to Thursday", "Room 4 this time"):
            started = time.monotonic()
            post = await post_status(worker, "amal", text)
            [change] = await changes_of(listener, 1)
            assert (change.kind, change.ref) == ("update", post.id)
            assert time.monotonic() - started < 1.0
