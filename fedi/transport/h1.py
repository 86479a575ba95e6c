"""One HTTP/1.1 exchange on one connection, for fedi.transport.keepalive: the request written as
bytes (its framing set from the URL and the body alone, no header able to inject another), the
answer read by llhttp (httptools, the parser uvicorn uses) strictly, with its head and body capped
(security.md F6) and a compressed body inflated no further than the cap (F7).
"""

from __future__ import annotations

import asyncio
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

import httptools
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from fedi.transport.netguard import FetchError

# Status line and headers of one answer; aiohttp allows 8190 bytes per line.
MAX_HEAD_BYTES = 65_536
DEFAULT_PORTS = {"http": 80, "https": 443}
# Set from the URL or the body, never by a caller: a second Host or Content-Length, or a
# Transfer-Encoding, would let the two ends disagree about where the request ends.
OURS = frozenset({"host", "content-length", "transfer-encoding", "connection"})
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_SENDABLE: set[str] = set()  # header names already found to be tokens (a few dozen at most)

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
        self.idle_since = 0.0
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
        if name not in _SENDABLE:
            if not _TOKEN.fullmatch(name):
                raise FetchError(f"unusable request header name {name!r}", retryable=False)
            if len(_SENDABLE) < 256:
                _SENDABLE.add(name)
        if "\r" in value or "\n" in value or "\x00" in value:
            raise FetchError(f"unusable request header {name!r}", retryable=False)
        lines.append(f"{name}: {value}\r\n")
    lines.append(f"Content-Length: {len(body)}\r\n\r\n")
    return [route.request_line, "".join(lines).encode("utf-8"), body]
