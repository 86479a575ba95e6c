"""The environment of a `fedi` process a test starts (tests/cli, tests/e2e): none of the test
run's own FEDI_* settings, only the test's; and, when the session runs on PostgreSQL, the URL
of the database of the data directory it names, the same one an instance opened in process on
that directory uses (tests/testrig/postgres.py)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from tests.testrig import postgres


def fedi_environment(env: Mapping[str, str]) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FEDI_")}
    chosen = clean | dict(env)
    databases = postgres.in_session
    if databases is None or "FEDI_DATABASE_URL" in chosen or "FEDI_DATA_DIR" not in chosen:
        return chosen
    data_dir = Path(chosen["FEDI_DATA_DIR"]).expanduser().absolute()
    try:
        url = databases.target(data_dir)
    except OSError:
        # A data directory that cannot be made: the process refuses it before it opens any
        # database, as it does on SQLite.
        url = databases.unused()
    return chosen | {"FEDI_DATABASE_URL": url}


def wait_until(
    check: Callable[[], bool],
    timeout: float = 90,
    every: float = 0.05,
    state: Callable[[], object] = lambda: "",
) -> None:
    """Until check() is true; the processes a test starts share the machine with whatever else
    runs (the suite runs in parallel), hence the long patience: a failure is a hang, not a
    slow machine, and says `state()`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(every)
    raise AssertionError(f"the processes did not get there in time {state()}")
