"""The newsletter's own actor: a local Service account, @newsletter, that anyone on any server
can follow; each published issue is one of its Articles. Made the first time it is needed."""

from __future__ import annotations

import asyncio

from fedi.accounts.members import local_actor
from fedi.context import Context
from fedi.core import ids
from fedi.core.models import Account
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts
from fedi.db.connection import Connection
from keys.keypair import generate_keypair

USERNAME = "newsletter"


class NameTaken(Exception):
    """Someone else already has the newsletter's name on this server."""


async def newsletter_account(context: Context) -> Account:
    """The newsletter's account, made now if it does not exist yet."""
    async with context.db.read() as conn:
        found = await accounts.get_local_actor(conn, USERNAME, include_pending=True)
    if found is not None:
        if found.actor_type != "Service":
            raise NameTaken(USERNAME)
        return found
    keypair = await asyncio.to_thread(generate_keypair)
    account_id = ids.new_id()
    new = local_actor(
        context, account_id, USERNAME, "Service", keypair.public_pem, to_db(utcnow()),
        display_name=f"{context.settings.instance_title} newsletter"[:100],
    )  # fmt: skip

    def insert(conn: Connection) -> bool:
        if accounts.local_username_taken(conn, USERNAME):
            return False  # made meanwhile by another request: use that one
        accounts.insert_local_account(conn, new)
        return True

    context.keys.save(account_id, keypair.private_pem)
    if not await context.db.write(insert):
        context.keys.delete(account_id)
    async with context.db.read() as conn:
        made = await accounts.get_local_actor(conn, USERNAME, include_pending=True)
    if made is None or made.actor_type != "Service":
        raise NameTaken(USERNAME)
    return made
