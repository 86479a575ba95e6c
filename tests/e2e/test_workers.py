"""One `fedi serve` and two `fedi worker` processes on one data directory, as an operator runs
them with `workers = "separate"`, on SQLite and on PostgreSQL (one database for all three): an
inbound burst is handled by both workers, each activity once; a fan-out whose worker is killed
with SIGKILL is finished by the other once its claims lapse, every inbox getting its POST."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from fedi.accounts.members import add_member
from fedi.cli.base import with_context
from fedi.context import Context
from fedi.core import ids
from fedi.core.config import load_settings
from fedi.core.models import RemoteActor
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, follows
from keys.httpsig import sign_request
from keys.keypair import keypair_from_private
from tests.e2e.test_server import FEDI, Server
from tests.testrig.keys import next_private_key
from tests.testrig.postgres import empty_database
from tests.testrig.processes import wait_until
from tests.testrig.serving import free_port

pytestmark = pytest.mark.e2e
LEASE = 2  # seconds: a dead worker's claims lapse quickly
HOSTS = [f"127.0.0.{n}" for n in range(2, 8)]  # the stand-in servers, one per address
FOLLOWERS_PER_HOST = 15
AS_TYPE = "application/activity+json"


@dataclass
class StandIns:
    """Remote servers on 127.0.0.x: actor documents to serve, and every POST counted by (host and
    path, activity id); each answer to a POST waits `delay`, so that a fan-out takes a while."""

    documents: dict[str, bytes] = field(default_factory=dict)
    posts: Counter[tuple[str, str]] = field(default_factory=Counter)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def posted(self, activity_id: str) -> Counter[str]:
        with self.lock:
            return Counter({path: n for (path, a), n in self.posts.items() if a == activity_id})

    def activity_ids(self) -> list[str]:
        with self.lock:
            return list(dict.fromkeys(a for _, a in self.posts))


def serve_stand_ins(stand_ins: StandIns) -> list[ThreadingHTTPServer]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            body = stand_ins.documents.get(f"http://{self.headers['Host']}{self.path}")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", AS_TYPE)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def do_POST(self) -> None:
            activity = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            time.sleep(stand_ins.delay)
            with stand_ins.lock:
                stand_ins.posts[(self.headers["Host"] + self.path, str(activity.get("id")))] += 1
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()

    servers = []
    for host in HOSTS:
        server = ThreadingHTTPServer((host, 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    return servers


@dataclass
class Instance:
    env: dict[str, str]
    base: str
    database: Path
    alice_uri: str
    followers: list[str]  # the inbox of each remote follower of alice
    stand_ins: StandIns
    hosts: list[str]  # "127.0.0.x:port" of each stand-in server
    web: Server
    workers: dict[str, Server]  # by worker name
    url: str | None  # the PostgreSQL database's, or None: SQLite's file

    def rows(self, sql: str, *args: object) -> list[Any]:
        if self.url is not None:
            with psycopg.connect(self.url, autocommit=True) as conn:
                return [tuple(row) for row in conn.execute(sql.replace("?", "%s"), args)]
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=10) as db:
            return db.execute(sql, args).fetchall()


def remote_follower(host: str, name: str) -> RemoteActor:
    uri = f"http://{host}/users/{name}"
    return RemoteActor(
        uri=uri, actor_type="Person", username=name, domain=host, display_name="", note="",
        fields=(), url=None, inbox_uri=f"{uri}/inbox", shared_inbox_uri=None, outbox_uri=None,
        followers_uri=None, following_uri=None, featured_uri=None,
        public_key_id=f"{uri}#main-key", public_key_pem=PUBLIC_PEM, avatar_remote_url=None,
        header_remote_url=None, is_locked=False, is_bot=False, is_discoverable=False,
        also_known_as=(), moved_to_uri=None,
    )  # fmt: skip


PUBLIC_PEM = keypair_from_private(next_private_key()).public_pem


def seed(env: dict[str, str], hosts: list[str]) -> tuple[str, list[str]]:
    """alice, and her remote followers on the stand-in hosts (each with its own inbox)."""

    async def action(context: Context) -> tuple[str, list[str]]:
        alice = await add_member(context, "alice", "alice-password-1", role="member")
        now = to_db(utcnow())
        inboxes: list[str] = []

        def write(conn: sqlite3.Connection) -> None:
            for host in hosts:
                for i in range(FOLLOWERS_PER_HOST):
                    actor = remote_follower(host, f"f{i}")
                    follower = accounts.upsert_remote(conn, actor, now, accept_new_key=True)
                    follows.insert_follow(
                        conn, follow_id=ids.new_id(), follower_id=follower,
                        followed_id=alice.account.id, uri=None, state="accepted",
                        created_at=now,
                    )  # fmt: skip
                    inboxes.append(actor.inbox_uri)

        await context.db.write(write)
        return alice.account.uri, inboxes

    settings = load_settings(env)
    return with_context(settings, action)


# The SQLite instance is seeded in process, which in a session on PostgreSQL (tests/conftest.py)
# writes to PostgreSQL while its processes read the SQLite file: it runs on SQLite's pass only.
@pytest.fixture(scope="module", params=[pytest.param("sqlite", marks=pytest.mark.sqlite_only),
                                        "postgresql"])  # fmt: skip
def instance(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Instance]:
    with contextlib.ExitStack() as stack:
        url = None
        if request.param == "postgresql":
            url = stack.enter_context(empty_database(request.getfixturevalue("postgres_server")))
        yield from started_instance(tmp_path_factory.mktemp("workers"), url)


def started_instance(directory: Path, url: str | None) -> Iterator[Instance]:
    """alice and her followers written first (by a process that migrates the database), then
    the web process and the two workers started together."""
    port = free_port(reserve=False)
    env = {
        "FEDI_DOMAIN": f"127.0.0.1:{port}",
        "FEDI_SCHEME": "http",
        "FEDI_DATA_DIR": str(directory / "data"),
        "FEDI_ALLOW_PRIVATE_NETWORKS": "true",
        "FEDI_WORKERS": "separate",
        "FEDI_WORKER_LEASE_SECONDS": str(LEASE),
    } | ({"FEDI_DATABASE_URL": url} if url else {})
    stand_ins = StandIns()
    servers = serve_stand_ins(stand_ins)
    hosts = [
        f"{host}:{server.server_address[1]}" for host, server in zip(HOSTS, servers, strict=True)
    ]
    alice_uri, followers = seed(env, hosts)
    web = Server([FEDI, "serve", "--port", str(port)], directory, env)
    started = [Server([FEDI, "worker"], directory, env) for _ in range(2)]
    workers = {}
    try:
        web.wait_for(r"Application startup complete")
        for worker in started:
            workers[worker.wait_for(r"worker (\S+) for .* running")[1]] = worker
        for process in [web, *started]:
            drain(process)
        yield Instance(
            env, f"http://127.0.0.1:{port}", directory / "data" / "fedi.sqlite3", alice_uri,
            followers, stand_ins, hosts, web, workers, url,
        )  # fmt: skip
    finally:
        for process in [web, *started]:
            if process.process.poll() is None:
                process.stop()
            elif process.process.stdout is not None:
                process.process.stdout.close()
        for server in servers:
            server.shutdown()
            server.server_close()


def drain(server: Server) -> None:
    """Read what the process prints from now on, so that its logs never fill the pipe."""
    output = server.process.stdout
    assert output is not None

    def read() -> None:
        with contextlib.suppress(ValueError, OSError):
            for _ in output:
                pass

    threading.Thread(target=read, daemon=True).start()


@dataclass
class Sender:
    uri: str
    key: rsa.RSAPrivateKey


def remote_senders(instance: Instance, count: int) -> list[Sender]:
    """Actors on the first stand-in host, their documents served for the inbox's key fetch."""
    host = instance.hosts[0]
    senders = []
    for i in range(count):
        uri, key = f"http://{host}/users/r{i}", next_private_key()
        document = {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": uri, "type": "Person", "preferredUsername": f"r{i}", "inbox": f"{uri}/inbox",
            "outbox": f"{uri}/outbox", "followers": f"{uri}/followers",
            "publicKey": {"id": f"{uri}#main-key", "owner": uri,
                          "publicKeyPem": keypair_from_private(key).public_pem},
        }  # fmt: skip
        instance.stand_ins.documents[uri] = json.dumps(document).encode()
        senders.append(Sender(uri, key))
    return senders


def create(sender: Sender, n: int, alice_uri: str) -> dict[str, Any]:
    note = f"{sender.uri}/statuses/{n}"
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{note}/activity", "type": "Create", "actor": sender.uri,
        "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [alice_uri],
        "object": {
            "id": note, "type": "Note", "attributedTo": sender.uri,
            "content": f"<p>@alice number {n}</p>",
            "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [alice_uri],
            "tag": [{"type": "Mention", "href": alice_uri, "name": "@alice"}],
        },
    }  # fmt: skip


def post_all(instance: Instance, activities: list[tuple[Sender, dict[str, Any]]]) -> None:
    """POST each activity, signed by its actor, to the web process's shared inbox."""
    url = f"{instance.base}/inbox"

    def post(item: tuple[Sender, dict[str, Any]]) -> int:
        sender, activity = item
        body = json.dumps(activity).encode()
        headers = sign_request("POST", url, {"Content-Type": AS_TYPE}, body, sender.key,
                               f"{sender.uri}#main-key", utcnow())  # fmt: skip
        return httpx.post(url, content=body, headers=headers, timeout=30).status_code

    with ThreadPoolExecutor(4) as pool:
        assert set(pool.map(post, activities)) == {202}


def handled_by(instance: Instance) -> Counter[str]:
    return Counter(
        dict(instance.rows("SELECT claimed_by, count(*) FROM inbox_activities GROUP BY 1"))
    )


def test_an_inbound_burst_is_handled_by_both_workers_each_activity_once(
    instance: Instance,
) -> None:
    senders = remote_senders(instance, 12)
    waves = [
        [(s, create(s, wave * 10 + n, instance.alice_uri)) for s in senders for n in range(5)]
        for wave in range(2)
    ]
    total = sum(len(wave) for wave in waves)

    def all_done(count: int) -> Callable[[], bool]:
        return lambda: (
            instance.rows("SELECT count(*) FROM inbox_activities WHERE state = 'done'")
            == [(count,)]
        )

    def states() -> object:
        return instance.rows(
            "SELECT state, attempts, last_error, count(*) FROM inbox_activities GROUP BY 1, 2, 3"
        )

    post_all(instance, waves[0])
    wait_until(all_done(len(waves[0])), state=states)
    # The second wave with the busier worker of the first paused: the other one takes it all,
    # whichever took the first (both run; a paused worker's claims and leases simply lapse).
    busiest = handled_by(instance).most_common(1)[0][0]
    paused = instance.workers[busiest].process.pid
    os.kill(paused, signal.SIGSTOP)
    try:
        post_all(instance, waves[1])
        wait_until(all_done(total), state=states)
    finally:
        os.kill(paused, signal.SIGCONT)

    assert set(handled_by(instance)) == set(instance.workers)
    assert instance.rows("SELECT count(*), count(DISTINCT uri) FROM statuses"
                         " WHERE is_local = 0") == [(total, total)]  # fmt: skip
    assert instance.rows(
        "SELECT count(*), count(DISTINCT status_id) FROM notifications n JOIN accounts a"
        " ON a.id = n.account_id WHERE a.uri = ? AND n.type = 'mention'",
        instance.alice_uri,
    ) == [(total, total)]


def fedi_post(instance: Instance, text: str) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FEDI_")}
    result = subprocess.run([FEDI, "post", "alice", text], env=clean | instance.env,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_a_fan_out_whose_worker_is_killed_is_finished_by_the_other(instance: Instance) -> None:
    inboxes = {uri.removeprefix("http://") for uri in instance.followers}
    stand_ins = instance.stand_ins
    stand_ins.delay = 0.3  # 90 inboxes on 6 hosts, 4 at a time each: about a second and a half
    fedi_post(instance, "Fanned out while a worker dies")
    wait_until(lambda: bool(stand_ins.activity_ids()))
    first = stand_ins.activity_ids()[0]
    wait_until(lambda: sum(stand_ins.posted(first).values()) >= 12)
    holders = instance.rows("SELECT DISTINCT claimed_by FROM deliveries"
                            " WHERE claimed_until IS NOT NULL")  # fmt: skip
    assert len(holders) == 1  # one round claimed the whole fan-out
    dying = instance.workers[holders[0][0]]
    os.killpg(dying.process.pid, signal.SIGKILL)
    dying.process.wait()
    recorded = {
        uri.removeprefix("http://")
        for (uri,) in instance.rows(
            "SELECT inbox_uri FROM deliveries WHERE state = 'done' AND activity_id ="
            " (SELECT max(id) FROM outbox_activities)"
        )
    }
    wait_until(lambda: instance.rows("SELECT count(*) FROM deliveries WHERE state = 'queued'")
               == [(0,)])  # fmt: skip
    posted = stand_ins.posted(first)
    assert set(posted) == inboxes  # every inbox got it, at least once
    assert all(posted[path] == 1 for path in recorded)  # a recorded delivery never goes again
    # What comes after goes to every inbox once, from the worker left.
    stand_ins.delay = 0.0
    fedi_post(instance, "After the fall")
    wait_until(lambda: len(stand_ins.activity_ids()) == 2)
    second = stand_ins.activity_ids()[1]
    wait_until(lambda: sum(stand_ins.posted(second).values()) >= len(inboxes))
    time.sleep(0.5)
    assert stand_ins.posted(second) == Counter(dict.fromkeys(inboxes, 1))
    assert {row[0] for row in instance.rows("SELECT state FROM deliveries")} == {"done"}
    # Stopped by SIGTERM, the worker left lets go of every lease it held (the dead one's
    # lease on a loop it has not taken since simply lapsed).
    [(name, left)] = [(n, w) for n, w in instance.workers.items() if w.process.poll() is None]
    os.killpg(left.process.pid, signal.SIGTERM)
    assert left.process.wait(timeout=20) == 0
    assert instance.rows("SELECT count(*) FROM worker_leases WHERE held_by = ?", name) == [(0,)]
