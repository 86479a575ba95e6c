"""The instance's own Application actor, which signs this server's fetches (FEP-d556, FEP-2677).

Its username is the host name, so `acct:<host>@<domain>` finds it, as Mastodon's does; member
usernames cannot contain dots, so the two never collide on a real domain.
"""

from __future__ import annotations

import asyncio
import sqlite3

from fedi import ids
from fedi.config import Settings
from fedi.context import StartupError
from fedi.db import Database, accounts
from fedi.keystore import KeyStore
from fedi.models import Account
from fedi.timeutil import to_db, utcnow
from fedi.urls import Urls
from keys.keypair import generate_keypair


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
    except sqlite3.IntegrityError:  # another process created it first
        keys.delete(account_id)
    async with db.read() as conn:
        created = await accounts.get_instance_actor(conn)
    assert created is not None
    return created
