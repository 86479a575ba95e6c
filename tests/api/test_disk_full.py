"""A write while the disk is full is a 503 that says so, with one log line naming the cause;
nothing stored before is lost, and writing works again once there is room. (SQLite's
max_page_count stands in for the full disk: SQLite answers SQLITE_FULL, as on a full disk.)"""

from __future__ import annotations

import logging
import sqlite3

import httpx
import pytest

from fedi.db import statuses
from tests.api.conftest import Served
from tests.api.tokens import bearer


async def cap_database(served: Served, pages: int | None) -> None:
    def cap(conn: sqlite3.Connection) -> None:
        if pages is None:
            conn.execute("PRAGMA max_page_count = 1073741823")
        else:
            count = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {count + pages}")

    await served.context.db.write(cap)


@pytest.mark.sqlite_only
async def test_a_full_disk_is_a_clear_503_and_loses_nothing(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http:
        headers = await bearer(http, "alice", "read write")
        before = await http.post("/api/v1/statuses", json={"status": "kept"}, headers=headers)
        assert before.status_code == 200
        await cap_database(served, 0)
        caplog.clear()
        with caplog.at_level(logging.INFO):
            refused = await http.post(
                "/api/v1/statuses", json={"status": "x" * 400}, headers=headers
            )
            for _ in range(20):  # until the cap bites, whatever free pages the file had
                if refused.status_code != 200:
                    break
                refused = await http.post(
                    "/api/v1/statuses", json={"status": "x" * 400}, headers=headers
                )
        assert refused.status_code == 503, refused.text
        assert refused.json() == {"error": "The server is out of disk space; try again later"}
        assert refused.headers["retry-after"] == "300"
        lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(lines) == 1 and "disk is full" in lines[0].getMessage()
        assert not lines[0].exc_info  # one line, not a traceback
        await cap_database(served, None)
        after = await http.post("/api/v1/statuses", json={"status": "again"}, headers=headers)
        assert after.status_code == 200
    async with served.context.db.read() as conn:
        kept = await statuses.get_by_id(conn, int(before.json()["id"]))
    assert kept is not None and "kept" in kept.content
