"""PostgreSQL for the test suite: with FEDI_TEST_DATABASE=postgresql, one throwaway cluster for
the whole session, started from the PostgreSQL binaries found on this machine (or, with
FEDI_TEST_DATABASE=postgresql://..., a server one may create databases on); every instance a
test opens gets a database of its own, copied from a migrated template, dropped after the test.

An instance is known by its data directory, where a file names its database: opened again, it
finds its rows; a data directory copied (the seeded networks of tests/unit/db) has a copy of
the database it was copied from. The `fedi` processes a test starts find the same database
(tests/testrig/processes.py).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from fedi.db.pg_migrate import apply_pg_migrations
from fedi.db.postgres import PgConnection

ENV = "FEDI_TEST_DATABASE"
TEMPLATE = "fedi_template"
MARKER = "test-database.txt"


def wanted() -> str | None:
    """ "postgresql", a server's URL, or None for SQLite (the default)."""
    value = os.environ.get(ENV, "").strip()
    return value if value.startswith("postgresql") else None


def bindir() -> Path:
    """Where initdb and pg_ctl are: pg_config's answer, else Debian's newest, else the PATH."""
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if found.returncode == 0 and (Path(found.stdout.strip()) / "initdb").exists():
            return Path(found.stdout.strip())
    debian = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    if debian:
        return Path(debian[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError(f"{ENV}=postgresql: no PostgreSQL binaries (initdb, pg_ctl) found")


class Cluster:
    """A cluster in a temporary directory, listening on a Unix socket there only."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="fedi-pg-"))
        self.bin = bindir()
        # initdb refuses to run as root: then the cluster belongs to postgres (or nobody).
        self.user: str | None = None
        if os.geteuid() == 0:
            self.user = "postgres" if _user_exists("postgres") else "nobody"
            account = pwd.getpwnam(self.user)
            os.chown(self.base, account.pw_uid, account.pw_gid)
        self.data = self.base / "data"
        self.url = f"postgresql://postgres@/postgres?host={self.base}&port=5432"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, cwd=self.base)

    def start(self) -> None:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A",
                  "trust", "-E", "UTF8", "--locale=C", "--no-sync")  # fmt: skip
        options = (
            f"-k {self.base} -p 5432 -c listen_addresses='' -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-w",
                  "-l", str(self.base / "log"), "start")  # fmt: skip

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class Databases:
    """Databases made for tests on one server, each a copy of the migrated template.

    Copies of the template are made ahead, and databases dropped, by a thread of their own
    (`_Maker`): a copy takes PostgreSQL a few hundred milliseconds, which the tests would
    otherwise wait for twice each."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self._admin = psycopg.connect(admin_url, autocommit=True)
        self._numbers = itertools.count(1)
        self._prefix = f"fedi_test_{os.getpid()}_"
        self._made_in_test: list[str] | None = None
        self._admin.execute(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
        self._admin.execute(f"CREATE DATABASE {TEMPLATE}")
        migrating = PgConnection.connect(self.url_of(TEMPLATE))
        try:
            apply_pg_migrations(migrating)
        finally:
            migrating.close()
        self._maker = _Maker(admin_url, self._new_name)
        self._maker.start()

    def _new_name(self) -> str:
        return f"{self._prefix}{next(self._numbers)}"

    def url_of(self, name: str) -> str:
        parts = urlsplit(self.admin_url)
        return urlunsplit(parts._replace(path=f"/{name}"))

    def create(self, template: str = TEMPLATE) -> str:
        if template == TEMPLATE:
            return self.url_of(self._maker.take())
        name = self._new_name()
        self._admin.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        return self.url_of(name)

    def target(self, data_dir: Path) -> str:
        """The database of the instance in data_dir, made now if it has none yet."""
        marker = data_dir / MARKER
        known = marker.read_text().split() if marker.exists() else []
        if known and known[0] == str(data_dir):
            return self.url_of(known[1])
        # A new instance, or a copy of another one's directory: a new database, or its copy.
        url = self.create(known[1] if known else TEMPLATE)
        self._record(url)
        data_dir.mkdir(parents=True, exist_ok=True)
        marker.write_text(f"{data_dir} {urlsplit(url).path.lstrip('/')}")
        return url

    def unused(self) -> str:
        """A database of its own for an instance that will never open it (its data directory
        cannot be used), made like target's."""
        url = self.create()
        self._record(url)
        return url

    def _record(self, url: str) -> None:
        if self._made_in_test is not None:
            self._made_in_test.append(url)

    @contextmanager
    def dropped_after_test(self) -> Iterator[None]:
        """The databases made while the test runs are dropped after it (those made outside
        every test, by fixtures the tests share, last as long as the session)."""
        made: list[str] = []
        self._made_in_test = made
        try:
            yield
        finally:
            self._made_in_test = None
            for url in made:
                self.drop(url)

    def drop(self, url: str) -> None:
        """Dropped soon, by the maker's thread (its connections are ended then)."""
        self._maker.doom(urlsplit(url).path.lstrip("/"))

    def close(self) -> None:
        self._maker.stop()
        self._admin.execute(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
        self._admin.close()


class _Maker(threading.Thread):
    """Keeps SPARES copies of the template ready and drops the databases it is given, on a
    connection of its own; stopped, it drops what it made and was given."""

    SPARES = 2

    def __init__(self, admin_url: str, new_name: Callable[[], str]) -> None:
        super().__init__(name="test-databases", daemon=True)
        self._admin_url = admin_url
        self._new_name = new_name
        self._changed = threading.Condition()
        self._ready: deque[str] = deque()
        self._doomed: deque[str] = deque()
        self._stopping = False
        self._failure: BaseException | None = None

    def take(self) -> str:
        with self._changed:
            while not self._ready:
                if self._failure is not None or not self.is_alive():
                    raise RuntimeError("the test databases' thread stopped") from self._failure
                self._changed.wait(1.0)
            name = self._ready.popleft()
            self._changed.notify_all()
            return name

    def doom(self, name: str) -> None:
        with self._changed:
            self._doomed.append(name)
            self._changed.notify_all()

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._doomed.extend(self._ready)
            self._ready.clear()
            self._changed.notify_all()
        self.join()

    def run(self) -> None:
        try:
            with psycopg.connect(self._admin_url, autocommit=True) as admin:
                while (statement := self._next()) is not None:
                    made, sql = statement
                    admin.execute(sql)
                    if made is not None:
                        with self._changed:
                            self._ready.append(made)
                            self._changed.notify_all()
        except BaseException as failure:  # reported to the test waiting for a database
            with self._changed:
                self._failure = failure
                self._changed.notify_all()

    def _next(self) -> tuple[str | None, str] | None:
        """The next statement (with the database it makes), None once stopped and done; a
        missing spare comes before a drop, as a test may be waiting for it."""
        with self._changed:
            while True:
                if not self._stopping and len(self._ready) < self.SPARES:
                    name = self._new_name()
                    return name, f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}"
                if self._doomed:
                    doomed = self._doomed.popleft()
                    return None, f"DROP DATABASE IF EXISTS {doomed} WITH (FORCE)"
                if self._stopping:
                    return None
                self._changed.wait()


# The session's databases while it runs on PostgreSQL (set by tests/conftest.py), for the
# processes tests start.
in_session: Databases | None = None


@contextmanager
def empty_database(server_url: str) -> Iterator[str]:
    """A new empty database on the server (whoever opens it first migrates it), dropped after;
    for the tests that start fedi in processes of their own."""
    name = f"fedi_e2e_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
