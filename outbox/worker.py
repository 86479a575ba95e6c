"""The outbox worker: fans each published activity out into deliveries, then delivers them.

Fan-out (outbox_activities pending -> fanned_out) computes the audience when it runs: the remote
followers of the author at that moment, the named accounts and inboxes, one delivery per distinct
inbox (shared inboxes deduplicated). Delivery (deliveries queued -> done | failed), in rounds:
sign, POST, 2xx done, 4xx other than 408/429 failed for good, anything else retried later
(outbox.retry). First attempts go before retries; hosts get a concurrency cap and a circuit
breaker that counts failed rounds, not failed requests, holds a failing host's deliveries back
without spending attempts, and probes it with one delivery when each pause ends.
Rows are claimed (fedi.db.claims): a delivery whose worker died before recording it is sent
again by another once its claim lapses (at least once; receivers drop repeats by activity id).
No delivery is queued to, or attempted at, a host this instance does not federate with (a
suspended domain, or one off the allowlist): one queued before the host became refused fails
for good without a request (security.md M6, M8).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from fedi.activitypub.parse import host_of
from fedi.context import Context
from fedi.core.ids import new_id
from fedi.core.models import Account
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, follows, groups, interactions, outbox_activities
from fedi.db.claims import claim
from fedi.db.connection import Connection
from fedi.db.outbox_activities import DeliveryRow, HostCircuit, OutboxRow
from fedi.federation.publish import Audience
from fedi.federation.signing import AccountSigner, Signer, SigningBatch, signer_for
from fedi.groups.groups import synchronization_header
from fedi.transport.http import FetchError
from fedi.transport.keystore import KeyStoreError
from outbox.lanes import Lanes
from outbox.retry import (
    MAX_ATTEMPTS,
    ROUND_FAILURE_LIMIT,
    backoff,
    breaker_open_for,
    give_up_after,
    is_final_status,
)

log = logging.getLogger(__name__)
FAN_OUT_BATCH = 100
DELIVERY_BATCH = 500
PER_HOST = 4
GLOBAL = 64
RECORD_BATCH = 64
AHEAD_CHUNK = 32  # signatures made in one go before a round's requests (about 8 ms of CPU)
CONTENT_TYPE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
AS_HEADERS = {"Content-Type": CONTENT_TYPE}


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one delivery attempt ended, or why it was not made."""

    row: DeliveryRow
    status: int | None = None
    error: str = ""
    retryable: bool = False
    deferred_until: str | None = None  # held back until then, without spending an attempt
    contacted: bool = False  # a request was made: the outcome says something about the host

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def answered(self) -> bool:
        """The host is up: it accepted the delivery or refused it for good (a 4xx other than
        408 and 429 is an answer, not an outage)."""
        return self.contacted and self.status is not None and not self.retryable

    @property
    def host_failed(self) -> bool:
        """The host is down, overloaded or unreachable: worth retrying later."""
        return self.contacted and self.retryable


class _Round:
    """One delivery round: the circuits of its hosts when it started, the hosts being probed,
    and which hosts answered or failed in it (the breaker counts rounds, not requests)."""

    def __init__(self, started: datetime, circuits: dict[str, HostCircuit]) -> None:
        self.now = to_db(started)
        self.give_up_before = to_db(started - give_up_after())
        self.circuits = circuits
        self.probing: set[str] = set()
        self.held: set[int] = set()  # rows waiting for their host's probe
        self.answered: set[str] = set()
        self.failures: dict[str, int] = {}
        self.errors: dict[str, str] = {}  # the last error of each host that failed
        self._refusals: dict[str, str | None] = {}

    def refusal(self, host: str, policy: Callable[[str], str | None]) -> str | None:
        """Whether the instance refuses the host, asked once per host per round (the HTTP
        client asks again, with the current rules, before every request)."""
        if host not in self._refusals:
            self._refusals[host] = policy(host)
        return self._refusals[host]

    def observe(self, outcome: Outcome) -> None:
        host = outcome.row.host
        if outcome.answered:
            self.answered.add(host)
        elif outcome.host_failed:
            self.failures[host] = self.failures.get(host, 0) + 1
            self.errors[host] = outcome.error

    def gave_up_on(self, host: str) -> bool:
        return self.failures.get(host, 0) >= ROUND_FAILURE_LIMIT and host not in self.answered


class _Ahead:
    """The requests of a round signed before any is sent (SigningBatch.sign_ahead), at most
    PER_HOST per host (as many as may be in flight to it: should it fail, the round sends it
    no more, and the signatures of its other deliveries would be wasted), AHEAD_CHUNK at a time
    so that the event loop serves others in between."""

    def __init__(self) -> None:
        self._posts: dict[AccountSigner, list[tuple[str, bytes]]] = {}
        self._per_host: dict[str, int] = {}

    def add(self, row: DeliveryRow, payload: bytes, signer: AccountSigner) -> None:
        count = self._per_host.get(row.host, 0)
        if count < PER_HOST:
            self._per_host[row.host] = count + 1
            self._posts.setdefault(signer, []).append((row.inbox_uri, payload))

    async def sign(self) -> None:
        for signer, posts in self._posts.items():
            for start in range(0, len(posts), AHEAD_CHUNK):
                signer.sign_ahead(posts[start : start + AHEAD_CHUNK])
                await asyncio.sleep(0)


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
        self._actors: dict[int, Account] = {}

    async def run_once(self) -> int:
        """Fan out and deliver what is due now; returns how many rows were handled."""
        return await self.fan_out_once() + await self.deliver_once()

    async def fan_out_once(self) -> int:
        context, statement = self.context, outbox_activities.claim_pending
        rows = await claim(context.db, context.claims, statement, FAN_OUT_BATCH, self.clock())
        for row in rows:
            await self._fan_out(row)
        return len(rows)

    async def _fan_out(self, row: OutboxRow) -> None:
        inboxes = await self._inboxes(row)
        headers = await self._sync_headers(row, inboxes)
        now = to_db(self.clock())
        deliveries: list[tuple[int, str, str, dict[str, str]]] = [
            (new_id(), inbox, host, headers.get(host, {})) for inbox, host in inboxes.items()
        ]
        worker = self.context.claims.worker
        await self.context.db.write(
            lambda conn: outbox_activities.fan_out(conn, row.id, deliveries, now, worker)
        )

    async def _inboxes(self, row: OutboxRow) -> dict[str, str]:
        """Each distinct inbox of the audience, with its host."""
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
        hosts = {inbox: host_of(inbox) for inbox in found}  # remembered by host_of
        return {
            inbox: host
            for inbox, host in hosts.items()
            if host != ours and not policy.refuses(host)
        }

    async def _sync_headers(
        self, row: OutboxRow, inboxes: dict[str, str]
    ) -> dict[str, dict[str, str]]:
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
            for host in set(inboxes.values())
        }

    async def deliver_once(self) -> int:
        """One delivery round: every delivery due now (up to DELIVERY_BATCH) is attempted, held
        back by its host's circuit, or failed for good; returns how many were due."""
        await self.context.policy.refresh(self.context.db)
        started, context = self.clock(), self.context
        statement = outbox_activities.claim_deliveries
        rows = await claim(context.db, context.claims, statement, DELIVERY_BATCH, started)
        if not rows:
            return 0
        async with self.context.db.read() as conn:
            bodies = await outbox_activities.activity_bodies(conn, {r.activity_id for r in rows})
            circuits = await outbox_activities.host_circuits(conn, {r.host for r in rows})
        actors = await self._actors_of({row.actor_id for row in rows})
        run = _Round(started, circuits)
        # Encoded once per activity and signed with keys loaded once per actor, not per inbox;
        # the requests ready at the same moment are signed together.
        payloads = {i: body.encode("utf-8") for i, body in bodies.items()}
        batch = SigningBatch()
        signers = {i: self._signer(actor, batch) for i, actor in actors.items()}
        outcomes: list[Outcome] = []
        lanes = Lanes(PER_HOST)
        ahead = _Ahead()
        for row in rows:
            payload, signer = payloads.get(row.activity_id), signers.get(row.actor_id)
            screened = self._screen(run, row, payload, signer)
            if screened is not None:
                run.observe(screened)
                outcomes.append(screened)
            elif row.id not in run.held and payload is not None and callable(signer):
                lanes.add(row, payload, signer)
                if row.host not in run.circuits:  # a host that failed lately may fail again
                    ahead.add(row, payload, signer)
        await ahead.sign()

        async def lane() -> None:
            """Deliver one row after another; GLOBAL lanes run at once, at most PER_HOST of
            them on one host (Lanes hands a row out only when its host has room)."""
            while (taken := lanes.take()) is not None:
                row, payload, signer = taken
                try:
                    outcome = await self._attempt(run, row, payload, signer)
                finally:
                    lanes.done(row)
                run.observe(outcome)
                outcomes.append(outcome)
                if len(outcomes) >= RECORD_BATCH:
                    await self._record_all(outcomes)

        await asyncio.gather(*(lane() for _ in range(min(GLOBAL, len(lanes)))))
        await self._record_all(outcomes, run)
        return len(rows)

    def _signer(self, actor: Account, batch: SigningBatch) -> AccountSigner | str:
        """The actor's signer, or why there is none (its key file is missing or unreadable)."""
        try:
            return signer_for(self.context, actor, batch)
        except (KeyStoreError, ValueError) as exc:
            return f"cannot sign: {exc}"

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

    def _screen(
        self, run: _Round, row: DeliveryRow, payload: bytes | None, signer: Signer | str | None
    ) -> Outcome | None:
        """Why the row gets no request in this round (None: it may get one). A held-back
        half-open host's rows beyond its probe are marked in run.held and left untouched for
        the next round, which knows how the probe went."""
        host = row.host
        refusal = run.refusal(host, self.context.policy.refusal)
        if refusal is not None:
            return Outcome(row, error=refusal)  # not retryable: failed for good, no request
        if signer is None or payload is None:
            return Outcome(row, error="actor gone")
        if isinstance(signer, str):
            return Outcome(row, error=signer, retryable=True)
        circuit = run.circuits.get(host)
        if circuit is not None and circuit.open_until is not None:
            if circuit.open_until > run.now:  # open: wait without spending an attempt
                if row.created_at < run.give_up_before:
                    return Outcome(row, error=f"gave up: {host} unreachable for too long")
                return Outcome(row, error="circuit open", deferred_until=circuit.open_until)
            if host in run.probing:  # half-open: one probe, the rest wait for its outcome
                run.held.add(row.id)
                return None
            run.probing.add(host)
        return None

    async def _attempt(
        self, run: _Round, row: DeliveryRow, payload: bytes, signer: Signer
    ) -> Outcome:
        if run.gave_up_on(row.host):  # failing in this round: no more requests to it
            later = self.clock() + backoff(row.attempts + 1, self.rng)
            return Outcome(row, error=run.errors[row.host], deferred_until=to_db(later))
        status, error, retryable = await self._post(row, payload, signer)
        return Outcome(row, status=status, error=error, retryable=retryable, contacted=True)

    async def _post(
        self, row: DeliveryRow, payload: bytes, signer: Signer
    ) -> tuple[int | None, str, bool]:
        headers = {**AS_HEADERS, **row.extra_headers} if row.extra_headers else AS_HEADERS
        try:
            response = await self.context.http.post(row.inbox_uri, payload, headers, sign=signer)
        except FetchError as exc:
            return None, str(exc), exc.retryable
        if 200 <= response.status < 300:
            return response.status, "", False
        return response.status, f"HTTP {response.status}", not is_final_status(response.status)

    async def _record_all(self, outcomes: list[Outcome], run: _Round | None = None) -> None:
        """Record finished attempts in one transaction (a write per delivery would cost more
        than the delivery's own CPU); with the round, also what each host did in it."""
        batch = outcomes[:]
        outcomes.clear()
        if not batch and run is None:
            return
        moment = self.clock()
        done: list[int] = []
        failed: list[tuple[int, str]] = []
        later: list[tuple[int, str, str, bool]] = []
        for outcome in batch:
            row, error = outcome.row, outcome.error
            if outcome.deferred_until is not None:
                later.append((row.id, error, outcome.deferred_until, False))
            elif outcome.delivered:
                done.append(row.id)
            elif not outcome.retryable or row.attempts + 1 >= MAX_ATTEMPTS:
                failed.append((row.id, error))
            else:
                retry_at = to_db(moment + backoff(row.attempts + 1, self.rng))
                later.append((row.id, error, retry_at, True))
            if error and outcome.contacted:
                log.info("delivery of activity %s to %s failed: %s",
                         row.activity_id, row.inbox_uri, error)  # fmt: skip
        now, worker = to_db(moment), self.context.claims.worker
        released = sorted(run.held) if run else []

        def record(conn: Connection) -> None:
            outbox_activities.record_attempts(conn, now, done=done, failed=failed, later=later,
                                              released=released, worker=worker)  # fmt: skip
            if run is not None:
                self._record_hosts(conn, run, moment)

        await self.context.db.write(record)

    def _record_hosts(self, conn: Connection, run: _Round, moment: datetime) -> None:
        """The circuit breaker's bookkeeping, once per host per round (outbox.retry)."""
        now = to_db(moment)
        # Only a host that had failed has anything to reset (a healthy host costs no write).
        recovered = sorted(run.answered & run.circuits.keys())
        outbox_activities.record_hosts_answered(conn, recovered, now)
        for host in recovered:
            # Back after failing: what it missed goes now, not when each backoff ends.
            outbox_activities.release_waiting(conn, host, now, before=run.now)
        for host in sorted(run.errors.keys() - run.answered):
            failures = outbox_activities.record_host_failure(conn, host, now)
            pause = breaker_open_for(failures)
            until = None if pause is None else to_db(moment + pause)
            outbox_activities.open_circuit(conn, host, until)

    async def run(self, stop: asyncio.Event, poll: float = 1.0) -> None:
        while not stop.is_set():
            # Cleared before the round: a wake that comes during it is not lost.
            self.context.wake.outbox.clear()
            if await self.run_once():
                continue
            waiters = [asyncio.ensure_future(e.wait()) for e in (stop, self.context.wake.outbox)]
            await asyncio.wait(waiters, timeout=poll, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
