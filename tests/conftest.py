"""Shared fixtures: an instance on its own SQLite file in a temporary directory (or, with
FEDI_TEST_DATABASE=postgresql, its own PostgreSQL database: tests/testrig/postgres.py), and an
HTTP client speaking to its ASGI application in process."""

from __future__ import annotations

import shutil
import ssl
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import httpx._config as httpx_config
import httpx._transports as httpx_transports
import pytest

from fedi.app import create_app
from fedi.context import Context, open_context
from fedi.core.config import Settings, load_settings
from fedi.db import connect as connect_sqlite
from fedi.db.migrate import apply_migrations
from tests.testrig import postgres
from tests.testrig.keys import next_keypair

DOMAIN = "fedi.test"
BASE = f"https://{DOMAIN}"


@pytest.fixture(autouse=True)
def fast_keys_and_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process tests take keys from a pre-generated pool and hash passwords with a cheap
    scrypt cost; subprocess tests (cli/, e2e/) keep the production costs."""
    for module in (
        "fedi.accounts.members",
        "fedi.context",
        "fedi.accounts.profiles",
        "fedi.groups.groups",
    ):
        monkeypatch.setattr(f"{module}.generate_keypair", next_keypair)
    monkeypatch.setattr("fedi.accounts.passwords.LOG2_N", 10)


@pytest.fixture(autouse=True, scope="session")
def one_default_tls_context() -> Iterator[None]:
    """Every httpx client the tests make with the default verification shares one TLS context:
    each would otherwise read the system's certificate authorities again (~50 ms a client).
    Clients given a context of their own (the TLS tests) keep theirs."""
    made = httpx_config.create_ssl_context
    shared = made()

    def create_ssl_context(
        verify: ssl.SSLContext | str | bool = True, cert: Any = None, trust_env: bool = True
    ) -> ssl.SSLContext:
        if verify is True and cert is None and trust_env:
            return shared
        return made(verify=verify, cert=cert, trust_env=trust_env)

    patch = pytest.MonkeyPatch()
    patch.setattr(httpx_transports.default, "create_ssl_context", create_ssl_context)
    yield
    patch.undo()


def pytest_runtest_setup(item: pytest.Item) -> None:
    if postgres.wanted() is not None and item.get_closest_marker("sqlite_only") is not None:
        pytest.skip("checks SQLite itself")


@pytest.fixture(scope="session")
def postgres_databases(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[postgres.Databases | None]:
    """The session's PostgreSQL server (None: the tests run on SQLite). Each instance opened
    while it lasts (known by its data directory, so that opening it again finds its rows) has
    a database of its own there."""
    choice = postgres.wanted()
    if choice is None:
        with migrated_sqlite_copies(tmp_path_factory.mktemp("sqlite-template")):
            yield None
        return
    cluster = postgres.Cluster() if choice == "postgresql" else None
    if cluster is not None:
        cluster.start()
    patch = pytest.MonkeyPatch()
    try:
        databases = postgres.Databases(cluster.url if cluster is not None else choice)

        def database_target(settings: Settings) -> Path | str:
            if settings.uses_postgresql:
                return settings.database_url
            return databases.target(settings.data_dir)

        patch.setattr("fedi.context.database_target", database_target)
        patch.setattr(postgres, "in_session", databases)
        yield databases
        databases.close()
    finally:
        patch.undo()
        if cluster is not None:
            cluster.stop()


@contextmanager
def migrated_sqlite_copies(directory: Path) -> Iterator[None]:
    """A new instance opened in process starts from a copy of a database migrated once for
    the session (migrating an empty file takes some 0.2 s, which hundreds of tests would
    pay); the tests of migrations open their databases themselves."""
    template = directory / "migrated.sqlite3"
    connection = connect_sqlite(template)
    try:
        apply_migrations(connection)
    finally:
        connection.close()
    assert not template.with_name(f"{template.name}-wal").exists()

    def database_target(settings: Settings) -> Path | str:
        if settings.uses_postgresql:
            return settings.database_url
        path = settings.database_path
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(template, path)
        return path

    patch = pytest.MonkeyPatch()
    patch.setattr("fedi.context.database_target", database_target)
    try:
        yield
    finally:
        patch.undo()


@pytest.fixture(autouse=True)
def database_per_instance(postgres_databases: postgres.Databases | None) -> Iterator[None]:
    """On PostgreSQL, the databases a test made (for its instances in process and for the
    `fedi` processes it started) are dropped after it."""
    if postgres_databases is None:
        yield
        return
    with postgres_databases.dropped_after_test():
        yield


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        {
            "FEDI_DOMAIN": DOMAIN,
            "FEDI_DATA_DIR": str(tmp_path / "data"),
            "FEDI_REGISTRATIONS": "approval",
            "FEDI_INSTANCE_TITLE": "Test network",
        }
    )


@pytest.fixture
async def context(settings: Settings) -> AsyncIterator[Context]:
    async with open_context(settings) as opened:
        yield opened


@pytest.fixture
async def client(settings: Settings, context: Context) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, context, workers=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        yield http


# The in-process instance with scripted remote servers, for security and replay tests.
from tests.testrig.rig import rig  # noqa: E402, F401
