"""POST to an inbox: cap the body, parse it strictly, verify the signature and its signer, store
the raw activity (once per id) and answer 202; the inbox worker does the rest."""

from __future__ import annotations

import logging

from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from fedi.activitypub.parse import InvalidActivity, host_of, required_uri, types_of, uri_of
from fedi.context import Context
from fedi.core.ids import new_id
from fedi.core.jsonsafe import JSONError, loads_object
from fedi.core.ratelimit import VERIFIED_SIGNER
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, inbox_activities
from fedi.federation.verify import VerificationError, request_target, verify_signed_request
from fedi.groups.followers_sync import HEADER as SYNC_HEADER
from fedi.groups.followers_sync import MAX_HEADER as MAX_SYNC_HEADER
from fedi.web.federation_guard import claimed_signature, refuses, signed_fields
from fedi.web.responses import json_error
from keys.httpsig import ParsedSignature

log = logging.getLogger(__name__)
MAX_BODY = 1_048_576  # security.md R1, as Mastodon's body_with_limit


class BodyTooLarge(Exception):
    pass


async def read_body(receive: Receive, declared: str | None) -> bytes:
    """The body, refused past MAX_BODY whatever Content-Length (`declared`) says."""
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:  # a Content-Length that lies is caught here
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def _accepted(send: Send) -> None:
    # As Response(status_code=202) sends it, without building one per activity.
    await send({"type": "http.response.start", "status": 202, "headers": [_NO_CONTENT]})
    await send({"type": "http.response.body", "body": b""})


_NO_CONTENT = (b"content-length", b"0")
_SYNC_HEADER = SYNC_HEADER.lower().encode("latin-1")


def _first_header(scope: Scope, name: bytes) -> str | None:
    """The first field called `name` (lower-case), as Starlette's Headers.get reads it."""
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


async def _recipient(context: Context, username: str | None) -> tuple[int | None, bool]:
    """The personal inbox's owner (None for the shared inbox), and whether it exists."""
    if username is None:
        return None, True
    with context.db.inline_reads():  # one indexed lookup: cheaper than a thread hand-off
        async with context.db.read() as conn:
            account = await accounts.get_local_actor(conn, username, federated=True)
    if account is None or account.actor_type == "Application" or account.is_suspended:
        return None, False
    return account.id, True


async def receive_activity(
    context: Context, scope: Scope, receive: Receive, send: Send, username: str | None
) -> None:
    """Answer an inbox POST (`username`: the personal inbox's, None for the shared inbox):
    202 once the activity is stored, or the error that refused it."""
    refusal = await _receive(context, scope, receive, username)
    if refusal is None:
        await _accepted(send)
    else:
        await refusal(scope, receive, send)


async def _receive(
    context: Context, scope: Scope, receive: Receive, username: str | None
) -> Response | None:
    """None once the activity is stored (202), else the answer that refuses it."""
    recipient_id, exists = await _recipient(context, username)
    if not exists:
        return json_error(404, "no such inbox")
    fields = signed_fields(scope)  # the headers, as the signature reads them
    try:
        body = await read_body(receive, fields.get("content-length"))
    except BodyTooLarge:
        return json_error(413, f"the body is larger than {MAX_BODY} bytes")
    try:
        activity = loads_object(body, MAX_BODY)
        activity_uri = required_uri(activity, "id")
        actor_uri = uri_of(activity.get("actor"))
        kinds = types_of(activity)
        if actor_uri is None or not kinds:
            raise InvalidActivity("an activity needs an actor and a type")
    except (JSONError, InvalidActivity) as exc:
        return json_error(400, str(exc))
    actor_host = host_of(actor_uri)
    if host_of(activity_uri) != actor_host:
        return json_error(400, "the activity id is not on the actor's host")  # S17
    if refuses(context.policy.current, actor_host):
        return json_error(403, "forbidden")  # M1: before any key is fetched

    parsed = claimed_signature(scope)  # parsed once, in front of the application
    if not isinstance(parsed, ParsedSignature):
        return json_error(401, str(parsed))  # S1: nothing stored, nothing fetched

    if "Delete" in kinds:
        with context.db.inline_reads():
            async with context.db.read() as conn:
                known = await accounts.get_by_uri(conn, actor_uri)
        if known is None:
            # An unknown actor deleting something: nothing of theirs is here, and fetching their
            # key would only feed a flood (Mastodon skip_unknown_actor_activity; security.md R6).
            return None

    target = request_target(scope)
    try:
        signer = await verify_signed_request(context, "POST", target, fields, body, parsed)
    except VerificationError as exc:
        return json_error(401, str(exc))
    if signer.uri != actor_uri:
        # No LD-signature fallback: the signer must be the actor (S10).
        return json_error(401, "the signer is not the activity's actor")
    scope[VERIFIED_SIGNER] = signer.uri  # counts against its domain's rate limit

    kind = min(kinds)
    # FEP-8fcf: kept for the worker, which compares follower digests after the activity.
    sync = _first_header(scope, _SYNC_HEADER)
    if sync is not None and len(sync) > MAX_SYNC_HEADER:
        sync = None
    row = inbox_activities.NewInboxRow(
        id=new_id(),
        activity_uri=activity_uri,
        actor_uri=actor_uri,
        type=kind,
        body=body.decode("utf-8"),  # already checked to be UTF-8 JSON
        recipient_id=recipient_id,
        now=to_db(utcnow()),
        collection_sync=sync,
    )
    # Stored once per id (a replay is skipped), with the other POSTs of the moment in one
    # statement and one commit; the 202 goes only once it is durable.
    await context.db.write_together(inbox_activities.insert_all, row)
    context.wake.inbox.set()
    # Debug only: at INFO, a line per activity costs a busy inbox more than storing it.
    log.debug("received %s %s from %s", kind, activity_uri, actor_uri)
    return None


class InboxEndpoint:
    """The inbox as the router's endpoint, for the POSTs inbox.front leaves to the application."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        context: Context = scope["app"].state.context
        username: str | None = scope.get("path_params", {}).get("username")
        await receive_activity(context, scope, receive, send, username)


endpoint = InboxEndpoint()
routes = [
    Route("/inbox", endpoint, methods=["POST"]),
    Route("/users/{username}/inbox", endpoint, methods=["POST"]),
    Route("/actor/inbox", endpoint, methods=["POST"]),
]
