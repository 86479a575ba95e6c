"""What several handlers share: the incoming activity and local lookups. Storing remote posts
(and fetching their parents) lives in fedi.federation.remote_posts, which search uses too."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fedi.activitypub.parse import InvalidActivity, uri_of
from fedi.context import Context
from fedi.core.models import Account
from fedi.db import accounts, follows
from fedi.db.account_lookups import KnownRefs
from fedi.federation.remote_posts import is_ours

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchReads:
    """What the worker reads once for a whole batch of Creates: the local accounts they name,
    which of their actors have subscribers here, and which of their posts were stored or
    tombstoned already (None: not read)."""

    known: KnownRefs = field(default_factory=KnownRefs)
    subscribed: frozenset[int] | None = None
    present: frozenset[str] | None = None


@dataclass(frozen=True)
class Incoming:
    activity: dict[str, Any]
    actor: Account
    recipient_id: int | None
    batch: BatchReads = field(default_factory=BatchReads)

    @property
    def id(self) -> str:
        return str(self.activity["id"])

    @property
    def object(self) -> Any:
        return self.activity.get("object")

    @property
    def object_uri(self) -> str:
        uri = uri_of(self.object)
        if uri is None:
            raise InvalidActivity("the activity has no object")
        return uri


Handler = Callable[[Context, Incoming], Awaitable[None]]


async def local_account(context: Context, uri: str) -> Account | None:
    if not is_ours(context, uri):
        return None
    async with context.db.read() as conn:
        account = await accounts.get_by_uri(conn, uri)
    return account if account is not None and account.is_local else None


async def find_follow(context: Context, incoming: Incoming) -> tuple[int, int, int, str] | None:
    """The follow an Accept, Reject or Undo refers to: by its id, or by the embedded Follow's
    actor and object. Returns (id, follower_id, followed_id, state)."""
    obj = incoming.object
    follow_uri = uri_of(obj)
    async with context.db.read() as conn:
        if follow_uri is not None:
            found = await follows.get_by_uri(conn, follow_uri)
            if found is not None:
                return found
        if isinstance(obj, dict):
            actor_uri, object_uri = uri_of(obj.get("actor")), uri_of(obj.get("object"))
            if actor_uri and object_uri:
                follower = await accounts.get_by_uri(conn, actor_uri)
                followed = await accounts.get_by_uri(conn, object_uri)
                if follower and followed:
                    pair = await follows.get_follow(conn, follower.id, followed.id)
                    if pair is not None:
                        return (pair[0], follower.id, followed.id, pair[2])
    return None
