"""Signers' keys in memory: key id -> actor, kept a few minutes, so that an inbox under load makes
one database read per signer instead of one per request (performance.md: cache parsed keys).
Also the fetches of keys and actors under way, so that a burst of requests or activities naming
the same unknown key or actor fetches it once, not once each."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from fedi.core.models import Account

TTL_SECONDS = 300.0
MAX_ENTRIES = 10_000


class KeyOwners:
    def __init__(
        self,
        ttl: float = TTL_SECONDS,
        size: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.size = size
        self.clock = clock
        self._entries: OrderedDict[str, tuple[float, Account]] = OrderedDict()
        self._fetching: dict[str, asyncio.Future[Account]] = {}

    def get(self, key_id: str) -> Account | None:
        entry = self._entries.get(key_id)
        if entry is None:
            return None
        stored_at, account = entry
        if self.clock() - stored_at > self.ttl:
            del self._entries[key_id]
            return None
        return account

    def put(self, account: Account) -> None:
        if not account.public_key_id:
            return
        self.forget(account.uri)  # a rotated key must not keep answering for the actor
        self._entries[account.public_key_id] = (self.clock(), account)
        self._entries.move_to_end(account.public_key_id)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def forget(self, actor_uri: str) -> None:
        for key_id in [k for k, (_, a) in self._entries.items() if a.uri == actor_uri]:
            del self._entries[key_id]

    async def once(self, name: str, fetch: Callable[[], Awaitable[Account]]) -> Account:
        """fetch(), unless a fetch by this name is under way: then its outcome (the account or
        the error), shared by everyone who asked meanwhile. A caller that gives up (a request
        cancelled) does not stop the fetch the others wait for."""
        running = self._fetching.get(name)
        if running is None:
            running = asyncio.ensure_future(fetch())
            self._fetching[name] = running
            running.add_done_callback(lambda _: self._fetching.pop(name, None))
        return await asyncio.shield(running)
