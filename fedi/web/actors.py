"""Actors and their collections over HTTP, negotiated between ActivityStreams JSON and HTML.

`/users/<name>` is the actor id; `/@<name>` is the profile page. Both answer JSON to an
ActivityStreams Accept header and HTML to a browser, with `Vary: Accept`.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from fedi.activitypub.actor import actor_to_ap
from fedi.activitypub.collections import PAGE_SIZE, ordered_collection, ordered_page
from fedi.activitypub.notes import create_to_ap
from fedi.activitypub.vocab import NOTE_CONTEXT
from fedi.core.ids import parse_id
from fedi.core.models import Account, Status
from fedi.db import account_stats, accounts, follows, pins, statuses
from fedi.federation.serialize import note_document
from fedi.federation.verify import VerificationError, request_target, verify_signed_request
from fedi.groups.access import is_submission
from fedi.groups.groups import group_of, may_read
from fedi.i18n.locales import match_locale
from fedi.web.negotiation import wants_activity_json
from fedi.web.responses import ActivityResponse
from fedi.web.state import context_of


def page_redirect(request: Request, url: str) -> Response:
    """A browser sent from an id to its page keeps the language it asked for (`?lang=`)."""
    lang = match_locale(request.query_params.get("lang"))
    if lang is not None:
        url = f"{url}{'&' if '?' in url else '?'}{urlencode({'lang': lang})}"
    return RedirectResponse(url, 302, headers={"Vary": "Accept"})


async def load_actor(request: Request) -> Account:
    context = context_of(request)
    async with context.db.read() as conn:
        account = await accounts.get_local_actor(
            conn, request.path_params["username"], federated=True
        )
    if account is None or account.actor_type == "Application":
        raise HTTPException(404, "no such account")
    return account


async def load_active_actor(request: Request) -> Account:
    account = await load_actor(request)
    if account.is_suspended:
        raise HTTPException(403, "this account is suspended")
    return account


async def load_readable_actor(request: Request) -> tuple[Account, bool]:
    """The active actor whose collection is asked for, and whether it is a private group read
    by one of its readers. A private group's collections answer only an HTTP-signed GET whose
    verified signer `may_read` it; anyone else gets the 404 of an actor that does not exist
    (security.md V1, V2, V8)."""
    account = await load_active_actor(request)
    context = context_of(request)
    group = await group_of(context, account)
    if group is None or not group.is_private:
        return account, False
    if not await may_read(context, group, await remote_signer(request)):
        raise HTTPException(404, "no such account")
    return account, True


def parse_max_id(request: Request) -> int | None:
    raw = request.query_params.get("max_id")
    if raw is None:
        return None
    max_id = parse_id(raw)
    if max_id is None:
        raise HTTPException(400, "max_id must be a post or follow id")
    return max_id


def is_page_request(request: Request) -> bool:
    return request.query_params.get("page") in ("true", "1")


async def actor(request: Request) -> Response:
    account = await load_actor(request)
    context = context_of(request)
    if wants_activity_json(request):
        return ActivityResponse(actor_to_ap(account, context.urls))
    return page_redirect(request, context.urls.profile(account.username))


async def instance_actor(request: Request) -> Response:
    context = context_of(request)
    async with context.db.read() as conn:
        account = await accounts.get_instance_actor(conn)
    if account is None:
        raise HTTPException(404, "no instance actor")
    if wants_activity_json(request) or "html" not in request.headers.get("accept", ""):
        return ActivityResponse(actor_to_ap(account, context.urls))
    return page_redirect(request, f"{context.urls.base}/about")


async def instance_outbox(request: Request) -> Response:
    context = context_of(request)
    uri = f"{context.urls.instance_actor}/outbox"
    async with context.db.read() as conn:
        account = await accounts.get_instance_actor(conn)
        if account is None:
            raise HTTPException(404, "no instance actor")
        total = (await account_stats.counts(conn, account.id)).statuses
    return ActivityResponse(ordered_collection(uri, total))


async def outbox(request: Request) -> Response:
    account, members_only = await load_readable_actor(request)
    context = context_of(request)
    uri = account.outbox_uri or ""
    max_id = parse_max_id(request)
    follower = members_only or await is_signed_follower(request, account)
    async with context.db.read() as conn:
        total = await statuses.count_public(conn, account.id, with_private=follower)
        if not is_page_request(request):
            return ActivityResponse(ordered_collection(uri, total))
        page = await statuses.public_page(
            conn, account.id, max_id, PAGE_SIZE + 1, with_private=follower
        )
    items = [
        create_to_ap(await note_document(context, s, account, with_context=False), account,
                     with_context=False)
        for s in page[:PAGE_SIZE]
    ]  # fmt: skip
    last = page[PAGE_SIZE - 1].id if len(page) > PAGE_SIZE else None
    return ActivityResponse(
        ordered_page(uri, max_id, total, items, last, len(page) > PAGE_SIZE, NOTE_CONTEXT)
    )


async def _actor_list(request: Request, side: Literal["followers", "following"]) -> Response:
    account, _ = await load_readable_actor(request)
    context = context_of(request)
    uri = (account.followers_uri if side == "followers" else account.following_uri) or ""
    max_id = parse_max_id(request)
    async with context.db.read() as conn:
        counts = await account_stats.counts(conn, account.id)
        total = counts.followers if side == "followers" else counts.following
        if not is_page_request(request):
            return ActivityResponse(ordered_collection(uri, total))
        rows = await follows.actor_uris_page(conn, account.id, side, max_id, PAGE_SIZE + 1)
    has_more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    last = rows[-1][0] if has_more else None
    items = [actor_uri for _, actor_uri in rows]
    return ActivityResponse(ordered_page(uri, max_id, total, items, last, has_more))


async def followers(request: Request) -> Response:
    return await _actor_list(request, "followers")


async def following(request: Request) -> Response:
    return await _actor_list(request, "following")


async def featured(request: Request) -> Response:
    account, _ = await load_readable_actor(request)
    context = context_of(request)
    async with context.db.read() as conn:
        pinned = await pins.pinned_public(conn, account.id, PAGE_SIZE)
    return ActivityResponse(
        {
            "@context": NOTE_CONTEXT,
            "id": account.featured_uri,
            "type": "OrderedCollection",
            "totalItems": len(pinned),
            "orderedItems": [
                await note_document(context, s, account, with_context=False) for s in pinned
            ],
        }
    )


def parse_status_id(request: Request) -> int:
    status_id = parse_id(request.path_params["status_id"])
    if status_id is None:
        raise HTTPException(404, "no such post")
    return status_id


_SIGNER = "fedi.signer"  # the scope key under which the verified signer of a GET is kept


async def remote_signer(request: Request) -> Account | None:
    """The remote actor who signed this GET, if it is signed and the signature verifies;
    verified once per request, however many checks ask."""
    if _SIGNER in request.scope:
        found: Account | None = request.scope[_SIGNER]
        return found
    signer: Account | None = None
    if "signature" in request.headers or "signature-input" in request.headers:
        target = request_target(request.scope)
        try:
            signer = await verify_signed_request(
                context_of(request), request.method, target, request.headers, b""
            )
        except VerificationError:
            signer = None
    found = signer if signer is not None and signer.domain is not None else None
    request.scope[_SIGNER] = found
    return found


async def is_signed_follower(request: Request, author: Account) -> bool:
    """Whether the request is signed by an approved follower of author, or by another actor of a
    follower's server (Mastodon signs fetches with its instance actor). For a private group,
    only those fedi.groups.groups.may_read admits: not just anyone on a member's server (V2)."""
    signer = await remote_signer(request)
    if signer is None or signer.domain is None:
        return False
    group = await group_of(context_of(request), author)
    if group is not None and group.is_private:
        return await may_read(context_of(request), group, signer)
    async with context_of(request).db.read() as conn:
        return await follows.is_follower_or_on_follower_host(
            conn, author.id, signer.id, signer.domain
        )


async def may_see(request: Request, status: Status, author: Account) -> bool:
    """Public and unlisted posts are for everyone; followers-only ones for a signed follower (or
    its server); direct ones for a signed request from a mentioned account or its server.
    Local-only posts for no one: what is served here is for other servers and anonymous
    visitors, who never see them."""
    if status.is_local_only:
        return False
    if status.visibility in ("public", "unlisted"):
        return True
    if status.visibility == "private":
        return await is_signed_follower(request, author)
    signer = await remote_signer(request)
    if signer is None:
        return False
    if is_submission(status):
        return signer.id == status.group_id  # a submission: for the group, not its server
    async with context_of(request).db.read() as conn:
        details = await statuses.details(conn, status.id)
    return any(m.account_id == signer.id or m.domain == signer.domain for m in details.mentions)


async def visible_status(request: Request) -> tuple[Status, Account]:
    """The requested post of the requested author, or the same 404 as for a post that does not
    exist, whatever the reason it cannot be shown."""
    account = await load_active_actor(request)
    context = context_of(request)
    async with context.db.read() as conn:
        status = await statuses.get_of_account(conn, account.id, parse_status_id(request))
    if status is None or not await may_see(request, status, account):
        raise HTTPException(404, "no such post")
    return status, account


async def status_object(request: Request) -> Response:
    status, account = await visible_status(request)
    if not wants_activity_json(request):
        if status.visibility not in ("public", "unlisted"):
            raise HTTPException(404, "no such post")
        return page_redirect(request, status.url or "")
    return ActivityResponse(await note_document(context_of(request), status, account))


async def status_activity(request: Request) -> Response:
    status, account = await visible_status(request)
    note = await note_document(context_of(request), status, account, with_context=False)
    return ActivityResponse(create_to_ap(note, account))


async def replies(request: Request) -> Response:
    """The public replies to a post (FEP-7888 threads are built from these)."""
    status, _ = await visible_status(request)
    context = context_of(request)
    uri = f"{status.uri}/replies"
    max_id = parse_max_id(request)
    async with context.db.read() as conn:
        total = await statuses.count_replies(conn, status.id)
        if not is_page_request(request):
            return ActivityResponse(ordered_collection(uri, total))
        page = await statuses.replies_page(conn, status.id, max_id, PAGE_SIZE + 1)
    items = [s.uri for s in page[:PAGE_SIZE]]
    last = page[PAGE_SIZE - 1].id if len(page) > PAGE_SIZE else None
    return ActivityResponse(ordered_page(uri, max_id, total, items, last, len(page) > PAGE_SIZE))


routes = [
    Route("/actor", instance_actor, methods=["GET"]),
    Route("/actor/outbox", instance_outbox, methods=["GET"]),
    Route("/users/{username}", actor, methods=["GET"]),
    Route("/users/{username}/outbox", outbox, methods=["GET"]),
    Route("/users/{username}/followers", followers, methods=["GET"]),
    Route("/users/{username}/following", following, methods=["GET"]),
    Route("/users/{username}/collections/featured", featured, methods=["GET"]),
    Route("/users/{username}/statuses/{status_id}", status_object, methods=["GET"]),
    Route("/users/{username}/statuses/{status_id}/activity", status_activity, methods=["GET"]),
    Route("/users/{username}/statuses/{status_id}/replies", replies, methods=["GET"]),
]
