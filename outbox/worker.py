"""The outbox worker: fans each published activity out into deliveries, then delivers them.

Fan-out (outbox_activities pending -> fanned_out) computes the audience when it runs: the remote
followers of the author at that moment, the named accounts and inboxes, one delivery per distinct
inbox (shared inboxes deduplicated). Delivery (deliveries queued -> done | failed): sign, POST,
2xx done, 4xx other than 408/429 failed for good, anything else retried later (outbox.retry).
First attempts go before retries; hosts get a concurrency cap and a circuit breaker.
No delivery is queued to, or attempted at, a host this instance does not federate with (a
suspended domain, or one off the allowlist): one queued before the host became refused fails
for good without a request (security.md M6, M8).
"""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from fedi.activitypub.parse import host_of
from fedi.context import Context
from fedi.core.ids import new_id
from fedi.core.models import Account
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, follows, groups, interactions, outbox_activities
from fedi.db.outbox_activities import DeliveryRow, OutboxRow
from fedi.federation.publish import Audience
from fedi.federation.signing import signer_for
from fedi.groups.groups import synchronization_header
from fedi.transport.http import FetchError
from outbox.retry import MAX_ATTEMPTS, backoff, breaker_open_for, is_final_status

log = logging.getLogger(__name__)
FAN_OUT_BATCH = 100
DELIVERY_BATCH = 500
PER_HOST = 4
GLOBAL = 64
RECORD_BATCH = 64
CONTENT_TYPE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


@dataclass(frozen=True)
class Outcome:
    """How one delivery attempt ended (or why it was not made)."""

    row: DeliveryRow
    status: int | None = None
    error: str = ""
    retryable: bool = False
    deferred_until: str | None = None


class OutboxWorker:
    def __init__(
        self,
        context: Context,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self.context = context
        self.clock = clock
        self.rng = rng or random.Random()
        self._global = asyncio.Semaphore(GLOBAL)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._actors: dict[int, Account] = {}

    async def run_once(self) -> int:
        """Fan out and deliver what is due now; returns how many rows were handled."""
        return await self.fan_out_once() + await self.deliver_once()

    async def fan_out_once(self) -> int:
        async with self.context.db.read() as conn:
            rows = await outbox_activities.pending(conn, FAN_OUT_BATCH)
        for row in rows:
            await self._fan_out(row)
        return len(rows)

    async def _fan_out(self, row: OutboxRow) -> None:
        inboxes = await self._inboxes(row)
        headers = await self._sync_headers(row, inboxes)
        now = to_db(self.clock())
        deliveries: list[tuple[int, str, str, dict[str, str]]] = [
            (new_id(), inbox, host_of(inbox), headers.get(host_of(inbox), {})) for inbox in inboxes
        ]
        await self.context.db.write(
            lambda conn: outbox_activities.fan_out(conn, row.id, deliveries, now)
        )

    async def _inboxes(self, row: OutboxRow) -> list[str]:
        audience = Audience.from_json(row.audience)
        async with self.context.db.read() as conn:
            found = list(audience.inboxes)
            if audience.followers_of is not None:
                found += await follows.follower_inboxes(conn, audience.followers_of)
            found += await interactions.inboxes_of(conn, audience.account_ids)
            if audience.members_of is not None:
                found += await groups.member_inboxes(conn, audience.members_of)
        ours = self.context.settings.domain
        policy = await self.context.policy.refresh(self.context.db)
        return [
            i for i in dict.fromkeys(found) if host_of(i) != ours and not policy.refuses(host_of(i))
        ]

    async def _sync_headers(self, row: OutboxRow, inboxes: list[str]) -> dict[str, dict[str, str]]:
        """A private group's deliveries carry the FEP-8fcf digest of its members on each host."""
        members_of = Audience.from_json(row.audience).members_of
        if members_of is None:
            return {}
        async with self.context.db.read() as conn:
            group = await groups.get_group(conn, members_of)
        if group is None:
            return {}
        return {
            host: {
                "Collection-Synchronization": await synchronization_header(
                    self.context, group, host
                )
            }
            for host in {host_of(inbox) for inbox in inboxes}
        }

    async def deliver_once(self) -> int:
        await self.context.policy.refresh(self.context.db)
        now = self.clock()
        async with self.context.db.read() as conn:
            rows = await outbox_activities.due_deliveries(conn, to_db(now), DELIVERY_BATCH)
            open_hosts = await outbox_activities.open_circuits(conn, to_db(now))
        actors = await self._actors_of({row.actor_id for row in rows})
        outcomes: list[Outcome] = []

        async def attempt(row: DeliveryRow) -> None:
            outcomes.append(await self._attempt(row, actors.get(row.actor_id), open_hosts))
            if len(outcomes) >= RECORD_BATCH:
                await self._record_all(outcomes)

        await asyncio.gather(*(attempt(row) for row in rows))
        await self._record_all(outcomes)
        return len(rows)

    async def _actors_of(self, actor_ids: set[int]) -> dict[int, Account]:
        """The signing actors of a round, read once each (never once per delivery)."""
        missing = actor_ids - self._actors.keys()
        if missing:
            async with self.context.db.read() as conn:
                for actor_id in missing:
                    actor = await accounts.get_by_id(conn, actor_id)
                    if actor is not None:
                        self._actors[actor_id] = actor
        return {i: self._actors[i] for i in actor_ids if i in self._actors}

    async def _attempt(
        self, row: DeliveryRow, actor: Account | None, open_hosts: dict[str, str]
    ) -> Outcome:
        refusal = self.context.policy.refusal(row.host)
        if refusal is not None:
            return Outcome(row, error=refusal)  # not retryable: failed for good, no request
        if row.host in open_hosts:  # the host is failing: wait without spending an attempt
            return Outcome(row, deferred_until=open_hosts[row.host])
        if actor is None:
            return Outcome(row, error="actor gone")
        semaphore = self._hosts.setdefault(row.host, asyncio.Semaphore(PER_HOST))
        async with self._global, semaphore:
            status, error, retryable = await self._post(row, actor)
        return Outcome(row, status=status, error=error, retryable=retryable)

    async def _record_all(self, outcomes: list[Outcome]) -> None:
        """Record finished attempts in one transaction (a write per delivery would cost more
        than the delivery's own CPU)."""
        batch = outcomes[:]
        outcomes.clear()
        if not batch:
            return

        def record(conn: sqlite3.Connection) -> None:
            for outcome in batch:
                self._record(conn, outcome)

        await self.context.db.write(record)

    async def _post(self, row: DeliveryRow, actor: Account) -> tuple[int | None, str, bool]:
        headers = {"Content-Type": CONTENT_TYPE, **row.extra_headers}
        try:
            response = await self.context.http.post(
                row.inbox_uri,
                row.body.encode("utf-8"),
                headers,
                sign=signer_for(self.context, actor),
            )
        except FetchError as exc:
            return None, str(exc), exc.retryable
        if 200 <= response.status < 300:
            return response.status, "", False
        return response.status, f"HTTP {response.status}", not is_final_status(response.status)

    def _record(self, conn: sqlite3.Connection, outcome: Outcome) -> None:
        row, status, error, retryable = (
            outcome.row,
            outcome.status,
            outcome.error,
            outcome.retryable,
        )
        moment = self.clock()
        now = to_db(moment)
        if outcome.deferred_until is not None:
            outbox_activities.reschedule(
                conn, row.id, "circuit open", outcome.deferred_until, now, count_attempt=False
            )
            return
        if status is not None and 200 <= status < 300:
            outbox_activities.mark_delivered(conn, row.id, now)
            outbox_activities.record_host_success(conn, row.host, now)
            return
        log.info("delivery of activity %s to %s failed: %s", row.activity_id, row.inbox_uri, error)
        if retryable:
            failures = outbox_activities.record_host_failure(conn, row.host, now)
            pause = breaker_open_for(failures)
            if pause is not None:
                outbox_activities.open_circuit(conn, row.host, to_db(moment + pause))
        if not retryable or row.attempts + 1 >= MAX_ATTEMPTS:
            outbox_activities.mark_failed(conn, row.id, error, now)
            return
        later = to_db(moment + backoff(row.attempts + 1, self.rng))
        outbox_activities.reschedule(conn, row.id, error, later, now)

    async def run(self, stop: asyncio.Event, poll: float = 1.0) -> None:
        while not stop.is_set():
            if await self.run_once():
                continue
            self.context.wake.outbox.clear()
            waiters = [asyncio.ensure_future(e.wait()) for e in (stop, self.context.wake.outbox)]
            await asyncio.wait(waiters, timeout=poll, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
