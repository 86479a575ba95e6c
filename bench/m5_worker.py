"""M5's worker share alone: the CPU the inbox worker spends per stored Create, measured in one
process without the HTTP side. Run by hand:
    .venv/bin/python bench/m5_worker.py [--activities 3000] [--rate 0]

How it works: a fresh instance (its own data directory) gets a member, alice, and 8 remote actors
on 4 hosts (stored as if their keys had been fetched); the same signed-style Creates as
bench/m5_inbound.py sends (public Notes of about --size bytes mentioning alice) are stored in the
inbox table as the inbox route stores them, then handled by InboxWorker:
  * --rate 0 (a backlog): rows are stored --chunk at a time and each chunk is drained with
    run_once(), as a burst is;
  * --rate R: the worker runs as `fedi serve` runs it (run(), woken by each store) while rows
    arrive 10 at a time, R per second, as a steady stream is (the rows' own inserts are counted
    too: they are the same for every version of the worker).
CPU is this process's (every thread) over the drain, split between the event loop's thread
(parsing, checks, reads) and the others (the database writer); "loop lag" is how late a 1 ms
timer fired while the worker ran (how long a handler batch holds the loop). Every row must end
`done`, with one post and one mention notification per Create.

"store alone" is the floor under the worker's figure: --activities more posts, made from Creates
like the others (same size, same mention), are stored with fedi's own writes (the post with its
mention, search words and counters, and its mention notification), --chunk to a write, with no
parsing, checks or reads at all. Both figures are also given in RSA-2048 verifies (timed in this
process before and after), the unit of M5 (bench/m5_inbound.py): the worker's share of M5, and
the part of it any worker storing posts in this schema pays.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Run as a script: make the repository importable (fedi, inbox, bench).
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import uvloop  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402

from bench._common import rsa_verify_cost  # noqa: E402
from bench.m5_inbound import Actor, create_activity  # noqa: E402
from fedi.accounts.members import add_member  # noqa: E402
from fedi.activitypub.remote_actor import actor_from_ap  # noqa: E402
from fedi.context import Context, open_context  # noqa: E402
from fedi.core.config import load_settings  # noqa: E402
from fedi.core.ids import new_id  # noqa: E402
from fedi.core.models import NewStatus  # noqa: E402
from fedi.core.timeutil import to_ap, to_db, utcnow  # noqa: E402
from fedi.db import accounts, inbox_activities, interactions, statuses  # noqa: E402
from fedi.federation.remote_accounts import store_actor  # noqa: E402
from inbox.worker import InboxWorker  # noqa: E402

PER_ARRIVAL = 10


@dataclass
class Usage:
    loop: float = 0.0
    process: float = 0.0

    def add(self, loop: float, process: float) -> None:
        self.loop += loop
        self.process += process


class Lag:
    """How late a 1 ms timer fires, while it runs."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._task = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(0.001)
            self.samples.append(time.perf_counter() - started - 0.001)

    def stop(self) -> tuple[float, float]:
        self._task.cancel()
        ordered = sorted(self.samples) or [0.0]
        return ordered[int(len(ordered) * 0.99)], ordered[-1]


async def seed(context: Context, hosts: int, actors: int) -> tuple[list[Actor], str]:
    member = await add_member(context, "alice", "alice-benchmark-password")
    keys = [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(actors)]
    remote = [
        Actor(f"https://h{i % hosts}.example.org", f"sender{i}", keys[i]) for i in range(actors)
    ]
    for actor in remote:
        await store_actor(context, actor_from_ap(actor.document()), accept_new_key=True)
    return remote, member.account.uri


def rows_for(
    actors: list[Actor], member: str, first: int, count: int, size: int
) -> list[inbox_activities.NewInboxRow]:
    published, now = to_ap(utcnow()), to_db(utcnow())
    rows = []
    for n in range(first, first + count):
        body = create_activity(actors[n % len(actors)], n, size, member, published).decode()
        activity = json.loads(body)
        rows.append(inbox_activities.NewInboxRow(
            new_id(), activity["id"], activity["actor"], "Create", body, None, now
        ))  # fmt: skip
    return rows


async def store(context: Context, rows: list[inbox_activities.NewInboxRow]) -> None:
    await context.db.write(lambda conn: inbox_activities.insert_all(conn, rows))


async def drain_backlog(
    context: Context, chunks: list[list[inbox_activities.NewInboxRow]]
) -> Usage:
    worker, usage = InboxWorker(context), Usage()
    for chunk in chunks:
        await store(context, chunk)
        loop, process = time.thread_time(), time.process_time()
        while await worker.run_once():
            pass
        await asyncio.sleep(0.005)  # the last outcomes' commit
        usage.add(time.thread_time() - loop, time.process_time() - process)
    return usage


async def stream(
    context: Context, chunks: list[list[inbox_activities.NewInboxRow]], rate: float
) -> Usage:
    stop, usage = asyncio.Event(), Usage()
    loop, process = time.thread_time(), time.process_time()
    running = asyncio.create_task(InboxWorker(context).run(stop))
    for chunk in chunks:
        await store(context, chunk)
        context.wake.inbox.set()
        await asyncio.sleep(len(chunk) / rate)
    while await pending(context):  # noqa: ASYNC110 (polled as bench/m5_inbound.py polls)
        await asyncio.sleep(0.01)
    stop.set()
    await running
    usage.add(time.thread_time() - loop, time.process_time() - process)
    return usage


async def store_alone(
    context: Context,
    actors: list[Actor],
    member: str,
    first: int,
    count: int,
    args: argparse.Namespace,
) -> float:
    """Process CPU per post to store `count` posts like the Creates' notes, with their mention
    notifications, --chunk to a write: the writes a worker cannot do without."""
    ids: dict[str, int] = {}
    async with context.db.read() as conn:
        for account in [await accounts.get_by_uri(conn, a.uri) for a in actors]:
            if account is None:
                raise SystemExit("a seeded actor is missing")
            ids[account.uri] = account.id
        mentioned = await accounts.get_by_uri(conn, member)
    if mentioned is None:
        raise SystemExit("the member is missing")
    published, now = to_ap(utcnow()), to_db(utcnow())
    posts = []
    for n in range(first, first + count):
        actor = actors[n % len(actors)]
        note = json.loads(create_activity(actor, n, args.size, member, published))["object"]
        posts.append(NewStatus(
            id=new_id(), uri=note["id"], url=note["url"], account_id=ids[actor.uri],
            visibility="public", content=note["content"], spoiler_text="", is_sensitive=False,
            language=None, is_local=False, created_at=now, mentions=(mentioned.id,),
        ))  # fmt: skip
    started = time.process_time()
    for k in range(0, count, args.chunk):
        chunk = posts[k : k + args.chunk]

        def write(conn: Any, chunk: list[NewStatus] = chunk) -> None:
            for new in chunk:
                statuses.insert_status(conn, new)
                interactions.notify(conn, [mentioned.id], "mention", new.account_id, new.id, now)

        await context.db.write(write)
    return (time.process_time() - started) / count


async def pending(context: Context) -> int:
    async with context.db.read() as conn:
        cursor = await conn.execute("SELECT count(*) FROM inbox_activities WHERE state = 'pending'")
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def counts(context: Context) -> tuple[dict[str, int], int, int]:
    async with context.db.read() as conn:
        cursor = await conn.execute("SELECT state, count(*) FROM inbox_activities GROUP BY state")
        states = {str(state): int(n) for state, n in await cursor.fetchall()}
        cursor = await conn.execute("SELECT count(*) FROM statuses WHERE is_local = 0")
        stored = await cursor.fetchone()
        cursor = await conn.execute("SELECT count(*) FROM notifications WHERE type = 'mention'")
        mentions = await cursor.fetchone()
    return states, int(stored[0]) if stored else 0, int(mentions[0]) if mentions else 0


async def run(args: argparse.Namespace, directory: Path) -> None:
    settings = load_settings(
        {"FEDI_DOMAIN": "local.test", "FEDI_DATA_DIR": str(directory), "FEDI_SCHEME": "https"}
    )
    async with open_context(settings) as context:
        actors, member = await seed(context, args.hosts, args.actors)
        await drain_backlog(context, [rows_for(actors, member, 0, args.warmup, args.size)])
        per = PER_ARRIVAL if args.rate else args.chunk
        first, n = args.warmup, args.activities
        chunks = [rows_for(actors, member, first + k, min(per, n - k), args.size)
                  for k in range(0, n, per)]  # fmt: skip
        gc.collect()
        gc.freeze()  # as `fedi serve` does once started
        lag = Lag()
        started = time.perf_counter()
        if args.rate:
            usage = await stream(context, chunks, args.rate)
        else:
            usage = await drain_backlog(context, chunks)
        elapsed = time.perf_counter() - started
        p99, worst = lag.stop()
        states, stored, mentions = await counts(context)
        verify_before = rsa_verify_cost(actors[0].key, batches=3, per_batch=2000)
        alone = await store_alone(context, actors, member, first + n, n, args)
        verify = (verify_before + rsa_verify_cost(actors[0].key, batches=3, per_batch=2000)) / 2
    n, sent = args.activities, args.activities + args.warmup
    mode = f"{args.rate:.0f}/s arriving {PER_ARRIVAL} at a time" if args.rate else (
        f"a backlog stored {args.chunk} at a time"
    )  # fmt: skip
    print(f"M5 worker alone: {n} Creates of about {args.size} bytes, {mode}; "
          f"{args.actors} actors on {args.hosts} hosts, after {args.warmup} warm-up")  # fmt: skip
    others = usage.process - usage.loop
    print(f"worker CPU   : {usage.process / n * 1e6:6.1f} us per Create (event loop thread "
          f"{usage.loop / n * 1e6:.1f}, other threads {others / n * 1e6:.1f}); "
          f"{elapsed:.2f} s")  # fmt: skip
    print(f"store alone  : {alone * 1e6:6.1f} us per post (its writes only, {args.chunk} posts to a"
          " write)")  # fmt: skip
    print(f"RSA verify   : {verify * 1e6:6.1f} us CPU (in this process, before and after the "
          "stores alone)")  # fmt: skip
    print(
        f"in verifies  : worker {usage.process / n / verify:.1f}, store alone "
        f"{alone / verify:.1f}   (M5's target: <= 10 for the whole path, POST included)"
    )
    print(f"loop lag     : p99 {p99 * 1e3:.1f} ms, worst {worst * 1e3:.1f} ms")
    ok = states == {"done": sent} and stored == sent and mentions == sent
    print(f"rows         : {states}; posts {stored}, mentions {mentions} of {sent}"
          + ("" if ok else "   CHECK: not every Create was handled once"))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--activities", type=int, default=3000, help="measured Creates")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--actors", type=int, default=8)
    parser.add_argument("--hosts", type=int, default=4)
    parser.add_argument("--size", type=int, default=2048, help="bytes per activity")
    parser.add_argument("--chunk", type=int, default=512, help="backlog rows stored at a time")
    parser.add_argument("--rate", type=float, default=0.0, help="arrivals per second (0: backlog)")
    args = parser.parse_args()
    if args.activities < 1 or args.actors < 1 or not 1 <= args.hosts <= args.actors:
        parser.error("--activities and --actors must be at least 1, --hosts 1..actors")
    with (
        tempfile.TemporaryDirectory(prefix="fedi-m5w-") as directory,
        asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner,
    ):
        runner.run(run(args, Path(directory)))


if __name__ == "__main__":
    main()
