"""M4, the timeline cost (performance.md in the design notes): server CPU per page of a timeline,
over the CPU of a bare JSON GET, both measured in this run, on the network's data set
(bench/seed.py: 600 members, 250 groups, 200,000 statuses; the member asking follows 500
accounts). Also M3, the memory factor: the server's resident memory after the run over a bare
worker's. Run by hand:
    .venv/bin/python bench/m4_timeline.py [--data DIR] [--statuses 200000] [--requests 300]
                                          [--rounds 3] [--database-url postgresql://...]

How it works:
  * --data names a data directory made by bench/seed.py (it is seeded there first when it does
    not exist; without --data a temporary one is seeded);
  * bench/_inbox_server.py `bare` runs a Starlette app with one uvicorn worker (httptools,
    uvloop): GET /health answers {"status": "ok"}, the baseline; beside it `fedi serve` itself
    runs on the data directory, workers included;
  * each page is asked for a few times to warm up; then, --rounds times, the bare GET is asked
    10 x --requests times by one client, fedi is let go idle (its start-up work on the seed: closing
    expired polls, deliveries to the seed's unreachable hosts and their retries, is not the
    page's) and the page is asked --requests times by one client (server CPU to the
    nanosecond from /proc/<pid>/task/*/schedstat, latencies as seen by the client): each
    round's ratio compares the two at the same moment, so that a machine slowed by its
    neighbours slows both; the median round is printed. Then the page is asked --requests
    times by 8 clients at once (requests per second, latencies);
  * with --database-url, the instance of --data lives in that PostgreSQL database (moved there
    by `fedi db copy`), and the database server's processes' CPU is counted as fedi's: on
    PostgreSQL the queries' work is done there (bench/_postgres.py);
  * the pages: the heavy member's home timeline (first page, and the page 10 pages down, by
    max_id), notifications, a public group's statuses and its web page, a member's statuses, the
    public timeline.

Reading the output: "CPU/req" is the server's CPU per request; "x bare" divides it by the bare
request's of the same round ("bare us"); p50 and p99 are over all rounds. The targets: home at
200k statuses <= 10x bare with p99 <= 25 ms for one client, notifications and group pages
likewise; M3 = fedi RSS / bare RSS <= 3. Every answer must be 200 ("bad" counts the others) and
a timeline must not be empty.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Run as a script: make the repository importable (fedi, keys).
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from bench._common import ChildProcess, Command, child_env, free_port, running_time  # noqa: E402
from bench._postgres import server_cpu, server_pid  # noqa: E402
from bench.seed import Scale, bench_settings, seed_network  # noqa: E402

BARE_SCRIPT = Path(__file__).resolve().parent / "_inbox_server.py"
FEDI = str(Path(sys.executable).parent / "fedi")
DOMAIN = "bench.test"
WARM_UP = 20


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    token: str | None


@dataclass
class Run:
    cpu_per_request: float
    latencies: list[float]
    seconds: float
    bad: int

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def rss(pid: int) -> int:
    """Resident memory of a process, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


async def fetch(
    session: aiohttp.ClientSession, url: str, token: str | None, must_list: bool
) -> tuple[float, bool]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    started = time.perf_counter()
    async with session.get(url, headers=headers) as response:
        body = await response.read()
        ok = response.status == 200
    took = time.perf_counter() - started
    if ok and must_list:
        # A non-empty list of objects, checked without decoding it: parsing every 60 KB answer
        # here costs this process as much CPU as the server spends, and on a machine of two
        # cores that work evicts the server's caches between its requests.
        ok = body[:2] == b"[{"
    return took, ok


Cpu = Callable[[], float]  # CPU seconds used so far by what is measured


async def measure(cpu_of: Cpu, url: str, token: str | None, requests: int, clients: int) -> Run:
    must_list = "/api/" in url
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        for _ in range(WARM_UP):
            await fetch(session, url, token, must_list)
        latencies: list[float] = []
        bad = 0
        queue = iter(range(requests))

        async def client() -> None:
            nonlocal bad
            for _ in queue:
                took, ok = await fetch(session, url, token, must_list)
                latencies.append(took)
                bad += not ok

        cpu_before = cpu_of()
        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        seconds = time.perf_counter() - started
        cpu = cpu_of() - cpu_before
    return Run(cpu / requests, latencies, seconds, bad)


async def settle(
    cpu_of: Cpu, window: float = 0.5, quiet: float = 0.02, limit: float = 120
) -> float:
    """Wait until the server is idle (under `quiet` of a core over `window` seconds), so that
    its start-up work (closing the seed's expired polls, deliveries to the seed's unreachable
    hosts and their retries) is not counted as the pages' CPU. Returns the seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        before = cpu_of()
        await asyncio.sleep(window)
        if cpu_of() - before < quiet * window:
            break
    return time.perf_counter() - started


async def lookup(base: str, token: str, acct: str) -> str:
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{base}/api/v1/accounts/lookup?acct={acct}",
            headers={"Authorization": f"Bearer {token}"},
        ) as response,
    ):
        return str((await response.json())["id"])


async def deep_home(base: str, token: str, pages: int) -> str:
    """The home timeline's URL `pages` pages down, following max_id as apps do."""
    path = "/api/v1/timelines/home?limit=20"
    async with aiohttp.ClientSession() as session:
        for _ in range(pages):
            async with session.get(
                base + path, headers={"Authorization": f"Bearer {token}"}
            ) as response:
                items = await response.json()
            path = f"/api/v1/timelines/home?limit=20&max_id={items[-1]['id']}"
    return path


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


async def run(data: Path, requests: int, rounds: int, logs: Path, database_url: str | None) -> None:
    tokens: dict[str, str] = json.loads((data / "bench-tokens.json").read_text())
    heavy = tokens["m0000"]
    bare_port, fedi_port = free_port(), free_port()
    bare = ChildProcess(
        BARE_SCRIPT, ["bare", "--port", str(bare_port)], child_env({}), logs / "bare.log"
    )
    bare_url = f"http://127.0.0.1:{bare_port}/health"
    settings = bench_settings(data, DOMAIN)
    # The benchmark's one address would soon be rate limited (300 API requests per 5 minutes):
    # loopback is exempted, so that every request is measured, not answered 429.
    env = child_env(
        {"FEDI_DOMAIN": settings.domain, "FEDI_DATA_DIR": str(data), "FEDI_SCHEME": "http",
         "FEDI_RATE_LIMIT_SAFELIST": "127.0.0.1,::1"}
    )  # fmt: skip
    postgres = None
    if database_url is not None:
        env["FEDI_DATABASE_URL"] = database_url
        postgres = server_pid(database_url)
    server = Command([FEDI, "serve", "--port", str(fedi_port)], env, logs / "fedi.log")

    def fedi_used() -> float:
        return running_time(server.pid) + (0.0 if postgres is None else server_cpu(postgres))

    def bare_used() -> float:
        return running_time(bare.pid)

    base = f"http://127.0.0.1:{fedi_port}"
    try:
        await bare.wait_ready(bare_url)
        await server.wait_ready(f"{base}/health")
        group = await lookup(base, heavy, "g000")
        member = await lookup(base, heavy, "m0001")
        pages = [
            Page("home", "/api/v1/timelines/home?limit=20", heavy),
            Page("home, 10 pages down", await deep_home(base, heavy, 10), heavy),
            Page("notifications", "/api/v1/notifications?limit=20", heavy),
            Page("group statuses", f"/api/v1/accounts/{group}/statuses?limit=20", heavy),
            Page("group page (web)", "/@g000", None),
            Page("member statuses", f"/api/v1/accounts/{member}/statuses?limit=20", heavy),
            Page("public timeline", "/api/v1/timelines/public?limit=20", heavy),
        ]
        waited = await settle(fedi_used)
        print(f"fedi idle after {waited:.1f} s of start-up work (waited for before each page)")
        if postgres is not None:
            print(f"on PostgreSQL: fedi's CPU counts the database server's (pid {postgres})")
        print(f"each page: {rounds} rounds of {requests} requests by one client, each right after"
              f" {requests * 10} bare GETs; the median round's figures")  # fmt: skip
        print(f"{'page':<22}{'bare us':>8}{'CPU/req us':>11}{'x bare':>8}{'p50 ms':>8}"
              f"{'p99 ms':>8}{'8c req/s':>10}{'8c p50':>8}{'8c p99':>8}{'bad':>5}")  # fmt: skip
        for page in pages:
            measured: list[tuple[float, float, float]] = []  # (ratio, bare, page) per round
            latencies: list[float] = []
            bad = 0
            for _ in range(rounds):
                # Ten times as many bare GETs: each costs a tenth of a page.
                baseline = await measure(bare_used, bare_url, None, requests * 10, 1)
                await settle(fedi_used)
                one = await measure(fedi_used, base + page.path, page.token, requests, 1)
                measured.append((one.cpu_per_request / baseline.cpu_per_request,
                                 baseline.cpu_per_request, one.cpu_per_request))  # fmt: skip
                latencies += one.latencies
                bad += one.bad
            eight = await measure(fedi_used, base + page.path, page.token, requests, 8)
            ratio, bare_cpu, page_cpu = sorted(measured)[len(measured) // 2]
            everything = Run(0.0, latencies, 0.0, 0)
            print(
                f"{page.name:<22}{bare_cpu * 1e6:>8.0f}{page_cpu * 1e6:>11.0f}{ratio:>8.1f}"
                f"{ms(statistics.median(latencies))}{ms(everything.percentile(0.99))}"
                f"{requests / eight.seconds:>10.0f}"
                f"{ms(statistics.median(eight.latencies))}{ms(eight.percentile(0.99))}"
                f"{bad + eight.bad:>5}"
            )
        bare_rss, fedi_rss = rss(bare.pid), rss(server.pid)
        alone = "" if postgres is None else " (fedi's process alone, not the database server's)"
        print(f"M3 memory: fedi {fedi_rss / 2**20:.0f} MiB / bare {bare_rss / 2**20:.0f} MiB"
              f" = {fedi_rss / bare_rss:.2f} (target <= 3){alone}")  # fmt: skip
    finally:
        server.stop()
        bare.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, help="a seeded data directory (seeded if missing)")
    parser.add_argument("--statuses", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3, help="bare/page alternations per page")
    parser.add_argument(
        "--database-url",
        help="the PostgreSQL database the instance in --data uses (made by `fedi db copy`);"
        " the database server's CPU is then counted as fedi's (bench/_postgres.py)",
    )
    args = parser.parse_args()
    if args.database_url and not args.data:
        parser.error("--database-url needs --data, the instance's data directory")
    with tempfile.TemporaryDirectory(prefix="fedi-m4-") as scratch:
        data = args.data or Path(scratch) / "data"
        if not data.exists():
            started = time.perf_counter()
            asyncio.run(seed_network(data, DOMAIN, Scale(statuses=args.statuses)))
            print(f"seeded {data} in {time.perf_counter() - started:.0f} s")
        asyncio.run(run(data, args.requests, args.rounds, Path(scratch), args.database_url))


if __name__ == "__main__":
    main()
