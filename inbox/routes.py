"""POST to an inbox: cap the body, parse it strictly, verify the signature and its signer, store
the raw activity (once per id) and answer 202; the inbox worker does the rest."""

from __future__ import annotations

import logging

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

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
from fedi.web.state import context_of
from keys.httpsig import ParsedSignature

log = logging.getLogger(__name__)
MAX_BODY = 1_048_576  # security.md R1, as Mastodon's body_with_limit


class BodyTooLarge(Exception):
    pass


async def read_body(request: Request, declared: str | None) -> bytes:
    """The body, refused past MAX_BODY whatever Content-Length (`declared`) says."""
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:  # a Content-Length that lies is caught here
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def accepted() -> Response:
    return Response(status_code=202)


async def _recipient(context: Context, request: Request) -> tuple[int | None, bool]:
    """The personal inbox's owner (None for the shared inbox), and whether it exists."""
    username = request.path_params.get("username")
    if username is None:
        return None, True
    with context.db.inline_reads():  # one indexed lookup: cheaper than a thread hand-off
        async with context.db.read() as conn:
            account = await accounts.get_local_actor(conn, username, federated=True)
    if account is None or account.actor_type == "Application" or account.is_suspended:
        return None, False
    return account.id, True


async def receive(request: Request) -> Response:
    context = context_of(request)
    recipient_id, exists = await _recipient(context, request)
    if not exists:
        return json_error(404, "no such inbox")
    fields = signed_fields(request.scope)  # the headers, as the signature reads them
    try:
        body = await read_body(request, fields.get("content-length"))
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
    if host_of(activity_uri) != host_of(actor_uri):
        return json_error(400, "the activity id is not on the actor's host")  # S17
    if refuses(context.policy.current, host_of(actor_uri)):
        return json_error(403, "forbidden")  # M1: before any key is fetched

    parsed = claimed_signature(request.scope)  # parsed once, in front of the application
    if not isinstance(parsed, ParsedSignature):
        return json_error(401, str(parsed))  # S1: nothing stored, nothing fetched

    if "Delete" in kinds:
        with context.db.inline_reads():
            async with context.db.read() as conn:
                known = await accounts.get_by_uri(conn, actor_uri)
        if known is None:
            # An unknown actor deleting something: nothing of theirs is here, and fetching their
            # key would only feed a flood (Mastodon skip_unknown_actor_activity; security.md R6).
            return accepted()

    target = request_target(request.scope)
    try:
        signer = await verify_signed_request(context, "POST", target, fields, body, parsed)
    except VerificationError as exc:
        return json_error(401, str(exc))
    if signer.uri != actor_uri:
        # No LD-signature fallback: the signer must be the actor (S10).
        return json_error(401, "the signer is not the activity's actor")
    request.scope[VERIFIED_SIGNER] = signer.uri  # counts against its domain's rate limit

    now = to_db(utcnow())
    kind = min(kinds)
    # FEP-8fcf: kept for the worker, which compares follower digests after the activity.
    sync = request.headers.get(SYNC_HEADER)
    if sync is not None and len(sync) > MAX_SYNC_HEADER:
        sync = None
    row = inbox_activities.NewInboxRow(
        id=new_id(),
        activity_uri=activity_uri,
        actor_uri=actor_uri,
        type=kind,
        body=body.decode("utf-8"),  # already checked to be UTF-8 JSON
        recipient_id=recipient_id,
        now=now,
        collection_sync=sync,
    )
    # Stored once per id (a replay is skipped), with the other POSTs of the moment in one
    # statement and one commit; the 202 goes only once it is durable.
    await context.db.write_together(inbox_activities.insert_all, row)
    context.wake.inbox.set()
    # Debug only: at INFO, a line per activity costs a busy inbox more than storing it.
    log.debug("received %s %s from %s", kind, activity_uri, actor_uri)
    return accepted()


routes = [
    Route("/inbox", receive, methods=["POST"]),
    Route("/users/{username}/inbox", receive, methods=["POST"]),
    Route("/actor/inbox", receive, methods=["POST"]),
]
