"""The running instance: settings, database, key store, URL builder, outbound HTTP client and the
instance actor, opened together.

Both the web application and the command line open exactly one Context; opening it checks the
data directory, applies migrations and makes sure the instance actor exists: the instance's own
Application actor, which signs this server's fetches (FEP-d556, FEP-2677). Its username is the
host name, so `acct:<host>@<domain>` finds it, as Mastodon's does; member usernames cannot
contain dots, so the two never collide on a real domain.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

from fedi import __version__
from fedi.core import ids
from fedi.core.config import Settings
from fedi.core.models import Account
from fedi.core.timeutil import to_db, utcnow
from fedi.core.urls import Urls
from fedi.db import Database, DatabaseError, accounts
from fedi.db.claims import Claims, take_id_tag
from fedi.db.errors import INTEGRITY_ERRORS
from fedi.db.wake import Wake
from fedi.streams.hub import Streams
from fedi.transport.federation_policy import FederationPolicy
from fedi.transport.http import HttpClient
from fedi.transport.keycache import KeyOwners
from fedi.transport.keystore import KeyStore
from keys.keypair import generate_keypair


class StartupError(Exception):
    """The instance cannot start; the message names the problem for the operator."""


@dataclass(frozen=True)
class Context:
    settings: Settings
    db: Database
    keys: KeyStore
    urls: Urls
    http: HttpClient
    instance_actor: Account
    applied_migrations: tuple[str, ...] = ()
    wake: Wake = field(default_factory=Wake)
    key_owners: KeyOwners = field(default_factory=KeyOwners)
    streams: Streams = field(default_factory=Streams)
    policy: FederationPolicy = field(default_factory=FederationPolicy)
    # This process as a worker: its name in queue claims and loop leases, and how long they last.
    claims: Claims = field(default_factory=Claims)


def prepare_data_dir(settings: Settings) -> None:
    directory = settings.data_dir
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = directory / f".write-test-{secrets.token_hex(4)}"
        probe.write_bytes(b"")
        probe.unlink()
        settings.media_dir.mkdir(exist_ok=True)
        KeyStore(settings.keys_dir).ensure_directory()
    except NotADirectoryError:
        raise StartupError(f"data directory {directory} is not a directory") from None
    except PermissionError:
        raise StartupError(f"data directory {directory} is not writable") from None
    except OSError as exc:
        if exc.errno == errno.EROFS:
            raise StartupError(
                f"data directory {directory} is on a read-only file system"
            ) from None
        raise StartupError(f"data directory {directory} cannot be used: {exc.strerror}") from None


def make_http_client(settings: Settings) -> HttpClient:
    return HttpClient(
        allow_private_networks=settings.allow_private_networks,
        user_agent=f"fedi/{__version__} (+{settings.base_url}/)",
    )


async def check_domain(db: Database, settings: Settings, urls: Urls) -> None:
    """Refuse to start on a database made for another domain: ids already federated can't move."""
    async with db.read() as conn:
        actor = await accounts.get_instance_actor(conn)
    if actor is not None and actor.uri != urls.instance_actor:
        expected = actor.uri.removesuffix("/actor")
        raise StartupError(
            f"the database in {settings.data_dir} belongs to {expected}, but this server "
            f"is configured as {settings.base_url}; an instance cannot change its domain"
        )


async def ensure_instance_actor(
    db: Database, keys: KeyStore, urls: Urls, settings: Settings
) -> Account:
    async with db.read() as conn:
        actor = await accounts.get_instance_actor(conn)
    if actor is not None:
        return actor
    keypair = await asyncio.to_thread(generate_keypair)
    account_id = ids.new_id()
    uri = urls.instance_actor
    keys.save(account_id, keypair.private_pem)
    new = accounts.NewLocalAccount(
        id=account_id,
        uri=uri,
        username=settings.host,
        actor_type="Application",
        url=f"{urls.base}/about",
        inbox_uri=f"{uri}/inbox",
        shared_inbox_uri=urls.shared_inbox,
        outbox_uri=f"{uri}/outbox",
        followers_uri=None,
        following_uri=None,
        featured_uri=None,
        public_key_id=urls.key_id(uri),
        public_key_pem=keypair.public_pem,
        display_name=settings.instance_title,
        is_locked=True,
        is_bot=True,
        is_discoverable=False,
        created_at=to_db(utcnow()),
    )
    try:
        await db.write(lambda conn: accounts.insert_local_account(conn, new))
    except INTEGRITY_ERRORS:  # another process created it first
        keys.delete(account_id)
    async with db.read() as conn:
        created = await accounts.get_instance_actor(conn)
    assert created is not None
    return created


def database_target(settings: Settings) -> Path | str:
    """The SQLite file, or the PostgreSQL database's URL."""
    return settings.database_url if settings.uses_postgresql else settings.database_path


@asynccontextmanager
async def open_context(
    settings: Settings, http: HttpClient | None = None
) -> AsyncIterator[Context]:
    """Open the instance. `http` replaces the outbound client (tests route test domains to
    loopback with it); the context closes whichever client it uses."""
    prepare_data_dir(settings)
    target = database_target(settings)
    db = Database(target)
    try:
        applied = await db.open()
    except DatabaseError as exc:
        raise StartupError(str(exc)) from None
    if isinstance(target, Path):
        os.chmod(target, 0o600)
    # Other processes may be making ids in this database too: this one's carry a tag of its own.
    ids.use_tag(await db.write(take_id_tag))
    client = http or make_http_client(settings)
    try:
        keys, urls = KeyStore(settings.keys_dir), Urls(settings.base_url)
        await check_domain(db, settings, urls)
        actor = await ensure_instance_actor(db, keys, urls, settings)
        # Attachment keys (fedi.core.urls) are derived from the instance actor's private key:
        # secret, stable, and the same in every process of the instance.
        secret = hashlib.sha256(b"fedi attachment keys\0" + keys.path_for(actor.id).read_bytes())
        urls = replace(urls, media_secret=secret.digest())
        policy = FederationPolicy()
        await policy.reload(db)
        client.refuse_hosts(policy.refusal)
        streams, wake = Streams(), Wake()
        if settings.workers == "separate":
            # Workers in processes of their own write what streams here must show, and take
            # the work queued here.
            await streams.share(db)
            wake.share(db)
        try:
            yield Context(
                settings=settings,
                db=db,
                keys=keys,
                urls=urls,
                http=client,
                instance_actor=actor,
                applied_migrations=tuple(applied),
                policy=policy,
                claims=Claims(lease=timedelta(seconds=settings.worker_lease_seconds)),
                streams=streams,
                wake=wake,
            )
        finally:
            await streams.stop()
            await wake.stop()
    finally:
        await client.close()
        await db.close()
