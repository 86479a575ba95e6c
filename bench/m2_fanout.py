"""M2, the fan-out CPU factor (performance.md in the design notes): fedi's CPU per delivered
signed POST when one post goes to N remote followers on H hosts, over the CPU of one RSA-2048
signature, both measured in this run, on cold connections and on warm ones. Run by hand:
    .venv/bin/python bench/m2_fanout.py [--followers 10000] [--hosts 500] [--warm-posts 3]

How it works:
  * bench/_sink.py runs in one child process on 127.0.0.1 and stands in for every remote host:
    it answers each POST with 202 and counts POSTs per (Host, path) and the connections used;
  * this process opens a fedi instance on a fresh data directory, with an HttpClient that maps
    h0.test ... h<H-1>.test to 127.0.0.1, adds one member, and writes N remote followers straight
    into the database: follower i lives on h<i mod H>.test:<sink port>, with that host's shared
    inbox http://h<i mod H>.test:<port>/inbox, so H distinct shared inboxes in all;
  * cold: the member posts (post_status, not measured), then OutboxWorker fans out and delivers
    (fan_out_once + deliver_once, as run_once does) until a round handles nothing, opening one
    connection per host; that is what time.process_time measures: this process, every thread
    (database writer and readers too);
  * warm: the member posts --warm-posts more times, each fanned out and delivered the same way
    by the same worker, over the keep-alive connections the cold post opened (the sink reports
    how many new connections it saw: none is expected);
  * the private key is loaded once before, as a running server has it cached; RSA-2048
    PKCS#1 v1.5 / SHA-256 signing with it is then timed in this process, before the posts and
    after them.

Reading the output: "deliveries" are the rows fedi made and their states (all must be done);
the sink's POSTs must equal the distinct shared inboxes (H, or N if fewer followers than hosts)
per post, exactly one per inbox and post, all signed. "CPU per POST" is the measured CPU over the
deliveries done, split into fan-out and delivery and by thread (the thread split counts 10 ms
clock ticks per thread, so with a few hundred POSTs it is only a rough guide; the total is exact).
M2 = CPU per POST / RSA sign; the target is M2 <= 1.5 on warm connections (floor about 1.26).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Run as a script: make the repository importable (fedi, outbox, keys).
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import uvloop  # noqa: E402

from bench._common import (  # noqa: E402
    ChildProcess,
    ThreadUsage,
    cancel_on_sigterm,
    child_env,
    free_port,
    rsa_sign_cost,
    thread_usage,
)
from fedi.accounts.members import add_member  # noqa: E402
from fedi.context import Context, open_context  # noqa: E402
from fedi.core import ids  # noqa: E402
from fedi.core.config import load_settings  # noqa: E402
from fedi.core.models import RemoteActor  # noqa: E402
from fedi.core.timeutil import to_db, utcnow  # noqa: E402
from fedi.db import accounts, follows  # noqa: E402
from fedi.statuses.posting import post_status  # noqa: E402
from fedi.transport.http import HttpClient  # noqa: E402
from keys.keypair import generate_keypair  # noqa: E402
from outbox.worker import OutboxWorker  # noqa: E402

SINK_SCRIPT = Path(__file__).resolve().parent / "_sink.py"
DOMAIN = "fedi.test"
AUTHOR = "author"
MAX_ROUNDS = 50  # run_once rounds; a healthy run needs one per 500 deliveries plus one


@dataclass
class Phase:
    """CPU of this process spent in one kind of worker call, over all rounds."""

    cpu: float = 0.0
    handled: int = 0

    async def run(self, step: Callable[[], Awaitable[int]]) -> int:
        started = time.process_time()
        handled = await step()
        self.cpu += time.process_time() - started
        self.handled += handled
        return handled


def remote_follower(i: int, hosts: int, port: int, public_pem: str) -> RemoteActor:
    host = f"h{i % hosts}.test:{port}"
    uri = f"http://{host}/users/f{i}"
    return RemoteActor(
        uri=uri,
        actor_type="Person",
        username=f"f{i}",
        domain=host,
        display_name="",
        note="",
        fields=(),
        url=None,
        inbox_uri=f"{uri}/inbox",
        shared_inbox_uri=f"http://{host}/inbox",
        outbox_uri=None,
        followers_uri=None,
        following_uri=None,
        featured_uri=None,
        public_key_id=f"{uri}#main-key",
        public_key_pem=public_pem,
        avatar_remote_url=None,
        header_remote_url=None,
        is_locked=False,
        is_bot=False,
        is_discoverable=False,
        also_known_as=(),
        moved_to_uri=None,
    )


async def add_followers(
    context: Context, author_id: int, followers: int, hosts: int, port: int
) -> None:
    public_pem = generate_keypair().public_pem  # never used: nobody here verifies them
    now = to_db(utcnow())

    def write(conn: sqlite3.Connection) -> None:
        for i in range(followers):
            actor = remote_follower(i, hosts, port, public_pem)
            follower_id = accounts.upsert_remote(conn, actor, now, accept_new_key=True)
            follows.insert_follow(
                conn,
                follow_id=ids.new_id(),
                follower_id=follower_id,
                followed_id=author_id,
                uri=None,
                state="accepted",
                created_at=now,
            )

    await context.db.write(write)


def delivery_states(database: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT state, count(*) FROM deliveries GROUP BY state").fetchall()
        return {str(state): int(n) for state, n in rows}
    finally:
        conn.close()


async def sink_counts(port: int, *, reset: bool = False) -> dict[str, Any]:
    """The sink's tally; reset=True starts a new one instead."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        if reset:
            async with session.delete(f"http://127.0.0.1:{port}/count") as response:
                response.raise_for_status()
                return {}
        async with session.get(f"http://127.0.0.1:{port}/count") as response:
            counts: dict[str, Any] = await response.json()
            return counts


@dataclass(frozen=True)
class Measured:
    """One mode's posts, fanned out and delivered: CPU, rounds, and what the sink saw."""

    posts: int
    fan_out: Phase
    deliver: Phase
    rounds: int
    wall: float
    threads: ThreadUsage
    states: dict[str, int]
    sink: dict[str, Any]

    @property
    def done(self) -> int:
        return self.states.get("done", 0)

    @property
    def cpu_per_post(self) -> float:
        return (self.fan_out.cpu + self.deliver.cpu) / max(self.done, 1)


def combined(parts: list[Measured]) -> Measured:
    """Posts measured one by one, as one measure (each had the sink's tally to itself)."""
    fan_out, deliver = Phase(), Phase()
    states: dict[str, int] = {}
    sink: dict[str, Any] = {}
    threads = ThreadUsage(0.0, 0.0, 0, 0)
    for part in parts:
        threads = threads + part.threads
        fan_out.cpu += part.fan_out.cpu
        fan_out.handled += part.fan_out.handled
        deliver.cpu += part.deliver.cpu
        deliver.handled += part.deliver.handled
        for state, n in part.states.items():
            states[state] = states.get(state, 0) + n
        for key in ("posts", "signed", "new_connections", "max_per_inbox"):
            sink[key] = sink.get(key, 0) + part.sink[key]
        for key in ("inboxes", "hosts", "connections"):  # the same ones, post after post
            sink[key] = max(sink.get(key, 0), part.sink[key])
    return Measured(
        sum(p.posts for p in parts), fan_out, deliver, sum(p.rounds for p in parts),
        sum(p.wall for p in parts), threads, states, sink,
    )  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    sign: float  # the median of the signatures timed between the posts
    cold: Measured
    warm: Measured
    cold_ratio: float
    warm_ratios: list[float]  # each warm post's M2, with the signatures timed beside it
    checked: bool  # every post's deliveries and POSTs as they must be


async def measure(
    context: Context, worker: OutboxWorker, posts: int, sink_port: int, label: str
) -> Measured:
    """Post `posts` times (not measured), then run the worker until a round handles nothing."""
    await sink_counts(sink_port, reset=True)
    before = delivery_states(context.settings.database_path)
    for n in range(posts):
        await post_status(context, AUTHOR, f"A {label} post ({n}) for every follower. #bench")
    fanned, delivered = Phase(), Phase()
    rounds = 0
    threads_before = thread_usage(os.getpid())
    started = time.perf_counter()
    while rounds < MAX_ROUNDS:
        rounds += 1
        handled = await fanned.run(worker.fan_out_once)
        handled += await delivered.run(worker.deliver_once)
        if handled == 0:
            break
    wall = time.perf_counter() - started
    threads = thread_usage(os.getpid()) - threads_before
    after = delivery_states(context.settings.database_path)
    states = {state: n - before.get(state, 0) for state, n in after.items()}
    states = {state: n for state, n in states.items() if n}
    sink = await sink_counts(sink_port)
    return Measured(posts, fanned, delivered, rounds, wall, threads, states, sink)


async def fan_out(args: argparse.Namespace, directory: Path, sink_port: int) -> Outcome:
    settings = load_settings(
        {
            "FEDI_DOMAIN": DOMAIN,
            "FEDI_SCHEME": "http",
            "FEDI_DATA_DIR": str(directory / "data"),
            "FEDI_ALLOW_PRIVATE_NETWORKS": "true",
        }
    )
    # As production's client (fedi.context.make_http_client: default limits), plus the names.
    client = HttpClient(
        allow_private_networks=True,
        user_agent="fedi-bench",
        host_overrides={f"h{i}.test": "127.0.0.1" for i in range(args.hosts)},
    )
    async with open_context(settings, client) as context:
        member = await add_member(context, AUTHOR, secrets.token_urlsafe(24))
        await add_followers(context, member.account.id, args.followers, args.hosts, sink_port)
        private_key = context.keys.load(member.account.id)  # cached, as in a running server
        # Timed before and after each post: this machine's speed drifts by half within seconds,
        # so each post's ratio is taken against the signatures timed on either side of it.
        signs = [rsa_sign_cost(private_key, batches=3, per_batch=args.sign_iterations)]
        worker = OutboxWorker(context)
        posts: list[Measured] = []
        ratios: list[float] = []
        for n in range(1 + args.warm_posts):
            label = "cold" if n == 0 else f"warm {n}"
            posts.append(await measure(context, worker, 1, sink_port, label))
            signs.append(rsa_sign_cost(private_key, batches=3, per_batch=args.sign_iterations))
            ratios.append(posts[-1].cpu_per_post / statistics.mean(signs[-2:]))
    checked = all(check(args, post) for post in posts)
    warm = combined(posts[1:])
    return Outcome(statistics.median(signs), posts[0], warm, ratios[0], ratios[1:], checked)


async def run(args: argparse.Namespace, directory: Path) -> Outcome:
    cancel_on_sigterm()
    sink_port = free_port()
    sink = ChildProcess(
        SINK_SCRIPT, ["--port", str(sink_port)], child_env({}), directory / "sink.log"
    )
    try:
        await sink.wait_ready(f"http://127.0.0.1:{sink_port}/count")
        return await fan_out(args, directory, sink_port)
    finally:
        sink.stop()


def check(args: argparse.Namespace, measured: Measured) -> bool:
    """Every delivery done, exactly one signed POST per distinct shared inbox and post."""
    expected = min(args.hosts, args.followers)
    sink = measured.sink
    return bool(
        measured.done == expected * measured.posts == sink["posts"] == sink["signed"]
        and sink["inboxes"] == expected
        and sink["max_per_inbox"] == measured.posts
    )


def report_mode(args: argparse.Namespace, title: str, measured: Measured, ratio: str) -> None:
    expected = min(args.hosts, args.followers)
    sink = measured.sink
    cpu = measured.fan_out.cpu + measured.deliver.cpu
    done = max(measured.done, 1)
    print(title)
    print(f"  deliveries      : {sum(measured.states.values())} made, states "
          f"{json.dumps(measured.states)}; {measured.rounds} worker rounds, "
          f"{measured.wall:.2f} s wall")  # fmt: skip
    print(f"  sink POSTs      : {sink['posts']} for {expected} distinct shared inboxes x "
          f"{measured.posts} posts ({sink['inboxes']} inboxes on {sink['hosts']} hosts, at most "
          f"{sink['max_per_inbox']} per inbox, {sink['signed']} signed) on "
          f"{sink['connections']} connections, {sink['new_connections']} of them new")  # fmt: skip
    print(f"  client CPU      : {cpu * 1e3:.1f} ms = fan-out {measured.fan_out.cpu * 1e3:.1f} ms "
          f"+ delivery {measured.deliver.cpu * 1e3:.1f} ms")  # fmt: skip
    print(f"  client CPU/POST : {measured.cpu_per_post * 1e6:7.1f} us   "
          f"({measured.threads.describe(done, 'POST')})")  # fmt: skip
    print(f"  M2 = {ratio}")


def report(args: argparse.Namespace, outcome: Outcome) -> None:
    print(f"M2 fan-out CPU factor: one post to {args.followers} followers on {args.hosts} hosts, "
          f"{args.loop} event loop")  # fmt: skip
    print(f"RSA-2048 sign     : {outcome.sign * 1e6:7.1f} us CPU (in this process, the median of "
          f"the medians of 3 x {args.sign_iterations} timed before, between and after the "
          "posts)")  # fmt: skip
    warm_ratios = outcome.warm_ratios
    warm = statistics.median(warm_ratios)
    report_mode(args, "cold connections (the first post: one new connection per host)",
                outcome.cold, f"{outcome.cold_ratio:.2f}")  # fmt: skip
    each = " ".join(f"{r:.2f}" for r in warm_ratios)
    title = f"warm connections (the next {args.warm_posts} posts, over the kept-alive connections)"
    report_mode(args, title, outcome.warm, f"{warm:.2f}, the median of the posts' {each}")
    warning = "" if outcome.checked else "   CHECK: deliveries and sink POSTs do not match"
    print(f"M2 = CPU per POST / sign: cold {outcome.cold_ratio:.2f}, warm {warm:.2f}   "
          f"(target <= 1.5 on warm connections, floor ~1.26){warning}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=500)
    parser.add_argument("--warm-posts", type=int, default=7)
    parser.add_argument("--sign-iterations", type=int, default=200)
    parser.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop")
    args = parser.parse_args()
    if args.followers < 1 or args.hosts < 1 or args.warm_posts < 1:
        parser.error("--followers, --hosts and --warm-posts must be at least 1")
    factory = uvloop.new_event_loop if args.loop == "uvloop" else None
    try:
        with (
            tempfile.TemporaryDirectory(prefix="fedi-m2-") as directory,
            asyncio.Runner(loop_factory=factory) as runner,
        ):
            outcome = runner.run(run(args, Path(directory)))
    except (KeyboardInterrupt, asyncio.CancelledError):
        raise SystemExit("interrupted; the sink was stopped") from None
    report(args, outcome)


if __name__ == "__main__":
    main()
