"""The running instance: settings, database, key store, URL builder, outbound HTTP client and the
instance actor, opened together.

Both the web application and the command line open exactly one Context; opening it checks the
data directory, applies migrations and makes sure the instance actor exists.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from fedi import __version__
from fedi.config import Settings
from fedi.db import Database, DatabaseError
from fedi.federation_policy import FederationPolicy
from fedi.http import HttpClient
from fedi.keycache import KeyOwners
from fedi.keystore import KeyStore
from fedi.models import Account
from fedi.publish import Wake
from fedi.streams import Streams
from fedi.urls import Urls


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


@asynccontextmanager
async def open_context(
    settings: Settings, http: HttpClient | None = None
) -> AsyncIterator[Context]:
    """Open the instance. `http` replaces the outbound client (tests route test domains to
    loopback with it); the context closes whichever client it uses."""
    from fedi.instance_actor import check_domain, ensure_instance_actor

    prepare_data_dir(settings)
    db = Database(settings.database_path)
    try:
        applied = await db.open()
    except DatabaseError as exc:
        raise StartupError(str(exc)) from None
    os.chmod(settings.database_path, 0o600)
    client = http or make_http_client(settings)
    try:
        keys, urls = KeyStore(settings.keys_dir), Urls(settings.base_url)
        await check_domain(db, settings, urls)
        actor = await ensure_instance_actor(db, keys, urls, settings)
        policy = FederationPolicy()
        await policy.reload(db)
        client.refuse_hosts(policy.refusal)
        yield Context(
            settings=settings,
            db=db,
            keys=keys,
            urls=urls,
            http=client,
            instance_actor=actor,
            applied_migrations=tuple(applied),
            policy=policy,
        )
    finally:
        await client.close()
        await db.close()
