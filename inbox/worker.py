"""The inbox worker: takes the stored activities that are due, in batches, and runs their handlers.

Row states (inbox_activities): pending -> done when the handler succeeds or the type is not one
we act on; pending -> failed for an invalid activity; a transient failure (the remote server is
away) stays pending with attempts + 1 and a later next_attempt_at, up to MAX_ATTEMPTS; one that
asking again cannot mend (a refused domain) fails at once. An activity whose actor is suspended
here, or whose domain became refused after it was received, is dropped (done, nothing run).
Once an activity is done or failed, an FEP-8fcf header that came with it is applied
(fedi.groups.followers_sync): the latest one of each sender in a batch.

A batch is up to BATCH due activities, in the order they were received. Their handlers run side
by side, so that their fetches overlap and their writes share the writer's commits (the writes
made in one turn of the event loop are committed together), and read inline (no thread hand-off
per query); the federation policy is read once per batch, and with one query each the actors,
the local accounts the batch's Creates name, which of their authors have subscribers and which
of their posts are here already (a post not here then is checked again as it is written). What
became of an activity is recorded as soon as its handler is done (with the outcomes of the
moment, in one statement and one commit).

Several workers (processes) may share the queue: each claims its batch in one statement
(fedi.db.claims: claimed_by, claimed_until, renewed while it works), and recording an outcome
ends the claim, only for the worker holding it. Two workers never run one actor's activities
at once (the claim skips an actor another worker is running), so an actor's activities keep
their order across workers. Guarantee: each stored activity (one row per activity id: a replay
is never a second row) is handled once by a live worker. A worker that dies mid-batch leaves
its claims to lapse; another worker then runs the activities whose outcome was not recorded,
and those whose handler had committed its writes run again. The outcome is not written in the
handler's own transaction (a handler may write several times, through code shared with the
API); instead the handlers' writes are idempotent by the ids they store (a post or boost by its
id, checked inside the write; a favourite, follow or block by its pair of accounts; a report by
the Flag's id; an edit by its `updated` time), so that second run finds its rows and writes
nothing: no second post and no second notification. What it may repeat is a reply queued for
delivery (an Accept), which the receiver drops by its id.

Order: an activity waits for the earlier ones of its batch that it shares a key with:
  * exclusively, the object it acts on, its own id and, for an activity wrapping another (Undo,
    Accept, Reject, Announce), the wrapped activity's id and object: Create -> Update -> Delete
    of one post, Follow -> Undo, Like -> Undo keep their order;
  * its actor, shared: an actor's activities on different objects run side by side, but one on
    the actor itself (an Update or Delete of the actor, a Move) waits for all of the actor's
    earlier ones and holds back the later ones (which read the actor again).
An activity that fails, even transiently, does not hold up the others: those waiting for it run
once it is done, as they would have one after the other, and it is retried later on its own.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fedi.activitypub.parse import InvalidActivity
from fedi.context import Context
from fedi.core.models import Account
from fedi.core.timeutil import to_db, utcnow
from fedi.db import account_lookups, accounts, inbox_activities, status_ids, subscriptions
from fedi.db.claims import claim
from fedi.db.inbox_activities import InboxRow, Outcome
from fedi.federation.dereference import DereferenceError
from fedi.federation.remote_accounts import ActorError
from fedi.groups.followers_sync import SyncError, synchronize
from fedi.transport.federation_policy import Snapshot
from fedi.transport.http import FetchError
from inbox.handlers import HANDLERS
from inbox.handlers.common import BatchReads, Incoming

log = logging.getLogger(__name__)
BATCH = 256
# Handlers running at once: enough for their writes to share commits and their fetches to
# overlap, few enough that starting them does not hold up the event loop (and the inbox's
# own requests) for long: a Create's handler runs about 150 us before its first write, so
# starting 128 holds the loop about 20 ms.
CONCURRENCY = 128
MAX_ATTEMPTS = 6
GATHER = 0.05  # seconds the running worker waits for more before a batch that is not full
MAX_OBJECT_KEYS = 16  # a Flag may name a hundred objects; ordering needs only the first few
TRANSIENT = (DereferenceError, ActorError, FetchError)
NAMING_KEYS = ("to", "cc", "bto", "bcc", "audience", "tag")
MAX_NAMED = 64  # per key and document: more are looked up by the handler itself


def retry_delay(attempts: int) -> timedelta:
    """1, 4, 16, 64 ... minutes: a remote server that is briefly away gets a few chances."""
    return timedelta(minutes=4**attempts)


def _id_of(value: Any) -> str | None:
    """The id a value names, as the handlers read it (uri_of), without checking that it is an
    http(s) URI: ordering only compares ids, and a malformed one fails in its handler."""
    if isinstance(value, dict):
        value = value.get("id") or (value.get("href") if value.get("type") == "Link" else None)
    return value if isinstance(value, str) and value else None


def ordering_keys(activity: dict[str, Any], actor_uri: str) -> tuple[set[str], bool]:
    """The keys an activity holds exclusively, and whether it acts on its actor itself (then it
    holds the actor's key exclusively too; otherwise shared)."""
    keys: set[str] = set()
    own = _id_of(activity.get("id"))
    if own is not None:
        keys.add(own)
    objects = activity.get("object")
    for obj in (objects if isinstance(objects, list) else [objects])[:MAX_OBJECT_KEYS]:
        uri = _id_of(obj)
        if uri is not None:
            keys.add(uri)
        if isinstance(obj, dict):  # a wrapped activity: Undo{Like{post}}, Accept{Follow{us}}
            inner = _id_of(obj.get("object"))
            if inner is not None:
                keys.add(inner)
    target = _id_of(activity.get("target"))
    if target is not None:
        keys.add(target)  # a Move's new account
    on_actor = actor_uri in keys
    keys.discard(actor_uri)
    return keys, on_actor


def named_here(item: _Item, ours: tuple[str, ...]) -> set[str]:
    """Ids on this server (starting with one of `ours`) that a Create and its post address,
    mention or say they belong to: the local accounts its handler looks up, read for the whole
    batch at once. Any it does not find here, the handler looks up itself."""
    if item.row.type != "Create" or item.activity is None:
        return set()
    found: set[str] = set()
    post = item.activity.get("object")
    post = post if isinstance(post, dict) else {}
    for key in NAMING_KEYS:
        values = post.get(key)
        _add_ours(found, values, ours)
        outer = item.activity.get(key)
        if outer is not None and outer != values:  # most often the same as the post's
            _add_ours(found, outer, ours)
    return found


def _post_id(item: _Item) -> str | None:
    """The id of the post a Create embeds."""
    if item.row.type != "Create" or item.activity is None:
        return None
    post = item.activity.get("object")
    return _id_of(post) if isinstance(post, dict) else None


def _add_ours(found: set[str], values: Any, ours: tuple[str, ...]) -> None:
    for value in (values if isinstance(values, list) else [values])[:MAX_NAMED]:
        if isinstance(value, dict):  # a Mention tag, or an embedded collection
            value = value.get("href") or value.get("id")
        if isinstance(value, str) and value.startswith(ours):
            found.add(value)


@dataclass
class _Key:
    """Who holds one key in a batch: the last exclusive holder and the shared holders since."""

    exclusive: asyncio.Future[None] | None = None
    shared: list[asyncio.Future[None]] = field(default_factory=list)


@dataclass
class _Item:
    row: InboxRow
    activity: dict[str, Any] | None  # None: the stored body cannot be read
    finished: asyncio.Future[None]
    after: list[asyncio.Future[None]] = field(default_factory=list)
    reread_actor: bool = False  # an earlier activity of the batch acted on the actor itself


class InboxWorker:
    def __init__(self, context: Context, clock: Callable[[], datetime] = utcnow) -> None:
        self.context = context
        self.clock = clock

    async def run_once(self) -> int:
        """Process one batch of what is due now; returns how many activities were taken."""
        db, statement = self.context.db, inbox_activities.claim_due
        rows = await claim(db, self.context.claims, statement, BATCH, self.clock())
        with db.inline_reads():  # for this task and the handlers' tasks it starts
            if rows:
                await self._run_batch(rows)
        return len(rows)

    async def _run_batch(self, rows: list[InboxRow]) -> None:
        policy = await self.context.policy.refresh(self.context.db)
        items = self._plan(rows)
        actors, batch = await self._read_for(items)
        running = asyncio.Semaphore(CONCURRENCY)
        outcomes = await asyncio.gather(
            *(self._run(item, actors, batch, policy, running) for item in items)
        )
        # FEP-8fcf: the latest header of each sender in the batch describes its followers here
        # as of its last delivery; the earlier ones are older news.
        latest = {
            item.row.actor_uri: item.row
            for item, outcome in zip(items, outcomes, strict=True)
            if item.row.collection_sync is not None and outcome.state != "pending"
        }
        await asyncio.gather(*(self._synchronize(row) for row in latest.values()))

    async def _read_for(self, items: list[_Item]) -> tuple[dict[str, Account], BatchReads]:
        """The batch's actors, and what its Creates' handlers would each read (BatchReads)."""
        domain = self.context.settings.domain
        ours = (f"https://{domain}/", f"http://{domain}/")
        named = {uri for item in items for uri in named_here(item, ours)}
        async with self.context.db.read() as conn:
            actors = await account_lookups.get_by_uris(conn, (i.row.actor_uri for i in items))
            creating = [actors[i.row.actor_uri].id for i in items
                        if i.row.type == "Create" and i.row.actor_uri in actors]  # fmt: skip
            return actors, BatchReads(
                await account_lookups.known_refs(conn, named),
                frozenset(await subscriptions.with_subscribers(conn, creating)),
                await status_ids.present_among(conn, filter(None, map(_post_id, items))),
            )

    def _plan(self, rows: list[InboxRow]) -> list[_Item]:
        """Each activity with the earlier ones of the batch it must wait for (see the module's
        docstring on order)."""
        loop = asyncio.get_running_loop()
        held: dict[str, _Key] = {}
        items: list[_Item] = []
        for row in rows:
            try:
                activity = json.loads(row.body)
            except ValueError:
                activity = None
            item = _Item(
                row, activity if isinstance(activity, dict) else None, loop.create_future()
            )
            items.append(item)
            if item.activity is None:
                continue
            keys, on_actor = ordering_keys(item.activity, row.actor_uri)
            # An earlier activity of the batch on the actor itself may have changed or deleted
            # it: this one reads the actor again once that one is done.
            actor = held.setdefault(row.actor_uri, _Key())
            item.reread_actor = actor.exclusive is not None
            exclusive = [*keys, row.actor_uri] if on_actor else list(keys)
            for key in exclusive:
                holders = held.setdefault(key, _Key())
                item.after += holders.shared or ([holders.exclusive] if holders.exclusive else [])
                holders.exclusive, holders.shared = item.finished, []
            if not on_actor:
                if actor.exclusive is not None:
                    item.after.append(actor.exclusive)
                actor.shared.append(item.finished)
        return items

    async def _run(
        self,
        item: _Item,
        actors: dict[str, Account],
        batch: BatchReads,
        policy: Snapshot,
        running: asyncio.Semaphore,
    ) -> Outcome:
        row, worker = item.row, self.context.claims.worker
        try:
            if item.after:
                await asyncio.wait(item.after)
            async with running:
                await self._handle(item, actors, batch, policy)
            outcome = Outcome(row.id, "done", worker=worker)
        except InvalidActivity as exc:
            log.info("refused %s %s from %s: %s", row.type, row.activity_uri, row.actor_uri, exc)
            outcome = Outcome(row.id, "failed", str(exc), worker=worker)
        except TRANSIENT as exc:
            error = f"{type(exc).__name__}: {exc}"
            if not getattr(exc, "retryable", True) or row.attempts + 1 >= MAX_ATTEMPTS:
                outcome = Outcome(row.id, "failed", error, worker=worker)
            else:
                later = to_db(self.clock() + retry_delay(row.attempts))
                outcome = Outcome(row.id, "pending", error, later, worker)
        except Exception as exc:  # the worker's top level: record the error on the row
            log.exception("handler for %s %s failed", row.type, row.activity_uri)
            outcome = Outcome(row.id, "failed", f"{type(exc).__name__}: {exc}", worker=worker)
        finally:
            item.finished.set_result(None)  # the activities waiting for this one may go
        # Recorded as soon as the handler is done, as before batches, so that a crash cannot
        # run its side effects twice, but with the other outcomes of the moment in one
        # statement and one commit.
        await self.context.db.write_together(inbox_activities.record, outcome)
        return outcome

    async def _handle(
        self, item: _Item, actors: dict[str, Account], batch: BatchReads, policy: Snapshot
    ) -> None:
        row = item.row
        handler = HANDLERS.get(row.type)
        if handler is None:
            return  # an activity type we do not act on
        if item.activity is None:
            raise InvalidActivity("the stored activity is not a JSON object")
        actor = actors.get(row.actor_uri)
        if item.reread_actor:
            async with self.context.db.read() as conn:
                actor = await accounts.get_by_uri(conn, row.actor_uri)
        if actor is None:
            return  # the actor was deleted meanwhile
        if actor.is_suspended or (actor.domain is not None and policy.refuses(actor.domain)):
            log.info("dropped %s %s: %s is suspended or refused", row.type, row.activity_uri,
                     row.actor_uri)  # fmt: skip
            return
        await handler(self.context, Incoming(item.activity, actor, row.recipient_id, batch))

    async def _synchronize(self, row: InboxRow) -> None:
        """Apply the delivery's FEP-8fcf header. A failure is only logged: the sender puts the
        header on every delivery, so the next one tries again."""
        if row.collection_sync is None:
            return
        async with self.context.db.read() as conn:
            sender = await accounts.get_by_uri(conn, row.actor_uri)
        if sender is None:
            return
        try:
            await synchronize(self.context, sender, row.collection_sync)
        except (SyncError, *TRANSIENT) as exc:
            log.info("follower synchronisation from %s (activity %s) skipped: %s",
                     row.actor_uri, row.activity_uri, exc)  # fmt: skip
        except Exception:  # like a handler's: never stops the worker
            log.exception("follower synchronisation from %s failed", row.actor_uri)

    async def run(self, stop: asyncio.Event, poll: float = 1.0, gather: float = GATHER) -> None:
        while not stop.is_set():
            # Cleared before the round: a wake that comes during it is not lost.
            self.context.wake.inbox.clear()
            taken = await self.run_once()
            if taken >= BATCH:
                continue
            if not taken:
                waiters = [asyncio.ensure_future(e.wait()) for e in (stop, self.context.wake.inbox)]
                await asyncio.wait(waiters, timeout=poll, return_when=asyncio.FIRST_COMPLETED)
                for waiter in waiters:
                    waiter.cancel()
            # Less than a batch is due: let what arrives meanwhile join the next one, so that
            # the activities of a busy moment share the batch's reads and commits.
            await asyncio.sleep(gather)
