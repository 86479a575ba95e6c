"""`fedi db copy --to postgresql://…` as an operator runs it: an instance made on SQLite with the
command line, copied (rows, counters, search words, keys), then `fedi serve` on PostgreSQL
answers for the same accounts and posts, finds them by their words, signs as before and takes
new posts; a second copy onto the same database is refused in one line."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest

from fedi.db.copy import source_tables
from tests.api.tokens import access_token
from tests.e2e.test_server import FEDI, Server
from tests.testrig.serving import free_port

pytestmark = pytest.mark.e2e


@pytest.fixture
def server_url(postgres_server: str) -> str:
    """The PostgreSQL server to create the target on (tests/e2e/conftest.py)."""
    return postgres_server


def fedi(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FEDI_")}
    return subprocess.run([FEDI, *args], env=clean | env, capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip


def token(base: str) -> str:
    async def fetch() -> str:
        async with httpx.AsyncClient(base_url=base) as http:
            return await access_token(http, "amal", "read write", password="amal-password-1")

    return asyncio.run(fetch())


def counts_in_sqlite(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                for t in source_tables(conn)}  # fmt: skip


def counts_in_postgresql(url: str, tables: list[str]) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]  # type: ignore[index]
                for t in tables}  # fmt: skip


def test_an_sqlite_instance_copied_to_postgresql_runs_there(
    server_url: str, tmp_path: Path
) -> None:
    name = f"copy_target_{os.getpid()}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    url = urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    port = free_port(reserve=False)
    env = {"FEDI_DOMAIN": f"127.0.0.1:{port}", "FEDI_SCHEME": "http",
           "FEDI_DATA_DIR": str(tmp_path / "sqlite")}  # fmt: skip
    for member in ("amal", "ben"):
        made = fedi(env, "user", "add", member, f"--password={member}-password-1")
        assert made.returncode == 0, made.stderr
    posted = fedi(env, "post", "amal", "Décision du tribunal attendue lundi")
    assert posted.returncode == 0, posted.stderr
    assert fedi(env, "post", "ben", "Rapport de la mission").returncode == 0

    copied = fedi(env, "db", "copy", "--to", url, "--data-dir", str(tmp_path / "shared"))
    assert copied.returncode == 0, copied.stderr
    assert "copied the keys and media" in copied.stdout
    before = counts_in_sqlite(tmp_path / "sqlite" / "fedi.sqlite3")
    assert counts_in_postgresql(url, list(before)) == before  # every row of every table

    again = fedi(env, "db", "copy", "--to", url)
    assert again.returncode == 1
    assert again.stderr.strip() == "fedi: error: the PostgreSQL database holds an instance already"

    on_postgresql = env | {"FEDI_DATA_DIR": str(tmp_path / "shared"), "FEDI_DATABASE_URL": url,
                           "FEDI_PASSWORD_GRANT": "true"}  # fmt: skip
    server = Server([FEDI, "serve", "--port", str(port)], tmp_path, on_postgresql)
    try:
        server.wait_for(r"Application startup complete")
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {token(base)}"}
        amal = httpx.get(f"{base}/api/v1/accounts/lookup", params={"acct": "amal"}).json()
        assert amal["statuses_count"] == 1  # the counters came along
        found = httpx.get(f"{base}/api/v2/search", headers=headers,
                          params={"q": "decision tribunal", "type": "statuses"}).json()  # fmt: skip
        assert [s["account"]["username"] for s in found["statuses"]] == ["amal"]
        people = httpx.get(f"{base}/api/v1/accounts/search", headers=headers,
                           params={"q": "be"}).json()  # fmt: skip
        assert [p["username"] for p in people] == ["ben"]
        actor = httpx.get(f"{base}/users/amal", headers={"Accept": "application/activity+json"})
        assert "BEGIN PUBLIC KEY" in actor.json()["publicKey"]["publicKeyPem"]
        new = httpx.post(f"{base}/api/v1/statuses", headers=headers,
                         data={"status": "Written on PostgreSQL"})  # fmt: skip
        assert new.status_code == 200, new.text
        home = httpx.get(f"{base}/api/v1/timelines/home", headers=headers).json()
        assert [s["content"] for s in home][:2] == [
            "<p>Written on PostgreSQL</p>", "<p>Décision du tribunal attendue lundi</p>",
        ]  # fmt: skip
    finally:
        server.stop()
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
