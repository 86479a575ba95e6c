"""Whom this instance federates with: the domain blocks and allows and the allowlist switch,
held in memory so that every path (inbox, signed fetches, outbound HTTP, fan-out) can ask
without a query.

The snapshot is rebuilt after each change made in this process (`reload`), and at most every
few seconds when another process (the command line) bumped the generation (`refresh`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from fedi.core.models import DomainBlock
from fedi.db import Database
from fedi.db import domain_rules as rules
from fedi.transport.domains import host_name, rule_for, suffixes

REFRESH_EVERY = 2.0  # seconds between checks for changes made by another process
REMEMBERED = 4096  # hosts whose refusal a snapshot keeps (the inbox asks several times each)


@dataclass(frozen=True)
class Snapshot:
    blocks: dict[str, DomainBlock] = field(default_factory=dict)
    allows: frozenset[str] = frozenset()
    allowlist_mode: bool = False
    generation: int = -1
    # Answers of refusal() so far: the rules above never change in a snapshot.
    _refusals: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)

    def block_for(self, host: str) -> DomainBlock | None:
        """The block that applies to host (the longest matching rule), if any."""
        return rule_for(host, self.blocks)

    def is_allowed(self, host: str) -> bool:
        """In allowlist mode, whether host or a parent domain is allowed."""
        return any(candidate in self.allows for candidate in suffixes(host))

    def refusal(self, host: str) -> str | None:
        """Why this instance does not federate with host at all (None: it does)."""
        try:
            return self._refusals[host]
        except KeyError:
            pass
        if len(self._refusals) >= REMEMBERED:
            self._refusals.clear()
        found = self._refusals[host] = self._refusal(host)
        return found

    def _refusal(self, host: str) -> str | None:
        block = self.block_for(host)
        if block is not None and block.severity == "suspend":
            return f"federation with {host_name(host)} is blocked"
        if self.allowlist_mode and not self.is_allowed(host):
            return f"{host_name(host)} is not on this server's allowlist"
        return None

    def refuses(self, host: str) -> bool:
        return self.refusal(host) is not None

    def limits(self, host: str) -> bool:
        """Accounts of host are limited (silenced): hidden from public timelines and from those
        who do not follow them."""
        block = self.block_for(host)
        return block is not None and block.severity == "silence"

    def rejects_media(self, host: str) -> bool:
        block = self.block_for(host)
        return block is not None and (block.reject_media or block.severity == "suspend")

    def rejects_reports(self, host: str) -> bool:
        block = self.block_for(host)
        return block is not None and (block.reject_reports or block.severity == "suspend")


class FederationPolicy:
    """The current Snapshot, shared by the whole process (one per Context)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.current = Snapshot()
        self._clock = clock
        self._checked_at = float("-inf")

    async def reload(self, db: Database) -> Snapshot:
        async with db.read() as conn:
            generation = await rules.generation(conn)
            blocks = await rules.all_blocks(conn)
            allows = await rules.all_allows(conn)
            mode = await rules.get_setting(conn, rules.ALLOWLIST_MODE)
        self.current = Snapshot(
            blocks={b.domain: b for b in blocks},
            allows=frozenset(a.domain for a in allows),
            allowlist_mode=mode == "on",
            generation=generation,
        )
        self._checked_at = self._clock()
        return self.current

    async def refresh(self, db: Database) -> Snapshot:
        """The snapshot, reloaded first if another process changed the rules (checked at most
        every REFRESH_EVERY seconds)."""
        if self._clock() - self._checked_at < REFRESH_EVERY:
            return self.current
        async with db.read() as conn:
            generation = await rules.generation(conn)
        if generation != self.current.generation:
            return await self.reload(db)
        self._checked_at = self._clock()
        return self.current

    def refusal(self, host: str) -> str | None:
        return self.current.refusal(host)

    def refuses(self, host: str) -> bool:
        return self.current.refuses(host)
