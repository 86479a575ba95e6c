"""M1, the inbox CPU factor (performance.md in the design notes): server CPU per accepted signed
~2 KB Create, over the CPU of a bare JSON request plus one RSA-2048 verify, all measured in this
run. Run by hand: .venv/bin/python bench/m1_inbox.py [--requests N] [--concurrency C]

How it works:
  * this process makes one remote actor with an RSA-2048 key, serves its actor document on
    127.0.0.1 as remote.test:<port> (aiohttp), and signs N + warm-up distinct Create activities
    for fedi's shared inbox (draft-cavage, as Mastodon signs) before anything is measured;
  * bench/_inbox_server.py runs in four child processes side by side, on uvloop unless --loop
    asyncio: a bare Starlette endpoint that reads the POST body and answers {"ok": true}; the
    floor, the least a correct inbox can do (bench/_inbox_floor.py: digest, signature with a
    key parsed once, JSON, durable group-committed insert once per id, 202); the same floor
    without uvicorn or ASGI (httptools on the socket); and fedi's own app (workers off) on a
    fresh data directory, with remote.test mapped to 127.0.0.1 in its HttpClient. All but the
    floor without ASGI are one uvicorn worker with httptools, as `fedi serve` runs;
  * each server gets the warm-up requests (fedi fetches and caches the signer's key there), then
    the N measured requests in --rounds rounds: each round's requests go to every server in
    turn (the order turning by one each round), POSTed with aiohttp at a fixed concurrency,
    with RSA-2048 PKCS#1 v1.5 / SHA-256 verify (`cryptography`) timed in this process after the
    first. A server's CPU is the time its threads (the database writer included) ran, read from
    /proc/<pid>/task/*/schedstat before and after each round. This machine's speed drifts by
    half from one second to the next, so each round gives its own M1 from costs measured within
    a few seconds of each other, and M1 is their median.

Reading the output: "CPU/request" is server CPU divided by requests over all rounds ("by
thread" splits it between the event-loop thread and the others: fedi's database writer and
aiosqlite readers, and counts the context switches of all the server's threads; from 10 ms
ticks, so a rough guide); the latencies are seen by the load generator, which shares the
machine's cores with the server, so they include its own queueing. M1 = fedi / (bare + verify),
the median of the rounds; the target is M1 <= 1.6 and p99 <= 20 ms (floor about 1.25, a naive
inbox about 3.2). The floors' own ratios, measured the same way, say how low a Python inbox can
go on this machine, as an ASGI application under uvicorn and on the socket itself; "fedi /
floor" is what fedi's inbox costs beyond the least an ASGI one can. "not 202" must be 0, and the
rows fedi and each floor stored must equal the activities sent (warm-up included).
--production-logging runs the servers with the logging `fedi serve` sets up (INFO, uvicorn
access log), written to a file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import ExitStack
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
    ChildProcess,
    ThreadUsage,
    cancel_on_sigterm,
    child_env,
    free_port,
    rsa_verify_cost,
    running_time,
    thread_usage,
)
from fedi.core.timeutil import utcnow  # noqa: E402
from keys.httpsig import sign_request  # noqa: E402
from keys.keypair import public_pem_of  # noqa: E402

SERVER_SCRIPT = Path(__file__).resolve().parent / "_inbox_server.py"
REMOTE = "remote.test"
LOCAL = "fedi.test"
AS_TYPE = "application/activity+json"
ACTOR_PATH = "/users/bench"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@dataclass(frozen=True)
class Prepared:
    body: bytes
    headers: dict[str, str]


@dataclass
class LoadResult:
    statuses: Counter[int | str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0

    def not_ok(self, status: int) -> int:
        return sum(n for code, n in self.statuses.items() if code != status)

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1]

    def add(self, other: LoadResult) -> None:
        self.statuses.update(other.statuses)
        self.latencies += other.latencies
        self.wall += other.wall


@dataclass(frozen=True)
class Measured:
    cpu_per_request: float
    threads: ThreadUsage
    load: LoadResult


# ---------------------------------------------------------------------------------------------
# The remote actor and its activities


def actor_document(base: str, private_key: rsa.RSAPrivateKey) -> dict[str, Any]:
    uri = f"{base}{ACTOR_PATH}"
    return {
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": uri,
        "type": "Person",
        "preferredUsername": "bench",
        "name": "Bench",
        "inbox": f"{uri}/inbox",
        "outbox": f"{uri}/outbox",
        "followers": f"{uri}/followers",
        "endpoints": {"sharedInbox": f"{base}/inbox"},
        "publicKey": {
            "id": f"{uri}#main-key",
            "owner": uri,
            "publicKeyPem": public_pem_of(private_key),
        },
    }


def create_activity(base: str, n: int, size: int) -> bytes:
    """A Create of a public Note, `size` bytes of JSON (the content is padded to fit)."""
    actor = f"{base}{ACTOR_PATH}"
    published = "2025-01-01T00:00:00Z"
    note = {
        "id": f"{actor}/statuses/{n}",
        "type": "Note",
        "attributedTo": actor,
        "published": published,
        "url": f"{base}/@bench/{n}",
        "to": [PUBLIC],
        "cc": [f"{actor}/followers"],
        "sensitive": False,
        "content": "",
        "tag": [],
    }
    activity = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor}/statuses/{n}/activity",
        "type": "Create",
        "actor": actor,
        "published": published,
        "to": [PUBLIC],
        "cc": [f"{actor}/followers"],
        "object": note,
    }
    words = ("federation", "benchmark", "inbox", "activity", "signature", "delivery")
    bare = len(json.dumps(activity).encode())
    filler = " ".join(words[i % len(words)] for i in range(size))
    note["content"] = f"<p>post {n}: {filler}"[: max(size - bare - 4, 0)] + "</p>"
    return json.dumps(activity).encode()


async def prepare(
    count: int, remote_base: str, inbox_url: str, private_key: rsa.RSAPrivateKey, size: int
) -> list[Prepared]:
    key_id = f"{remote_base}{ACTOR_PATH}#main-key"
    now = utcnow()
    prepared = []
    for n in range(count):
        body = create_activity(remote_base, n, size)
        headers = sign_request(
            "POST", inbox_url, {"Content-Type": AS_TYPE}, body, private_key, key_id, now
        )
        prepared.append(Prepared(body, headers))
        if n % 500 == 499:
            await asyncio.sleep(0)  # let a signal stop the benchmark
    return prepared


async def serve_actor(document: dict[str, Any], port: int) -> web.AppRunner:
    raw = json.dumps(document).encode()
    path = ACTOR_PATH

    async def actor(request: web.Request) -> web.Response:
        return web.Response(body=raw, content_type=AS_TYPE)

    app = web.Application()
    app.router.add_get(path, actor)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


# ---------------------------------------------------------------------------------------------
# Load


async def run_load(port: int, requests: Sequence[Prepared], concurrency: int) -> LoadResult:
    """POST every prepared request once, `concurrency` at a time; stops when the list is done."""
    result = LoadResult()
    url = f"http://127.0.0.1:{port}/inbox"
    pending = iter(requests)
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def worker() -> None:
            for prepared in pending:
                started = time.perf_counter()
                try:
                    # The Host header in `headers` is the signed one (fedi.test:<port>).
                    async with session.post(url, data=prepared.body, headers=prepared.headers) as r:
                        await r.read()
                        result.statuses[r.status] += 1
                except (aiohttp.ClientError, TimeoutError) as exc:
                    result.statuses[type(exc).__name__] += 1
                result.latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result.wall = time.perf_counter() - started
    return result


@dataclass
class Server:
    """One of the two servers, and what its measured rounds added up to."""

    process: ChildProcess
    port: int
    cpu: float = 0.0
    threads: ThreadUsage = field(default_factory=lambda: ThreadUsage(0.0, 0.0, 0, 0))
    load: LoadResult = field(default_factory=LoadResult)
    rounds: list[float] = field(default_factory=list)  # CPU per request, round by round

    async def warm_up(self, requests: Sequence[Prepared], concurrency: int) -> LoadResult:
        await self.process.wait_ready(f"http://127.0.0.1:{self.port}/health")
        return await run_load(self.port, requests, concurrency)

    async def measure(self, requests: Sequence[Prepared], concurrency: int) -> None:
        """One round: these requests; the server's CPU per request over them goes to `rounds`."""
        pid = self.process.pid
        before, threads_before = running_time(pid), thread_usage(pid)
        load = await run_load(self.port, requests, concurrency)
        cpu = running_time(pid) - before
        self.threads = self.threads + (thread_usage(pid) - threads_before)
        self.cpu += cpu
        self.load.add(load)
        self.rounds.append(cpu / len(requests))

    def result(self) -> Measured:
        return Measured(self.cpu / len(self.load.latencies), self.threads, self.load)


async def measure_rounds(
    servers: Sequence[Server],
    measured: Sequence[Prepared],
    args: argparse.Namespace,
    private_key: rsa.RSAPrivateKey,
) -> list[float]:
    """The measured requests in --rounds rounds, each sent to every server in turn (bare, floor,
    fedi), the order turning by one each round, with an RSA verify timed between the first two:
    the machine's speed drifts (the same loop of hashes varies 1.5x from one second to the next
    here), so each round's ratios compare costs measured within a few seconds of each other.
    Returns each round's verify cost; each server keeps its CPU per request round by round."""
    verifies: list[float] = []
    size = -(-len(measured) // args.rounds)
    for number, start in enumerate(range(0, len(measured), size)):
        chunk = measured[start : start + size]
        turn = number % len(servers)
        order = [*servers[turn:], *servers[:turn]]
        await order[0].measure(chunk, args.concurrency)
        verifies.append(rsa_verify_cost(private_key, batches=1, per_batch=args.verify_iterations))
        for server in order[1:]:
            await server.measure(chunk, args.concurrency)
    return verifies


def ratios(server: Server, bare: Server, verifies: list[float]) -> list[float]:
    """The server's M1 round by round: its CPU per request / (the bare one's + a verify)."""
    return [
        cost / (base + verify)
        for cost, base, verify in zip(server.rounds, bare.rounds, verifies, strict=True)
    ]


def stored_rows(database: Path, table: str) -> int:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        return int(row[0])
    finally:
        conn.close()


@dataclass(frozen=True)
class Outcome:
    bare: Measured
    floor: Measured
    raw_floor: Measured
    fedi: Measured
    warmups: list[LoadResult]  # the floors' and fedi's
    rows: int  # stored by fedi
    floor_rows: int  # the fewer of the two floors
    verify: float
    body_size: float
    ratios: list[float]  # fedi's M1 round by round
    floor_ratios: list[float]
    raw_floor_ratios: list[float]


async def run(args: argparse.Namespace, directory: Path) -> Outcome:
    cancel_on_sigterm()
    fedi_port, bare_port, floor_port, raw_port, remote_port = (free_port() for _ in range(5))
    domain = f"{LOCAL}:{fedi_port}"
    remote_base = f"http://{REMOTE}:{remote_port}"
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    actor_host = await serve_actor(actor_document(remote_base, private_key), remote_port)
    common = ["--loop", args.loop] + (["--production-logging"] if args.production_logging else [])
    try:
        everything = await prepare(
            args.warmup + args.requests,
            remote_base,
            f"http://{domain}/inbox",
            private_key,
            args.size,
        )
        warmup, measured = everything[: args.warmup], everything[args.warmup :]
        size = statistics.mean(len(p.body) for p in everything)

        data_dir = directory / "data"
        fedi_env = child_env(
            {
                "FEDI_DOMAIN": domain,
                "FEDI_SCHEME": "http",
                "FEDI_DATA_DIR": str(data_dir),
                "FEDI_ALLOW_PRIVATE_NETWORKS": "true",
                # One remote domain sends every request: the per-domain and per-address inbox
                # limits (3,000 and 6,000 per 5 minutes) would answer most of them 429, which
                # is cheap and would flatter the figure. The limiter's own cost stays measured.
                "FEDI_RATE_LIMIT_INBOX_DOMAIN": "1000000",
                "FEDI_RATE_LIMIT_INBOX_ADDRESS": "1000000",
            }
        )
        fedi_args = ["fedi", "--port", str(fedi_port), *common]
        fedi_args += ["--host-override", f"{REMOTE}=127.0.0.1"]
        bare_args = ["bare", "--port", str(bare_port), *common]
        key_file = directory / "signer.pem"
        key_file.write_text(public_pem_of(private_key))
        floor_database = directory / "floor.sqlite3"
        floor_args = ["floor", "--port", str(floor_port), *common, "--public-key", str(key_file)]
        floor_args += ["--host", domain, "--database", str(floor_database)]
        raw_database = directory / "raw-floor.sqlite3"
        raw_args = ["raw-floor", "--port", str(raw_port), *common, "--public-key", str(key_file)]
        raw_args += ["--host", domain, "--database", str(raw_database)]
        # The servers run side by side, idle but for the round being measured.
        with ExitStack() as stack:
            servers = []
            for argv, env, log, port in (
                (bare_args, child_env({}), "bare.log", bare_port),
                (floor_args, child_env({}), "floor.log", floor_port),
                (raw_args, child_env({}), "raw-floor.log", raw_port),
                (fedi_args, fedi_env, "fedi.log", fedi_port),
            ):
                process = ChildProcess(SERVER_SCRIPT, argv, env, directory / log)
                stack.callback(process.stop)
                servers.append(Server(process, port))
            bare, floor, raw, fedi = servers
            await bare.warm_up(warmup, args.concurrency)
            warmups = [await s.warm_up(warmup, args.concurrency) for s in (floor, raw, fedi)]
            verifies = await measure_rounds(servers, measured, args, private_key)
        rows = stored_rows(data_dir / "fedi.sqlite3", "inbox_activities")
        floor_rows = min(stored_rows(floor_database, "inbox"), stored_rows(raw_database, "inbox"))
    finally:
        await actor_host.cleanup()
    return Outcome(
        bare.result(),
        floor.result(),
        raw.result(),
        fedi.result(),
        warmups,
        rows,
        floor_rows,
        statistics.median(verifies),
        size,
        ratios(fedi, bare, verifies),
        ratios(floor, bare, verifies),
        ratios(raw, bare, verifies),
    )


def report(args: argparse.Namespace, outcome: Outcome) -> None:
    bare, floor, fedi = outcome.bare, outcome.floor, outcome.fedi
    ratio = statistics.median(outcome.ratios)
    floor_ratio = statistics.median(outcome.floor_ratios)
    overall = fedi.cpu_per_request / (bare.cpu_per_request + outcome.verify)
    not_200 = bare.load.not_ok(200)
    not_202 = (
        fedi.load.not_ok(202)
        + floor.load.not_ok(202)
        + outcome.raw_floor.load.not_ok(202)
        + sum(warmup.not_ok(202) for warmup in outcome.warmups)
    )
    sent = args.warmup + args.requests
    logging_mode = "as `fedi serve` (INFO + access log)" if args.production_logging else "off"
    print(
        f"M1 inbox CPU factor: one uvicorn worker (httptools, {args.loop}), logging {logging_mode}"
    )
    print(f"requests          : {args.requests} per server in {len(outcome.ratios)} rounds, after "
          f"{args.warmup} warm-up; concurrency {args.concurrency}; "
          f"body {outcome.body_size:.0f} bytes")  # fmt: skip
    print(f"not 200 (bare)    : {not_200}")
    print(f"not 202 (others)  : {not_202}   (fedi measured: {dict(fedi.load.statuses)}); rows "
          f"stored: fedi {outcome.rows}, floors {outcome.floor_rows}, of {sent}")  # fmt: skip
    for name, result in (
        ("bare JSON endpoint", bare),
        ("floor inbox       ", floor),
        ("floor without ASGI", outcome.raw_floor),
        ("fedi POST /inbox  ", fedi),
    ):
        load = result.load
        print(f"{name}: {result.cpu_per_request * 1e6:7.1f} us server CPU/request   "
              f"p50 {load.percentile(50) * 1e3:6.2f} ms   p99 {load.percentile(99) * 1e3:6.2f} ms"
              f"   {len(load.latencies) / load.wall:7.0f} req/s")  # fmt: skip
        print(f"  by thread       : {result.threads.describe(args.requests, 'request')}")
    print(f"RSA-2048 verify   : {outcome.verify * 1e6:7.1f} us CPU (in this process, median of "
          f"{len(outcome.ratios)} rounds of {args.verify_iterations})")  # fmt: skip
    print(f"rounds            : M1 {' '.join(f'{r:.2f}' for r in outcome.ratios)}; over all "
          f"rounds' sums {overall:.2f}")  # fmt: skip
    print(f"floor rounds      : {' '.join(f'{r:.2f}' for r in outcome.floor_ratios)}")
    print(
        f"floor = floor inbox / (bare + verify) = {floor_ratio:.2f}, the median of the rounds "
        f"({_spread(outcome.floor_ratios)}); fedi / floor = {ratio / floor_ratio:.2f}"
    )
    raw_ratio = statistics.median(outcome.raw_floor_ratios)
    print(f"floor without ASGI / (bare + verify) = {raw_ratio:.2f}, the median of the rounds "
          f"({_spread(outcome.raw_floor_ratios)})")  # fmt: skip
    ok = not_200 == 0 and not_202 == 0 and outcome.rows == sent and outcome.floor_rows == sent
    print(f"M1 = fedi / (bare + verify) = {ratio:.2f}, the median of the rounds "
          f"({_spread(outcome.ratios)})   (target <= 1.6, floor ~1.25, naive ~3.2; "
          f"p99 target <= 20 ms)" + ("" if ok else "   CHECK: failed requests"))  # fmt: skip


def _spread(values: list[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=10_000, help="measured requests")
    parser.add_argument("--warmup", type=int, default=500, help="requests sent before measuring")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--size", type=int, default=2048, help="bytes per activity")
    parser.add_argument("--rounds", type=int, default=10, help="rounds the requests are sent in")
    parser.add_argument("--verify-iterations", type=int, default=2000, help="per round")
    parser.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop")
    parser.add_argument("--production-logging", action="store_true")
    args = parser.parse_args()
    if args.requests < 2 * args.rounds or args.warmup < 1 or args.concurrency < 1:
        parser.error("--requests must be at least twice --rounds, --warmup and --concurrency at "
                     "least 1")  # fmt: skip
    try:
        with (
            tempfile.TemporaryDirectory(prefix="fedi-m1-") as directory,
            asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner,
        ):
            outcome = runner.run(run(args, Path(directory)))
    except (KeyboardInterrupt, asyncio.CancelledError):
        raise SystemExit("interrupted; the servers were stopped") from None
    report(args, outcome)


if __name__ == "__main__":
    main()
