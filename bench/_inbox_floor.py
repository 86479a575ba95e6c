"""The least a correct inbox can do, for bench/m1_inbox.py: the floor fedi's inbox is compared
with in the same run. Served by bench/_inbox_server.py (`floor` mode) on the same uvicorn set-up
as the other two servers; not meant to be used by hand.

What it does per POST, and nothing else: read the body; check the draft-cavage signature (the
covered headers, the host, a Date within the hour, the SHA-256 Digest of the body) with the one
signer's RSA key, parsed once at start (a key cache that never misses); parse the JSON and check
that the id and the actor are on the signer's host; store the raw activity, once per id, through
one writer thread with group commit (the rows of a turn of the event loop in one executemany and
one commit, SQLite in WAL mode with synchronous=FULL, as fedi's writer: durable once
committed); answer 202 once the commit is done. No rate limits, no
moderation policy, no personal inboxes, no key fetches, no error bodies.
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
from typing import Any
from urllib.parse import urlsplit

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
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        if not self._outgoing:
            loop.call_soon(self._flush, loop)
        self._outgoing.append((row, future))
        await future

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
        self._writer = GroupWriter(database)

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
            row = self._check(headers, body)
        except Refused as refused:
            await _answer(send, int(str(refused)), b"")
            return
        await self._writer.store(row)
        await _answer(send, 202, b"")

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._writer.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self._writer.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _check(self, headers: dict[str, str], body: bytes) -> Row:
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
