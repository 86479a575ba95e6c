"""The e2e tests' PostgreSQL server: the session's (FEDI_TEST_DATABASE), or else a throwaway
cluster started once for the whole run, by the first test that asks for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.testrig import postgres


@pytest.fixture(scope="session")
def postgres_server(postgres_databases: postgres.Databases | None) -> Iterator[str]:
    """The URL of a server to create databases on."""
    if postgres_databases is not None:
        yield postgres_databases.admin_url
        return
    cluster = postgres.Cluster()
    cluster.start()
    try:
        yield cluster.url
    finally:
        cluster.stop()
