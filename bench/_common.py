"""Helpers shared by the M1 and M2 benchmarks: CPU read from /proc, child processes that are
always stopped, and the in-process RSA-2048 reference costs."""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

CLOCK_TICK = os.sysconf("SC_CLK_TCK")
PR_SET_PDEATHSIG = 1
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
# A draft-cavage signing string of the size fedi signs and verifies.
SIGNING_STRING = (
    b"(request-target): post /inbox\nhost: fedi.test:8000\n"
    b"date: Wed, 01 Jan 2025 00:00:00 GMT\ndigest: SHA-256=" + b"A" * 44
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def child_env(extra: dict[str, str]) -> dict[str, str]:
    """This environment without any FEDI_* variable (load_settings refuses unknown ones)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEDI_")}
    env.update(extra)
    return env


def _cpu_fields(stat: str) -> float:
    # The command name (field 2) may hold spaces; utime and stime (fields 14 and 15) are the
    # 12th and 13th after it.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICK


def process_cpu(pid: int) -> float:
    """utime + stime of a whole process (every thread, live or ended), in seconds."""
    return _cpu_fields(Path(f"/proc/{pid}/stat").read_text())


def running_time(pid: int) -> float:
    """Seconds the live threads of a process have run on a CPU, to the nanosecond
    (/proc/<pid>/task/*/schedstat): for measures of a fraction of a second, where utime and
    stime's 10 ms ticks would be too coarse. A thread that ended is not counted."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            continue  # the thread ended between listing and reading
    return total / 1e9


@dataclass(frozen=True)
class ThreadUsage:
    """CPU seconds of a process's main (event-loop) thread and of all its other threads, and the
    context switches of all its threads, as counted in /proc/<pid>/task."""

    main: float
    others: float
    threads: int
    switches: int

    def __sub__(self, before: ThreadUsage) -> ThreadUsage:
        return ThreadUsage(
            self.main - before.main,
            self.others - before.others,
            max(self.threads, before.threads),
            self.switches - before.switches,
        )

    def __add__(self, other: ThreadUsage) -> ThreadUsage:
        return ThreadUsage(
            self.main + other.main,
            self.others + other.others,
            max(self.threads, other.threads),
            self.switches + other.switches,
        )

    def describe(self, count: int, unit: str) -> str:
        per = 1e6 / count
        return (
            f"main thread {self.main * per:6.1f} us, {self.threads - 1} other threads "
            f"{self.others * per:6.1f} us; {self.switches / count:.1f} context switches/{unit}"
        )


def thread_usage(pid: int) -> ThreadUsage:
    """Per-thread CPU of a live process; a thread that ended meanwhile is not counted."""
    main = others = 0.0
    threads = switches = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            cpu = _cpu_fields((task / "stat").read_text())
            status = (task / "status").read_text()
        except FileNotFoundError:
            continue  # the thread ended between listing and reading
        if task.name == str(pid):
            main += cpu
        else:
            others += cpu
        threads += 1
        switches += sum(
            int(line.split()[1]) for line in status.splitlines() if "ctxt_switches" in line
        )
    return ThreadUsage(main, others, threads, switches)


def median_cost(operation: Callable[[], object], batches: int, per_batch: int) -> float:
    """CPU seconds of one call, the median over batches (time.process_time)."""
    costs = []
    for _ in range(batches):
        started = time.process_time()
        for _ in range(per_batch):
            operation()
        costs.append((time.process_time() - started) / per_batch)
    return statistics.median(costs)


def rsa_verify_cost(private_key: rsa.RSAPrivateKey, batches: int, per_batch: int) -> float:
    """One RSA-2048 PKCS#1 v1.5 / SHA-256 verify with an already parsed key."""
    public_key = private_key.public_key()
    signature = private_key.sign(SIGNING_STRING, padding.PKCS1v15(), hashes.SHA256())
    return median_cost(
        lambda: public_key.verify(signature, SIGNING_STRING, padding.PKCS1v15(), hashes.SHA256()),
        batches,
        per_batch,
    )


def rsa_sign_cost(private_key: rsa.RSAPrivateKey, batches: int, per_batch: int) -> float:
    """One RSA-2048 PKCS#1 v1.5 / SHA-256 signature with an already parsed key."""
    return median_cost(
        lambda: private_key.sign(SIGNING_STRING, padding.PKCS1v15(), hashes.SHA256()),
        batches,
        per_batch,
    )


def cancel_on_sigterm() -> None:
    """Make SIGTERM cancel the running main task, as asyncio.Runner makes SIGINT do, so that
    the `finally` blocks stopping the children run."""
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)


def die_with_parent(parent: int) -> None:
    """Called first thing in a child script: get SIGTERM if the benchmark dies without stopping
    it (killed with SIGKILL, say), or exit now if it already has."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:
        raise SystemExit("the benchmark that started this process is gone")


class _Child:
    """A child process of the benchmark, its output going to a log file; stop() sends
    `stop_signal`, then SIGKILL after STOP_TIMEOUT (use it in a `finally`)."""

    def __init__(
        self, argv: list[str], name: str, env: dict[str, str], log: Path, stop_signal: int
    ) -> None:
        self.log_path = log
        self.name = name
        self._stop_signal = stop_signal
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            argv, env=env, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    async def wait_ready(self, url: str) -> None:
        """Until GET url answers 200; RuntimeError with the log's end if it never does."""
        deadline = time.monotonic() + READY_TIMEOUT
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    async with session.get(url) as response:
                        if response.status == 200:
                            return
                except (aiohttp.ClientError, TimeoutError):
                    pass
                await asyncio.sleep(0.05)
        tail = self.log_path.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{self.name} did not start:\n{tail}")

    def stop(self) -> int:
        """Stop the child and return its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(self._stop_signal)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        return self.process.returncode


class ChildProcess(_Child):
    """A benchmark helper script in a child process, stopped with SIGTERM. Should the benchmark
    be killed outright, the kernel sends the child SIGTERM (die_with_parent, given --parent)."""

    def __init__(self, script: Path, args: list[str], env: dict[str, str], log: Path) -> None:
        argv = [sys.executable, str(script), *args, "--parent", str(os.getpid())]
        super().__init__(argv, f"{script.name} {' '.join(args)}", env, log, signal.SIGTERM)


class Command(_Child):
    """A command (not a helper script) in a child process, as an operator starts it. The child
    gets SIGTERM should the benchmark die without stopping it; stop() sends SIGINT, as Ctrl+C
    would."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        argv = [sys.executable, "-c", _EXEC_DYING_WITH_PARENT, *args]
        super().__init__(argv, " ".join(args), env, log, signal.SIGINT)


# Asks the kernel for SIGTERM when the benchmark dies, then becomes the command (same process:
# the parent-death signal survives exec). Not a preexec_fn: the benchmark has threads by then.
_EXEC_DYING_WITH_PARENT = (
    "import ctypes, os, signal, sys; "
    f"ctypes.CDLL(None, use_errno=True).prctl({PR_SET_PDEATHSIG}, signal.SIGTERM); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)
