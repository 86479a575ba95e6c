"""The running instance: settings, database, key store and URL builder, opened together.

Both the web application and the command line open exactly one Context; opening it checks the
data directory, applies migrations and makes sure the instance actor exists.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fedi.config import Settings
from fedi.db import Database, DatabaseError
from fedi.keystore import KeyStore
from fedi.urls import Urls


class StartupError(Exception):
    """The instance cannot start; the message names the problem for the operator."""


@dataclass(frozen=True)
class Context:
    settings: Settings
    db: Database
    keys: KeyStore
    urls: Urls
    applied_migrations: tuple[str, ...] = ()


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


@asynccontextmanager
async def open_context(settings: Settings) -> AsyncIterator[Context]:
    # instance_actor builds on Context, so it is imported when a context is opened.
    from fedi.instance_actor import check_domain, ensure_instance_actor

    prepare_data_dir(settings)
    db = Database(settings.database_path)
    try:
        applied = await db.open()
    except DatabaseError as exc:
        raise StartupError(str(exc)) from None
    os.chmod(settings.database_path, 0o600)
    context = Context(
        settings=settings,
        db=db,
        keys=KeyStore(settings.keys_dir),
        urls=Urls(settings.base_url),
        applied_migrations=tuple(applied),
    )
    try:
        await check_domain(context)
        await ensure_instance_actor(context)
        yield context
    finally:
        await db.close()
