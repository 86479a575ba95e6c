"""A group's own collections over HTTP: its moderators (FEP-1b12 `attributedTo`), its ban list
(FEP-c648 shape) and the FEP-8fcf partial followers collection a server fetches to learn which
of its accounts are still members. Whatever may not be shown answers the 404 of an actor that
does not exist, so nothing tells a private group's readers from everyone else."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.activitypub.vocab import AS_CONTEXT
from fedi.core.models import Account, Group
from fedi.db import groups as group_rows
from fedi.groups.groups import group_of, may_read
from fedi.web.actors import load_active_actor, remote_signer
from fedi.web.responses import ActivityResponse
from fedi.web.state import context_of

BLOCKED_CONTEXT = "https://purl.archive.org/socialweb/blocked"


def not_found() -> HTTPException:
    return HTTPException(404, "no such account")


async def load_group(request: Request) -> Group:
    account = await load_active_actor(request)
    group = await group_of(context_of(request), account)
    if group is None:
        raise not_found()
    return group


def collection(uri: str, items: list[str], context: Any = AS_CONTEXT) -> dict[str, Any]:
    return {
        "@context": context,
        "id": uri,
        "type": "OrderedCollection",
        "totalItems": len(items),
        "orderedItems": items,
    }


async def moderators(request: Request) -> Response:
    """The moderators' actor ids, owner first: for everyone when the group is public, for the
    group's readers (`may_read`) when it is private (groups.md: served only to members)."""
    group = await load_group(request)
    context = context_of(request)
    if group.is_private and not await may_read(context, group, await remote_signer(request)):
        raise not_found()
    async with context.db.read() as conn:
        found = await group_rows.moderators(conn, group.id)
    uri = f"{group.account.uri}/moderators"
    return ActivityResponse(collection(uri, [m.account.uri for m in found]))


async def _may_see_bans(request: Request, group: Group) -> bool:
    signer = await remote_signer(request)
    if signer is None:
        return False
    if group.is_private:
        return await may_read(context_of(request), group, signer)
    async with context_of(request).db.read() as conn:
        return await group_rows.moderator_role(conn, group.id, signer.id) is not None


async def blocked(request: Request) -> Response:
    """The banned actors (FEP-c648's Blocked collection; reasons stay with the moderators).

    Who may read it: for a private group, its readers (`may_read`: members, moderators, and
    the instance actors of member servers), who need it to keep banned people out of their
    conversations; for a public group, its remote moderators only, since anyone may join a
    public group and a list of banned people is not for the public. Local moderators see
    bans in the web pages. Everyone else gets the 404 of an actor that does not exist."""
    group = await load_group(request)
    if not await _may_see_bans(request, group):
        raise not_found()
    async with context_of(request).db.read() as conn:
        found = await group_rows.bans(conn, group.id)
    uri = f"{group.account.uri}/blocked"
    items = [ban.account.uri for ban in found]
    return ActivityResponse(collection(uri, items, [AS_CONTEXT, BLOCKED_CONTEXT]))


async def followers_synchronization(request: Request) -> Response:
    """FEP-8fcf: the group's members whose actor ids are on the signer's host, and only those.
    Any verified signer gets its own host's part, even with no member left there: that is how
    the server of a removed member learns to drop its stale follow (groups.md). Unsigned → the
    404 of an actor that does not exist."""
    group = await load_group(request)
    signer: Account | None = await remote_signer(request)
    if signer is None or signer.host is None:
        raise not_found()
    async with context_of(request).db.read() as conn:
        items = await group_rows.member_uris_on_host(conn, group.id, signer.host)
    uri = f"{group.account.uri}/followers_synchronization"
    return ActivityResponse(collection(uri, items))


routes = [
    Route("/users/{username}/moderators", moderators, methods=["GET"]),
    Route("/users/{username}/blocked", blocked, methods=["GET"]),
    Route(
        "/users/{username}/followers_synchronization", followers_synchronization, methods=["GET"]
    ),
]
