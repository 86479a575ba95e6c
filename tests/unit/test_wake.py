"""Waking the workers: on PostgreSQL with workers = "separate" (FEDI_TEST_DATABASE=postgresql),
work queued by one process sets the queue's event of a worker process listening on the same
database, and that queue's only; a process running its own workers wakes only itself."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from fedi.context import open_context
from fedi.core.config import load_settings
from tests.testrig.postgres import Databases


async def test_work_queued_by_one_process_wakes_the_other_ones_worker(
    postgres_databases: Databases | None, tmp_path: Path
) -> None:
    if postgres_databases is None:
        pytest.skip("FEDI_TEST_DATABASE=postgresql runs it")
    settings = load_settings(
        {"FEDI_DOMAIN": "fedi.test", "FEDI_DATA_DIR": str(tmp_path), "FEDI_WORKERS": "separate"}
    )
    async with open_context(settings) as web, open_context(settings) as worker:
        hearing = asyncio.create_task(worker.wake.listen(worker.db))
        try:
            # Once listening, every queue is looked at: what was announced before is not lost.
            async with asyncio.timeout(5):
                await asyncio.gather(*(event.wait() for event in worker.wake.events))
            for event in worker.wake.events:
                event.clear()
            web.wake.outbox.set()
            async with asyncio.timeout(1):
                await worker.wake.outbox.wait()
            web.wake.mail.set()
            async with asyncio.timeout(1):
                await worker.wake.mail.wait()
            assert not worker.wake.inbox.is_set()
        finally:
            hearing.cancel()
            await asyncio.gather(hearing, return_exceptions=True)


async def test_a_process_running_its_own_workers_wakes_only_itself(tmp_path: Path) -> None:
    settings = load_settings({"FEDI_DOMAIN": "fedi.test", "FEDI_DATA_DIR": str(tmp_path)})
    async with open_context(settings) as alone:
        alone.wake.inbox.set()
        assert alone.wake.inbox.is_set()
        assert all(event.tell is None for event in alone.wake.events)
