"""POSTs over kept-alive HTTP/1.1 connections: the delivery half of fedi.transport.http.

Deliveries are the one request this server makes by the thousand (one signed POST per inbox of a
fan-out), so they skip aiohttp's general request machinery, which costs about as much CPU as the
RSA signature itself: a request is a few bytes written to a connection kept per host, and the
answer is read by llhttp (httptools, the parser uvicorn uses), strictly. The guards are the
client's own: the host is resolved through its GuardedResolver and every address connected to
is checked again (security.md F2); answers are capped in bytes (F6, F7) and, by the caller, in
time; connections per host and in all are capped; idle ones are closed after a while. Redirects
are never followed (a signed body is not replayed elsewhere), so this is all a POST needs.
"""

from __future__ import annotations

import asyncio
import re
import socket
import ssl
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

import httptools
from aiohttp.abc import AbstractResolver
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from fedi.transport.netguard import AddressPolicy, FetchError, address_of

# Kept as aiohttp keeps its connections, and no more than that many per host and in all.
IDLE_TIMEOUT = 15.0
MAX_IDLE = 1000
# Status line and headers of one answer; aiohttp allows 8190 bytes per line.
MAX_HEAD_BYTES = 65_536
DEFAULT_PORTS = {"http": 80, "https": 443}
# Set from the URL or the body, never by a caller: a second Host or Content-Length, or a
# Transfer-Encoding, would let the two ends disagree about where the request ends.
OURS = frozenset({"host", "content-length", "transfer-encoding", "connection"})
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_UNSAFE_VALUE = re.compile(r"[\r\n\x00]")

Key = tuple[str, str, int]


@dataclass(frozen=True)
class Answer:
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes


class _Abort(Exception):
    """Stops the parser from a callback; the reason is in Connection._abort."""


class Connection(asyncio.Protocol):
    """One HTTP/1.1 connection: one request at a time, its answer parsed as it arrives."""

    def __init__(self, max_bytes: int) -> None:
        self.transport: asyncio.Transport | None = None
        self.lost = False
        self.reusable = False
        self.idle_timer: asyncio.TimerHandle | None = None
        self._max_bytes = max_bytes
        self._waiter: asyncio.Future[Answer] | None = None
        self._abort: FetchError | None = None  # why a callback stopped the parser
        self._parser = httptools.HttpResponseParser(self)
        self._reset()

    def _reset(self) -> None:
        self._received = 0
        self._head_done = False
        self._headers: list[tuple[str, str]] = []
        self._body: list[bytes] = []
        self._size = 0

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport (uvloop's does not subclass asyncio.Transport, but is one).
        self.transport = cast(asyncio.Transport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self.reusable = False
        if self.idle_timer is not None:
            self.idle_timer.cancel()
        if self._waiter is None or self._waiter.done():
            return
        if self._head_done and self._delimited_by_close():
            self._finish()  # HTTP/1.0 style: the body ends where the connection does
            return
        reason = f": {exc}" if exc else ""
        message = f"connection closed before a complete answer{reason}"
        self._fail(FetchError(message, retryable=True))

    def data_received(self, data: bytes) -> None:
        if self._waiter is None or self._waiter.done():
            self.close()  # bytes nobody asked for: the connection can no longer be trusted
            return
        self._received += len(data)
        try:
            self._parser.feed_data(data)
        except (httptools.HttpParserError, httptools.HttpParserUpgrade) as exc:
            self._fail(self._abort or _garbage(exc))
            return
        if not self._head_done and self._received > MAX_HEAD_BYTES:
            self._fail(FetchError(f"answer head over {MAX_HEAD_BYTES} bytes", retryable=False))

    # httptools callbacks: raising _Abort stops the parser, with the reason in self._abort

    def _stop(self, error: FetchError) -> None:
        self._abort = error
        raise _Abort(str(error))

    def on_message_begin(self) -> None:
        if self._waiter is None or self._waiter.done():
            # A second answer after the one awaited: never read one answer as another's.
            self._stop(FetchError("an answer nobody asked for", retryable=True))

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        self._head_done = True
        declared = self._header("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self._max_bytes:
            message = f"Content-Length {declared} is over the {self._max_bytes}-byte cap"
            self._stop(FetchError(message, retryable=False))

    def on_body(self, body: bytes) -> None:
        self._size += len(body)
        if self._size > self._max_bytes:
            self._stop(FetchError(f"body over the {self._max_bytes}-byte cap", retryable=False))
        self._body.append(body)

    def on_message_complete(self) -> None:
        if self._parser.get_status_code() < 200:  # 100 Continue and the like: the answer follows
            self._reset()
            return
        self.reusable = self._parser.should_keep_alive()
        self._finish()

    # the request

    async def exchange(self, request: list[bytes]) -> Answer:
        assert self.transport is not None and self._waiter is None
        self.reusable = False
        self._abort = None
        self._reset()
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            self.transport.writelines(request)
            return await self._waiter
        finally:
            self._waiter = None

    def close(self) -> None:
        self.reusable = False
        if self.transport is not None:
            self.transport.close()

    def _finish(self) -> None:
        assert self._waiter is not None
        status = self._parser.get_status_code()
        headers = CIMultiDictProxy(CIMultiDict(self._headers))
        try:
            body = _decoded(b"".join(self._body), headers.get("Content-Encoding"), self._max_bytes)
        except FetchError as exc:
            self._fail(exc)
            return
        self._waiter.set_result(Answer(status, headers, body))

    def _fail(self, error: FetchError) -> None:
        self.reusable = False
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(error)
        self.close()

    def _header(self, name: str) -> str | None:
        return next((v for k, v in reversed(self._headers) if k.lower() == name), None)

    def _delimited_by_close(self) -> bool:
        return self._header("content-length") is None and self._header("transfer-encoding") is None


def _garbage(exc: BaseException) -> FetchError:
    return FetchError(f"unusable answer: {type(exc).__name__}: {exc}", retryable=True)


def _decoded(body: bytes, coding: str | None, cap: int) -> bytes:
    """The body without its content coding (identity is asked for; a server may compress all
    the same), inflated no further than the cap (F7)."""
    coding = (coding or "identity").strip().lower()
    if coding == "identity" or not body:
        return body
    if coding in ("gzip", "x-gzip"):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif coding == "deflate":
        inflater = zlib.decompressobj(zlib.MAX_WBITS if body[:1] == b"\x78" else -zlib.MAX_WBITS)
    else:
        raise FetchError(f"answer in an unasked-for content coding {coding!r}", retryable=False)
    try:
        inflated = inflater.decompress(body, cap + 1)
    except zlib.error as exc:
        raise FetchError(f"unusable {coding} body: {exc}", retryable=True) from None
    if len(inflated) > cap:
        raise FetchError(f"body over the {cap}-byte cap", retryable=False)
    return inflated


@dataclass(frozen=True)
class Route:
    """What a request to one URL needs, worked out once per URL."""

    url: URL
    text: str  # the URL as signed and reported
    key: Key
    host_header: str
    request_line: bytes


def route_of(url: URL) -> Route:
    scheme, host = url.scheme, url.raw_host or ""
    port = url.port or DEFAULT_PORTS[scheme]
    shown = f"[{host}]" if ":" in host else host
    if port != DEFAULT_PORTS[scheme]:
        shown = f"{shown}:{port}"
    target = url.raw_path_qs or "/"
    line = f"POST {target} HTTP/1.1\r\n".encode("ascii")
    return Route(url, str(url), (scheme, host.lower(), port), shown, line)


def request_bytes(route: Route, headers: Mapping[str, str], body: bytes) -> list[bytes]:
    """The request head and body, ready to write; FetchError for a header that cannot be sent
    as it is (a caller's CR or LF would start a header of its own)."""
    lines = [f"Host: {route.host_header}\r\n"]
    for name, value in headers.items():
        if name.lower() in OURS:
            continue
        if not _TOKEN.fullmatch(name) or _UNSAFE_VALUE.search(value):
            raise FetchError(f"unusable request header {name!r}", retryable=False)
        lines.append(f"{name}: {value}\r\n")
    lines.append(f"Content-Length: {len(body)}\r\n\r\n")
    return [route.request_line, "".join(lines).encode("utf-8"), body]


class _HostSlot:
    def __init__(self, limit: int) -> None:
        self.semaphore = asyncio.Semaphore(limit)
        self.users = 0  # holding or waiting for the semaphore
        self.idle: list[Connection] = []


class Pool:
    """Connections per (scheme, host, port): at most per_host in use for one host and total in
    all (a request waits for one), idle ones kept IDLE_TIMEOUT seconds, MAX_IDLE in all."""

    def __init__(
        self,
        resolver: AbstractResolver,
        policy: AddressPolicy,
        *,
        per_host: int,
        total: int,
        max_bytes: int,
    ) -> None:
        self._resolver = resolver
        self._policy = policy
        self._per_host = per_host
        self._total = asyncio.Semaphore(total)
        self._max_bytes = max_bytes
        self._slots: dict[Key, _HostSlot] = {}
        self._idle: dict[Connection, Key] = {}  # every idle connection, oldest first
        self._tls: ssl.SSLContext | None = None
        self._closed = False

    async def post(self, route: Route, headers: Mapping[str, str], body: bytes) -> Answer:
        request = request_bytes(route, headers, body)
        slot = self._slots.get(route.key)
        if slot is None:
            slot = self._slots[route.key] = _HostSlot(self._per_host)
        slot.users += 1
        try:
            async with slot.semaphore, self._total:
                connection = self._take_idle(route.key, slot) or await self._connect(route)
                try:
                    answer = await connection.exchange(request)
                except BaseException:
                    connection.close()
                    raise
                self._keep(route.key, slot, connection)
                return answer
        finally:
            slot.users -= 1
            if slot.users == 0 and not slot.idle:
                del self._slots[route.key]

    def close(self) -> None:
        self._closed = True
        for connection in list(self._idle):
            connection.close()
        self._idle.clear()
        self._slots.clear()

    def _take_idle(self, key: Key, slot: _HostSlot) -> Connection | None:
        while slot.idle:
            connection = slot.idle.pop()  # the most recently used: the likeliest still open
            self._idle.pop(connection, None)
            if connection.idle_timer is not None:
                connection.idle_timer.cancel()
            transport = connection.transport
            if not connection.lost and transport is not None and not transport.is_closing():
                return connection
        return None

    def _keep(self, key: Key, slot: _HostSlot, connection: Connection) -> None:
        if self._closed or not connection.reusable or len(slot.idle) >= self._per_host:
            connection.close()
            return
        if len(self._idle) >= MAX_IDLE:
            oldest, oldest_key = next(iter(self._idle.items()))
            self._drop(oldest_key, oldest)
        slot.idle.append(connection)
        self._idle[connection] = key
        loop = asyncio.get_running_loop()
        connection.idle_timer = loop.call_later(IDLE_TIMEOUT, self._drop, key, connection)

    def _drop(self, key: Key, connection: Connection) -> None:
        """Close an idle connection (its time is up, or room is needed)."""
        self._idle.pop(connection, None)
        slot = self._slots.get(key)
        if slot is not None and connection in slot.idle:
            slot.idle.remove(connection)
            if slot.users == 0 and not slot.idle:
                del self._slots[key]
        connection.close()

    async def _connect(self, route: Route) -> Connection:
        scheme, host, port = route.key
        answers = await self._resolver.resolve(host, port, family=socket.AF_UNSPEC)
        loop = asyncio.get_running_loop()
        tls = self._tls_context() if scheme == "https" else None
        failure: OSError | None = None
        for answer in answers:
            try:
                _, connection = await loop.create_connection(
                    lambda: Connection(self._max_bytes),
                    answer["host"],
                    port,
                    ssl=tls,
                    server_hostname=host if tls is not None else None,
                    family=answer["family"],
                )
            except OSError as exc:  # refused, unreachable, TLS failures (ssl.SSLError)
                failure = exc
                continue
            self._check_peer(connection)
            return connection
        text = f"{type(failure).__name__}: {failure}" if failure else "no address to connect to"
        raise FetchError(f"cannot connect to {host}:{port}: {text}", retryable=True)

    def _check_peer(self, connection: Connection) -> None:
        """The address actually connected to must be allowed, whatever resolved it (F2)."""
        transport = connection.transport
        peer = transport.get_extra_info("peername") if transport is not None else None
        if not peer or self._policy.forbids(address_of(peer[0])):
            connection.close()
            shown = peer[0] if peer else "an unknown peer"
            raise FetchError(f"connected to {shown}, not a public address", retryable=False)

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = ssl.create_default_context()  # as aiohttp's default: verified
        return self._tls
