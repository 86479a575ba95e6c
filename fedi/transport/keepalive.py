"""POSTs over kept-alive HTTP/1.1 connections: the delivery half of fedi.transport.http.

Deliveries are the one request this server makes by the thousand (one signed POST per inbox of a
fan-out), so they skip aiohttp's general request machinery, which costs about as much CPU as the
RSA signature itself: a request is a few bytes written to a connection kept per host, and the
answer is read as fedi.transport.h1 reads it. The guards are the client's own: the host is
resolved through its GuardedResolver and every address connected to is checked again (security.md
F2); answers are capped in bytes and, by the caller, in time; connections per host and in all are
capped; idle ones are closed after a while. Redirects are never followed (a signed body is not
replayed elsewhere), so this is all a POST needs.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections import deque
from collections.abc import Mapping

from aiohttp.abc import AbstractResolver

from fedi.transport.h1 import Answer, Connection, Key, Route, request_bytes, route_of
from fedi.transport.netguard import AddressPolicy, FetchError, address_of, parse_url

__all__ = ["Answer", "Pool", "Route", "route_of"]

# Kept as aiohttp keeps its connections, and no more than that many per host and in all.
IDLE_TIMEOUT = 15.0
MAX_IDLE = 1000
# Checked URLs kept per pool: a fan-out posts to the same inboxes again and again.
ROUTES_KEPT = 4096


class Gate:
    """A counting semaphore whose uncontended take is a plain decrement, with no coroutine of its
    own (asyncio.Semaphore's `async with` costs two, and a POST passes two gates). Waiters are
    served first come, first served; one cancelled after being handed a place passes it on."""

    def __init__(self, limit: int) -> None:
        self.free = limit
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def take(self) -> None:
        if self.free > 0 and not self._waiters:
            self.free -= 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.give()  # handed a place it will not use
            else:
                self._waiters.remove(waiter)
            raise

    def give(self) -> None:
        """Hand the place to the first waiter, if any; else it is free again."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.free += 1


class _HostSlot:
    def __init__(self, limit: int) -> None:
        self.gate = Gate(limit)
        self.users = 0  # holding or waiting for the gate
        self.idle: list[Connection] = []


class Pool:
    """Connections per (scheme, host, port): at most per_host in use for one host and total in
    all (a request waits for one), idle ones kept IDLE_TIMEOUT seconds, MAX_IDLE in all."""

    def __init__(
        self,
        resolver: AbstractResolver,
        policy: AddressPolicy,
        per_host: int,
        total: int,
        max_bytes: int,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self._resolver = resolver
        self._policy = policy
        self._per_host = per_host
        self._total = Gate(total)
        self._max_bytes = max_bytes
        self._slots: dict[Key, _HostSlot] = {}
        self._idle: dict[Connection, Key] = {}  # every idle connection, oldest first
        self._tls = tls  # None: the system's verified defaults, made on first use
        self._closed = False
        self._sweeper: asyncio.TimerHandle | None = None
        self._routes: dict[str, Route] = {}

    def route(self, url: str) -> Route:
        """The URL checked (parse_url: its checks depend on the URL and the pool's fixed address
        policy alone, so they are made once per URL) and what a POST to it needs."""
        route = self._routes.get(url)
        if route is None:
            route = route_of(parse_url(url, policy=self._policy))
            if len(self._routes) >= ROUTES_KEPT:
                del self._routes[next(iter(self._routes))]
            self._routes[url] = route
        return route

    async def post(self, route: Route, headers: Mapping[str, str], body: bytes) -> Answer:
        request = request_bytes(route, headers, body)
        slot = self._slots.get(route.key)
        if slot is None:
            slot = self._slots[route.key] = _HostSlot(self._per_host)
        slot.users += 1
        try:
            await slot.gate.take()
            try:
                await self._total.take()
            except BaseException:
                slot.gate.give()
                raise
            try:
                connection = self._take_idle(route.key, slot) or await self._connect(route)
                try:
                    answer = await connection.exchange(request)
                except BaseException:
                    connection.close()
                    raise
                self._keep(route.key, slot, connection)
                return answer
            finally:
                self._total.give()
                slot.gate.give()
        finally:
            slot.users -= 1
            if slot.users == 0 and not slot.idle:
                del self._slots[route.key]

    def close(self) -> None:
        self._closed = True
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        for connection in list(self._idle):
            connection.close()
        self._idle.clear()
        self._slots.clear()

    def _take_idle(self, key: Key, slot: _HostSlot) -> Connection | None:
        while slot.idle:
            connection = slot.idle.pop()  # the most recently used: the likeliest still open
            self._idle.pop(connection, None)
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
        loop = asyncio.get_running_loop()
        connection.idle_since = loop.time()
        slot.idle.append(connection)
        self._idle[connection] = key
        if self._sweeper is None:
            self._sweeper = loop.call_later(IDLE_TIMEOUT / 3, self._sweep)

    def _sweep(self) -> None:
        """Close the connections idle for IDLE_TIMEOUT (one timer for the pool, not one per
        request); again a third of that later while any are idle."""
        self._sweeper = None
        loop = asyncio.get_running_loop()
        expired = loop.time() - IDLE_TIMEOUT
        for connection, key in list(self._idle.items()):  # oldest first
            if connection.idle_since > expired:
                break
            self._drop(key, connection)
        if self._idle and not self._closed:
            self._sweeper = loop.call_later(IDLE_TIMEOUT / 3, self._sweep)

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
