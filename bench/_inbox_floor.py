"""The least a correct inbox can do, for bench/m1_inbox.py: the floor fedi's inbox is compared
with in the same run. Served by bench/_inbox_server.py as an ASGI application (`floor` mode) on
the same uvicorn set-up as the bare server and fedi, and as a protocol of its own on the socket
(`raw-floor`, RawFloor: no uvicorn, no ASGI); not meant to be used by hand.

What it does per POST, and nothing else: read the body; check the draft-cavage signature (the
covered headers, the host, a Date within the hour, the SHA-256 Digest of the body) with the one
signer's RSA key, parsed once at start (a key cache that never misses); parse the JSON and check
that the id and the actor are on the signer's host; store the raw activity, once per id, through
one writer thread with group commit (the rows of a turn of the event loop in one executemany and
one commit, SQLite in WAL mode with synchronous=FULL, as fedi's writer: durable once committed);
answer 202 once the commit is done. No rate limits, no moderation policy, no personal inboxes,
no key fetches, no error bodies.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
import json
import queue
import re
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import httptools
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from starlette.types import Receive, Scope, Send

_PARAM = re.compile(r'(\w+)="([^"]*)"')
_REQUIRED = ("(request-target)", "host", "date", "digest")
_MAX_BODY = 1_048_576
_MAX_AGE = timedelta(hours=1)
_STOP = object()
Row = tuple[str, str, str, str, str]


class Refused(Exception):
    """The request is refused with this status."""


@functools.lru_cache(maxsize=256)
def _http_date(value: str) -> datetime:
    return parsedate_to_datetime(value)


class GroupWriter:
    """One thread owns the connection; rows handed over in one turn of the event loop travel
    together and are committed together."""

    def __init__(self, database: Path) -> None:
        self._database = database
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._outgoing: list[tuple[Row, asyncio.Future[None]]] = []
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        conn = sqlite3.connect(self._database, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")  # durable at each commit, as fedi's writer
        conn.execute(
            "CREATE TABLE IF NOT EXISTS inbox (id INTEGER PRIMARY KEY, activity_uri TEXT NOT NULL"
            " UNIQUE, actor_uri TEXT NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL,"
            " created_at TEXT NOT NULL)"
        )
        self._thread = threading.Thread(target=self._run, args=(conn,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._jobs.put(_STOP)
            self._thread.join()
            self._thread = None

    async def store(self, row: Row) -> None:
        await self.submit(row, asyncio.get_running_loop())

    def submit(self, row: Row, loop: asyncio.AbstractEventLoop) -> asyncio.Future[None]:
        """The row handed over; the future is done once it is committed."""
        future: asyncio.Future[None] = loop.create_future()
        if not self._outgoing:
            loop.call_soon(self._flush, loop)
        self._outgoing.append((row, future))
        return future

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        jobs, self._outgoing = self._outgoing, []
        self._jobs.put((loop, jobs))

    def _run(self, conn: sqlite3.Connection) -> None:
        try:
            while True:
                item = self._jobs.get()
                if item is _STOP:
                    return
                loop, batch = item
                while True:
                    try:
                        more = self._jobs.get_nowait()
                    except queue.Empty:
                        break
                    if more is _STOP:
                        self._jobs.put(_STOP)
                        break
                    batch += more[1]
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(
                    "INSERT OR IGNORE INTO inbox (activity_uri, actor_uri, type, body,"
                    " created_at) VALUES (?, ?, ?, ?, ?)",
                    [row for row, _ in batch],
                )
                conn.execute("COMMIT")
                loop.call_soon_threadsafe(_settle, [future for _, future in batch])
        finally:
            conn.close()


def _settle(futures: list[asyncio.Future[None]]) -> None:
    for future in futures:
        if not future.done():
            future.set_result(None)


class FloorInbox:
    """The ASGI application: POST /inbox, GET /health, and the lifespan."""

    def __init__(self, public_key_pem: bytes, host: str, database: Path) -> None:
        key = load_pem_public_key(public_key_pem)
        if not isinstance(key, rsa.RSAPublicKey):
            raise ValueError("the floor inbox takes an RSA key")
        self._key = key
        self._host = host
        self.writer = GroupWriter(database)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["path"] == "/health":
            await _answer(send, 200, b'{"status": "ok"}')
            return
        if scope["method"] != "POST" or scope["path"] != "/inbox":
            await _answer(send, 404, b"")
            return
        try:
            body = await _body(receive)
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            row = self.check(headers, body)
        except Refused as refused:
            await _answer(send, int(str(refused)), b"")
            return
        await self.writer.store(row)
        await _answer(send, 202, b"")

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.writer.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.writer.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def check(self, headers: dict[str, str], body: bytes) -> Row:
        params = dict(_PARAM.findall(headers.get("signature", "")))
        covered = params.get("headers", "").split()
        if params.get("algorithm", "rsa-sha256") not in ("rsa-sha256", "hs2019") or any(
            name not in covered for name in _REQUIRED
        ):
            raise Refused(401)
        if headers.get("host") != self._host:
            raise Refused(401)
        try:
            sent = _http_date(headers["date"])
        except (KeyError, TypeError, ValueError, IndexError):
            raise Refused(401) from None
        if abs(datetime.now(UTC) - sent) > _MAX_AGE:
            raise Refused(401)
        digest = "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
        if not hmac.compare_digest(headers.get("digest", ""), digest):
            raise Refused(401)
        lines = []
        for name in covered:
            if name == "(request-target)":
                lines.append("(request-target): post /inbox")
            elif name in headers:
                lines.append(f"{name}: {headers[name]}")
            else:
                raise Refused(401)
        try:
            signature = base64.b64decode(params["signature"], validate=True)
            self._key.verify(
                signature, "\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except (KeyError, ValueError, InvalidSignature):
            raise Refused(401) from None
        try:
            activity = json.loads(body)
            uri, actor, kind = activity["id"], activity["actor"], activity["type"]
        except (ValueError, KeyError, TypeError):
            raise Refused(400) from None
        if not all(isinstance(value, str) for value in (uri, actor, kind)):
            raise Refused(400)
        signer = params.get("keyId", "").partition("#")[0]
        if signer != actor or urlsplit(uri).netloc != urlsplit(actor).netloc:
            raise Refused(401)
        return uri, actor, kind, body.decode(), datetime.now(UTC).isoformat()


async def _body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Refused(400)
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > _MAX_BODY:
            raise Refused(413)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _answer(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RawFloor(asyncio.Protocol):
    """The same floor without ASGI: one connection's requests read with httptools (the parser
    uvicorn uses) straight off the socket, checked and stored as FloorInbox does, and the answer
    written straight back; what is left is the inbox's own work and the socket's. Requests on a
    connection are answered in order (a client that pipelines waits for each answer)."""

    def __init__(self, inbox: FloorInbox, loop: asyncio.AbstractEventLoop) -> None:
        self._inbox = inbox
        self._loop = loop
        self._parser = httptools.HttpRequestParser(self)
        self._transport: asyncio.Transport | None = None
        self._url = b""
        self._headers: dict[str, str] = {}
        self._body: list[bytes] = []
        self._size = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's: not a subclass

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except (httptools.HttpParserError, Refused):
            if self._transport is not None:
                self._transport.close()

    # httptools' callbacks
    def on_message_begin(self) -> None:
        self._url, self._headers, self._body, self._size = b"", {}, [], 0

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        self._size += len(body)
        if self._size > _MAX_BODY:
            raise Refused(413)
        self._body.append(body)

    def on_message_complete(self) -> None:
        keep_alive = self._parser.should_keep_alive()
        if self._url == b"/health":
            self._answer(200, b'{"status": "ok"}', keep_alive)
            return
        if self._parser.get_method() != b"POST" or self._url != b"/inbox":
            self._answer(404, b"", keep_alive)
            return
        try:
            row = self._inbox.check(self._headers, b"".join(self._body))
        except Refused as refused:
            self._answer(int(str(refused)), b"", keep_alive)
            return
        if self._transport is not None:
            self._transport.pause_reading()  # the next request waits for this answer
        stored = self._inbox.writer.submit(row, self._loop)
        stored.add_done_callback(lambda _: self._answer(202, b"", keep_alive, resume=True))

    def _answer(self, status: int, body: bytes, keep_alive: bool, resume: bool = False) -> None:
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        head = (
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\ncontent-length: {len(body)}\r\n"
        )
        transport.write(
            head.encode() + (b"\r\n" if keep_alive else b"connection: close\r\n\r\n") + body
        )
        if not keep_alive:
            transport.close()
        elif resume:
            transport.resume_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None


_REASONS = {200: "OK", 202: "Accepted", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
            413: "Content Too Large"}  # fmt: skip
