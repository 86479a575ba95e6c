"""Request bodies no member would send still get a clear 4xx, never a 500: JSON nested past any
reason (CPython's parser would raise RecursionError), duplicate keys and non-JSON constants."""

from __future__ import annotations

import httpx

from fedi.db import statuses
from tests.api.conftest import Served
from tests.api.tokens import bearer


async def test_deeply_nested_json_is_a_400_and_posts_nothing(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http:
        headers = await bearer(http, "alice", "write")
        for body in ('{"status": ' + "[" * 100_000 + "]" * 100_000 + "}",
                     '{"status": ' + '{"a": ' * 5_000 + "1" + "}" * 5_000 + "}",
                     '{"status": "one", "status": "two"}',
                     '{"status": NaN}'):  # fmt: skip
            response = await http.post(
                "/api/v1/statuses", content=body,
                headers={**headers, "Content-Type": "application/json"},
            )  # fmt: skip
            assert response.status_code == 400, (body[:40], response.text)
            assert response.json()["error"].startswith("The request body is not valid JSON")
        fine = await http.post("/api/v1/statuses", json={"status": "still here"}, headers=headers)
    assert fine.status_code == 200
    async with served.context.db.read() as conn:
        assert (await statuses.get_by_id(conn, int(fine.json()["id"]))) is not None
