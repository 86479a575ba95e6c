"""Live streams across processes, as an operator runs them with `workers = "separate"`: a second
`fedi serve` beside the first and the two workers, one data directory, on SQLite and on
PostgreSQL (where the streams are woken by NOTIFY). A post written through one web process
appears on a stream open on the other, and so does the notification of a mention that came in
through the inbox and was stored by a worker."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.api.streams import WAIT, SSEReader, sse
from tests.api.tokens import access_token
from tests.e2e.test_server import FEDI, Server
from tests.e2e.test_workers import (  # noqa: F401 (instance: the fixture)
    Instance,
    create,
    drain,
    instance,
    post_all,
    remote_senders,
)
from tests.testrig.serving import free_port

pytestmark = pytest.mark.e2e


async def token(base: str) -> str:
    async with httpx.AsyncClient(base_url=base, timeout=WAIT) as http:
        return await access_token(http, "alice", "read write", password="alice-password-1")


async def next_of(reader: SSEReader, event: str) -> dict[str, object]:
    while True:
        found = await reader.next()
        if found.event == event:
            payload = found.json()
            assert isinstance(payload, dict)
            return payload


def test_what_one_process_writes_streams_live_on_another(instance: Instance) -> None:  # noqa: F811
    port = free_port(reserve=False)
    other = Server(
        [FEDI, "serve", "--port", str(port)],
        instance.database.parent.parent,
        instance.env | {"FEDI_PASSWORD_GRANT": "true"},  # for this test's token
    )
    try:
        other.wait_for(r"Application startup complete")
        drain(other)
        second = f"http://127.0.0.1:{port}"

        async def scenario() -> None:
            bearer = await token(second)
            async with sse(second, "/api/v1/streaming/user", bearer) as stream:
                # Written through the first web process.
                async with httpx.AsyncClient(base_url=instance.base, timeout=WAIT) as http:
                    posted = await http.post(
                        "/api/v1/statuses", data={"status": "Written on the first process"},
                        headers={"Authorization": f"Bearer {bearer}"},
                    )  # fmt: skip
                    assert posted.status_code == 200, posted.text
                update = await next_of(stream, "update")
                assert update["id"] == posted.json()["id"]
                # A mention from another server, stored by one of the workers.
                (sender,) = remote_senders(instance, 1)
                post_all(instance, [(sender, create(sender, 900, instance.alice_uri))])
                notification = await next_of(stream, "notification")
                assert notification["type"] == "mention"
                status = notification["status"]
                assert isinstance(status, dict) and "number 900" in str(status["content"])

        asyncio.run(scenario())
    finally:
        other.stop()
