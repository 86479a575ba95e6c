"""Clients of the streaming API for tests: tokens through the password grant, a Server-Sent Events
reader over httpx, and a WebSocket over the `websockets` client, each with a time limit."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from tests.api.tokens import access_token

WAIT = 10.0  # seconds an expected event may take; never reached when things work


async def password_token(
    base: str, scope: str = "read write follow", username: str = "alice"
) -> str:
    async with httpx.AsyncClient(base_url=base) as http:
        return await access_token(http, username, scope)


@dataclass
class SSEEvent:
    event: str
    data: str

    def json(self) -> Any:
        return json.loads(self.data)


class SSEReader:
    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.lines = response.aiter_lines()
        self.comments: list[str] = []

    async def line(self, within: float = WAIT) -> str:
        return await asyncio.wait_for(anext(self.lines), within)

    async def next(self, within: float = WAIT) -> SSEEvent:
        """The next event, skipping comments (heartbeats)."""
        event, data = "message", ""
        async with asyncio.timeout(within):
            while True:
                line = await anext(self.lines)
                if line.startswith(":"):
                    self.comments.append(line)
                elif line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    data = line[6:]
                elif line == "" and data:
                    return SSEEvent(event, data)

    async def ended(self, within: float = WAIT) -> bool:
        """Whether the server ends the stream (events before the end are skipped)."""
        async with asyncio.timeout(within):
            async for _ in self.lines:
                pass
        return True


@asynccontextmanager
async def sse(base: str, path: str, token: str | None) -> AsyncIterator[SSEReader]:
    """An open event stream, once the server has registered it (its first comment arrived)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(WAIT, read=None)) as http,
        http.stream("GET", path, headers=headers) as response,
    ):
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        reader = SSEReader(response)
        assert await reader.line() == ":)"
        yield reader


def ws_url(base: str, query: str = "") -> str:
    return base.replace("http://", "ws://") + "/api/v1/streaming" + (f"?{query}" if query else "")


async def ws_next(ws: ClientConnection, within: float = WAIT) -> dict[str, Any]:
    message = await asyncio.wait_for(ws.recv(), within)
    body: dict[str, Any] = json.loads(message)
    return body


@asynccontextmanager
async def websocket(base: str, token: str, query: str = "") -> AsyncIterator[ClientConnection]:
    url = ws_url(base, f"access_token={token}" + (f"&{query}" if query else ""))
    async with connect(url, open_timeout=WAIT) as ws:
        yield ws


async def ws_subscribe(ws: ClientConnection, **message: str) -> None:
    """Subscribe and wait until the server has taken it (an unknown-stream probe comes back
    after it, since one socket's messages are handled in order)."""
    await ws.send(json.dumps({"type": "subscribe", **message}))
    await ws.send(json.dumps({"type": "subscribe", "stream": "no-such-stream"}))
    reply = await ws_next(ws)
    assert reply == {"error": "Unknown stream type", "status": 400}, reply


async def ws_unsubscribe(ws: ClientConnection, **message: str) -> None:
    await ws.send(json.dumps({"type": "unsubscribe", **message}))
    await ws.send(json.dumps({"type": "subscribe", "stream": "no-such-stream"}))
    reply = await ws_next(ws)
    assert reply == {"error": "Unknown stream type", "status": 400}, reply
