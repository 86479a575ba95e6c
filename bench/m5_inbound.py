"""M5, inbound throughput end to end (performance.md in the design notes): signed Creates from
several remote actors POSTed to a server started as `fedi serve` starts it, timed until every
post is stored; server CPU per activity over the CPU of one RSA-2048 verify, both measured in
this run. Run by hand:
    .venv/bin/python bench/m5_inbound.py [--activities 10000] [--actors 8] [--hosts 4]
                                         [--workers N] [--database-url postgresql://...]

How it works:
  * this process makes one RSA-2048 key per remote actor (once, before anything is measured) and
    serves the actors' documents with aiohttp on 127.0.0.2, 127.0.0.3 ... (one address per
    remote host, the same port on each), so that fedi fetches each key from its own host;
  * a fresh data directory gets a member, alice (`fedi user add`), and then `fedi serve` runs
    on it in a child process: one process, its workers running (or, with --workers N, N
    `fedi worker` processes beside it, whose CPU is counted too), INFO logging (to a file), on
    127.0.0.1 with FEDI_ALLOW_PRIVATE_NETWORKS (the remote hosts are loopback addresses) and
    inbox rate limits raised out of the way (the limiter's own cost stays measured);
  * every Create (a public Note of about --size bytes mentioning alice, so that it concerns
    someone here) is signed beforehand (draft-cavage, as Mastodon signs), actors taking turns;
  * warm-up: --warmup activities, spread over the actors (their keys get fetched), until their
    posts are stored; then the N measured ones are POSTed to the shared inbox at a fixed
    concurrency while the database is polled (read-only queries, from this process) until
    every post is stored. Server CPU is utime + stime of the server process (all its threads)
    from the first POST to that moment, read from /proc/<pid>/stat;
  * with --database-url (an empty PostgreSQL database on this machine), the instance lives
    there, the polling reads it, and the database server's processes' CPU over the same span
    is added to the server's (bench/_postgres.py);
  * RSA-2048 PKCS#1 v1.5 / SHA-256 verify is timed in this process with `cryptography`, just
    before the burst and just after it (the machine's speed drifts), and the two averaged.

Reading the output: "accepted" is the POST phase as the senders saw it (202s, their rate and
latencies); "stored" is from the first POST until the last post is in the statuses table, and
gives activities/s end to end; "drained" is how long the queue took to empty after the last
202. With the default 10,000 activities, "stored" is how long a burst of 10,000 takes to drain.
CPU/verify is server CPU per activity over one RSA verify; the target is <= 10. "not 202" must
be 0, and every inbox row must end `done`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Run as a script: make the repository importable (fedi, keys).
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import uvloop  # noqa: E402
from aiohttp import web  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402

from bench._common import (  # noqa: E402
    Command,
    ThreadUsage,
    cancel_on_sigterm,
    child_env,
    free_port,
    process_cpu,
    rsa_verify_cost,
    thread_usage,
)
from bench._postgres import count, server_cpu, server_pid  # noqa: E402
from fedi.core.timeutil import to_ap, utcnow  # noqa: E402
from keys.httpsig import sign_request  # noqa: E402
from keys.keypair import public_pem_of  # noqa: E402

FEDI = str(Path(sys.executable).parent / "fedi")
AS_TYPE = "application/activity+json"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
MEMBER = "alice"
POLL_SECONDS = 0.02
WORDS = ("federation", "benchmark", "inbox", "activity", "signature", "delivery")


@dataclass(frozen=True)
class Actor:
    base: str  # http://127.0.0.N:port
    name: str
    key: rsa.RSAPrivateKey

    @property
    def uri(self) -> str:
        return f"{self.base}/users/{self.name}"

    @property
    def key_id(self) -> str:
        return f"{self.uri}#main-key"

    def document(self) -> dict[str, Any]:
        return {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": self.uri,
            "type": "Person",
            "preferredUsername": self.name,
            "name": self.name.title(),
            "inbox": f"{self.uri}/inbox",
            "outbox": f"{self.uri}/outbox",
            "followers": f"{self.uri}/followers",
            "endpoints": {"sharedInbox": f"{self.base}/inbox"},
            "publicKey": {
                "id": self.key_id,
                "owner": self.uri,
                "publicKeyPem": public_pem_of(self.key),
            },
        }


@dataclass(frozen=True)
class Prepared:
    body: bytes
    headers: dict[str, str]


@dataclass
class LoadResult:
    statuses: Counter[int | str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    last_answer: float = 0.0

    def not_ok(self, status: int) -> int:
        return sum(n for code, n in self.statuses.items() if code != status)

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1]


# ---------------------------------------------------------------------------------------------
# The remote actors and their activities


def make_actors(count: int, hosts: int, port: int) -> list[Actor]:
    return [
        Actor(
            f"http://127.0.0.{2 + i % hosts}:{port}",
            f"sender{i}",
            rsa.generate_private_key(public_exponent=65537, key_size=2048),
        )
        for i in range(count)
    ]


def create_activity(actor: Actor, n: int, size: int, member: str, published: str) -> bytes:
    """A Create of a public Note mentioning the member, `size` bytes of JSON."""
    note = {
        "id": f"{actor.uri}/statuses/{n}",
        "type": "Note",
        "attributedTo": actor.uri,
        "published": published,
        "url": f"{actor.base}/@{actor.name}/{n}",
        "to": [PUBLIC],
        "cc": [f"{actor.uri}/followers", member],
        "sensitive": False,
        "content": "",
        "tag": [{"type": "Mention", "href": member, "name": f"@{MEMBER}"}],
    }
    activity = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor.uri}/statuses/{n}/activity",
        "type": "Create",
        "actor": actor.uri,
        "published": published,
        "to": [PUBLIC],
        "cc": [f"{actor.uri}/followers", member],
        "object": note,
    }
    bare = len(json.dumps(activity).encode())
    filler = " ".join(WORDS[i % len(WORDS)] for i in range(size))
    note["content"] = f"<p>post {n}: {filler}"[: max(size - bare - 4, 0)] + "</p>"
    return json.dumps(activity).encode()


async def prepare(
    actors: Sequence[Actor], first: int, count: int, inbox_url: str, member: str, size: int
) -> list[Prepared]:
    now = utcnow()
    published = to_ap(now)  # new posts, as a burst of live traffic brings
    prepared = []
    for n in range(first, first + count):
        actor = actors[n % len(actors)]
        body = create_activity(actor, n, size, member, published)
        headers = sign_request(
            "POST", inbox_url, {"Content-Type": AS_TYPE}, body, actor.key, actor.key_id, now
        )
        prepared.append(Prepared(body, headers))
        if n % 500 == 499:
            await asyncio.sleep(0)  # let a signal stop the benchmark
    return prepared


async def serve_actors(actors: Sequence[Actor], hosts: int, port: int) -> web.AppRunner:
    documents = {(a.base.split("//")[1], f"/users/{a.name}"): json.dumps(a.document()).encode()
                 for a in actors}  # fmt: skip

    async def actor(request: web.Request) -> web.Response:
        raw = documents.get((request.host, request.path))
        if raw is None:
            return web.Response(status=404)
        return web.Response(body=raw, content_type=AS_TYPE)

    app = web.Application()
    app.router.add_get("/users/{name}", actor)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    for i in range(hosts):
        await web.TCPSite(runner, f"127.0.0.{2 + i}", port).start()
    return runner


# ---------------------------------------------------------------------------------------------
# Load and progress


async def post_all(url: str, requests: Sequence[Prepared], concurrency: int) -> LoadResult:
    """POST every prepared request once, `concurrency` at a time."""
    result = LoadResult()
    pending = iter(requests)
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def worker() -> None:
            for prepared in pending:
                started = time.perf_counter()
                try:
                    async with session.post(url, data=prepared.body, headers=prepared.headers) as r:
                        await r.read()
                        result.statuses[r.status] += 1
                except (aiohttp.ClientError, TimeoutError) as exc:
                    result.statuses[type(exc).__name__] += 1
                result.latencies.append(time.perf_counter() - started)
                result.last_answer = time.perf_counter()

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return result


class Store:
    """The instance's database, read from this process: the SQLite file (read-only), or the
    PostgreSQL database of --database-url."""

    def __init__(self, sqlite_file: Path, url: str | None) -> None:
        self.sqlite_file, self.url = sqlite_file, url

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        if self.url is not None:
            return count(self.url, sql)
        conn = sqlite3.connect(f"file:{self.sqlite_file}?mode=ro", uri=True, timeout=5)
        try:
            return list(conn.execute(sql).fetchall())
        finally:
            conn.close()

    def stored_posts(self) -> int:
        return int(str(self.rows("SELECT count(*) FROM statuses WHERE is_local = 0")[0][0]))

    def stored(self, count: int) -> bool:
        """Whether `count` remote posts are stored, once every POST has been answered. On
        PostgreSQL the question is put to the server, whose CPU is measured: there it is
        whether no received activity waits any more (an activity leaves `pending` in the
        transaction that stores its post; read through an index), where counting the posts
        would cost the server more than the posts do."""
        if self.url is None:
            return self.stored_posts() >= count
        rows = self.rows("SELECT count(*) FROM inbox_activities WHERE state = 'pending'")
        return int(str(rows[0][0])) == 0

    def inbox_states(self) -> dict[str, int]:
        rows = self.rows("SELECT state, count(*) FROM inbox_activities GROUP BY state")
        return {str(state): int(str(n)) for state, n in rows}


async def wait_stored(
    store: Store, count: int, within: float, answered: asyncio.Event | None = None
) -> float:
    """perf_counter() once `count` remote posts are stored (looked for once `answered` is set,
    if given); TimeoutError after `within` s."""
    deadline = time.perf_counter() + within
    while time.perf_counter() < deadline:
        if (answered is None or answered.is_set()) and await asyncio.to_thread(store.stored, count):
            return time.perf_counter()
        await asyncio.sleep(POLL_SECONDS)
    raise TimeoutError(f"fewer than {count} posts stored after {within:.0f} s")


# ---------------------------------------------------------------------------------------------
# The run


@dataclass(frozen=True)
class Outcome:
    load: LoadResult
    started: float
    done: float
    cpu: float
    database_cpu: float  # of it, the PostgreSQL server's (0 on SQLite)
    threads: ThreadUsage
    states: dict[str, int]
    stored: int
    verify: float
    body_size: float


def fedi_command(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [FEDI, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"fedi {' '.join(args)} failed: {result.stderr.strip()}")


async def run(args: argparse.Namespace, directory: Path) -> Outcome:
    cancel_on_sigterm()
    port, remote_port = free_port(), free_port()
    domain = f"127.0.0.1:{port}"
    actors = make_actors(args.actors, args.hosts, remote_port)
    member = f"http://{domain}/users/{MEMBER}"
    inbox = f"http://{domain}/inbox"
    env = child_env(
        {
            "FEDI_DOMAIN": domain,
            "FEDI_SCHEME": "http",
            "FEDI_DATA_DIR": str(directory / "data"),
            "FEDI_ALLOW_PRIVATE_NETWORKS": "true",
            # A burst from a few domains and one address: the per-domain and per-address inbox
            # limits (3,000 and 6,000 per 5 minutes) would refuse most of it.
            "FEDI_RATE_LIMIT_INBOX_DOMAIN": "1000000",
            "FEDI_RATE_LIMIT_INBOX_ADDRESS": "1000000",
        }
    )
    if args.database_url is not None:
        env["FEDI_DATABASE_URL"] = args.database_url
    await asyncio.to_thread(
        fedi_command, env, "user", "add", MEMBER, f"--password=p{secrets.token_urlsafe(12)}"
    )
    warmup = await prepare(actors, 0, args.warmup, inbox, member, args.size)
    measured = await prepare(actors, args.warmup, args.activities, inbox, member, args.size)
    size = statistics.mean(len(p.body) for p in measured)
    store = Store(directory / "data" / "fedi.sqlite3", args.database_url)
    postgres = None if args.database_url is None else server_pid(args.database_url)
    remotes = await serve_actors(actors, args.hosts, remote_port)
    if args.workers:
        env["FEDI_WORKERS"] = "separate"
    server = Command([FEDI, "serve", "--port", str(port)], env, directory / "fedi.log")
    workers = [
        Command([FEDI, "worker"], env, directory / f"worker-{n}.log") for n in range(args.workers)
    ]
    processes = [server, *workers]
    try:
        await server.wait_ready(f"http://{domain}/health")
        warm = await post_all(inbox, warmup, args.concurrency)
        if warm.not_ok(202):
            raise RuntimeError(f"warm-up answered {dict(warm.statuses)}")
        await wait_stored(store, args.warmup, args.timeout)

        def database_used() -> float:
            return 0.0 if postgres is None else server_cpu(postgres)

        def used() -> float:
            return sum(process_cpu(p.pid) for p in processes) + database_used()

        verify_before = rsa_verify_cost(actors[0].key, batches=5, per_batch=args.verify_iterations)
        cpu_before, database_before = used(), database_used()
        threads_before = thread_usage(server.pid)
        started = time.perf_counter()
        answered = asyncio.Event()
        waiting = asyncio.create_task(
            wait_stored(store, args.warmup + args.activities, args.timeout, answered)
        )
        load = await post_all(inbox, measured, args.concurrency)
        answered.set()
        done = await waiting
        cpu, database = used() - cpu_before, database_used() - database_before
        threads = thread_usage(server.pid) - threads_before
    finally:
        for process in processes:
            process.stop()
        await remotes.cleanup()
    states, stored = store.inbox_states(), store.stored_posts()
    # Timed just before the burst and just after it (this machine's speed drifts), then averaged.
    verify_after = rsa_verify_cost(actors[0].key, batches=5, per_batch=args.verify_iterations)
    verify = (verify_before + verify_after) / 2
    return Outcome(load, started, done, cpu, database, threads, states, stored, verify, size)


def report(args: argparse.Namespace, outcome: Outcome) -> None:
    n, load = args.activities, outcome.load
    elapsed = outcome.done - outcome.started
    accepting = load.last_answer - outcome.started
    per_activity = outcome.cpu / n
    ratio = per_activity / outcome.verify
    sent = args.warmup + n
    processes = (f"`fedi serve` and {args.workers} `fedi worker` (workers = separate)"
                 if args.workers else "`fedi serve` (workers in-process)")  # fmt: skip
    if args.database_url:
        processes += " on PostgreSQL (its server's CPU counted)"
    print(f"M5 inbound end to end: {processes}, INFO logging to files; "
          f"{args.actors} actors on {args.hosts} hosts")  # fmt: skip
    print(f"activities   : {n} Creates of {outcome.body_size:.0f} bytes, concurrency "
          f"{args.concurrency}, after {args.warmup} warm-up")  # fmt: skip
    print(f"accepted     : {load.statuses[202]} x 202 in {accepting:6.2f} s "
          f"({n / accepting:6.0f}/s; p50 {load.percentile(50) * 1e3:.1f} ms, "
          f"p99 {load.percentile(99) * 1e3:.1f} ms); not 202: {load.not_ok(202)}")  # fmt: skip
    print(f"stored       : all {n} after {elapsed:6.2f} s from the first POST: "
          f"{n / elapsed:6.0f} activities/s end to end")  # fmt: skip
    print(f"drained      : the queue emptied {outcome.done - load.last_answer:6.2f} s after the "
          f"last 202")  # fmt: skip
    web = "web process: " if args.workers else ""
    print(f"server CPU   : {per_activity * 1e6:7.1f} us per activity, every process "
          f"({web}{outcome.threads.describe(n, 'activity')})")  # fmt: skip
    if args.database_url:
        print(f"  of which the PostgreSQL server: {outcome.database_cpu / n * 1e6:7.1f} us per "
              "activity (this benchmark's polling included)")  # fmt: skip
    print(f"RSA-2048 verify: {outcome.verify * 1e6:5.1f} us CPU (in this process, the mean of the "
          f"medians of 5 x {args.verify_iterations} before and after the burst)")  # fmt: skip
    ok = load.not_ok(202) == 0 and outcome.states == {"done": sent} and outcome.stored == sent
    print(f"inbox rows   : {outcome.states}; posts stored {outcome.stored} of {sent}"
          + ("" if ok else "   CHECK: not every activity was processed"))  # fmt: skip
    print(f"M5 = CPU per activity / RSA verify = {ratio:.1f}   (target <= 10)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--activities", type=int, default=10_000, help="measured Creates")
    parser.add_argument("--warmup", type=int, default=200, help="Creates sent before measuring")
    parser.add_argument("--actors", type=int, default=8)
    parser.add_argument("--hosts", type=int, default=4, help="remote hosts (at most 200)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--size", type=int, default=2048, help="bytes per activity")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for posts")
    parser.add_argument("--verify-iterations", type=int, default=4000)
    parser.add_argument(
        "--workers", type=int, default=0, help="`fedi worker` processes (0: in-process)"
    )
    parser.add_argument(
        "--database-url",
        help="an empty PostgreSQL database for the instance; the database server's CPU is then"
        " counted as the server's (bench/_postgres.py)",
    )
    args = parser.parse_args()
    if args.activities < 2 or args.actors < 1 or args.concurrency < 1:
        parser.error("--activities must be at least 2, --actors and --concurrency at least 1")
    if not 1 <= args.hosts <= min(args.actors, 200) or args.warmup < args.actors:
        parser.error("--hosts must be 1..min(actors, 200), and --warmup at least --actors")
    try:
        with (
            tempfile.TemporaryDirectory(prefix="fedi-m5-") as directory,
            asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner,
        ):
            outcome = runner.run(run(args, Path(directory)))
    except (KeyboardInterrupt, asyncio.CancelledError):
        raise SystemExit("interrupted; the server was stopped") from None
    report(args, outcome)


if __name__ == "__main__":
    main()
