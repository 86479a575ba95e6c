"""What a streaming connection sends, whatever its transport: who streams (a member's token, as
Mastodon requires since 4.2), which streams it may open (Mastodon's names, errors and scope
rules), and what a committed change means for each of its streams, rendered for its member after
the one audience check (fedi.streams.audience)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fedi.accounts import scopes
from fedi.accounts.oauth import token_for
from fedi.api.conversations import conversation_json
from fedi.api.entities import status_entity
from fedi.api.filtering import filtered_json
from fedi.api.notifications import notification_json
from fedi.context import Context
from fedi.core.ids import parse_id
from fedi.core.models import Status, User
from fedi.db import accounts, conversations, statuses
from fedi.db import lists as lists_db
from fedi.db import streams as stream_sql
from fedi.db.changes import Change
from fedi.db.oauth import Token
from fedi.statuses.batch import load
from fedi.statuses.timeline_rules import Where, judge, rules_for
from fedi.streams.audience import (
    HASHTAG_STREAMS,
    PUBLIC_STREAMS,
    STREAM_NAMES,
    Stream,
    may_receive,
)

MAX_TAG = 200


class StreamError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Session:
    """A member streaming through one token."""

    token: Token
    user: User

    @property
    def account_id(self) -> int:
        return self.user.account.id

    @property
    def reads_notifications(self) -> bool:
        # Mastodon: the user stream carries notifications only for read or read:notifications.
        return scopes.grants(self.token.scopes, "read:notifications")


@dataclass(frozen=True)
class Event:
    stream: Stream
    event: str
    payload: str


async def session_of(context: Context, token_text: str | None) -> Session:
    """Mastodon requires a member's token for every stream since 4.2 (app tokens included)."""
    if not token_text:
        raise StreamError(401, "Missing access token")
    token = await token_for(context, token_text)
    if token is None or token.user is None:
        raise StreamError(401, "Invalid access token")
    return Session(token, token.user)


async def stream_for(
    context: Context, session: Session, name: str, tag: object = None, list_id: object = None
) -> Stream:
    """The stream a request names, once the token may read it (Mastodon's errors and order)."""
    if name not in STREAM_NAMES:
        raise StreamError(400, "Unknown stream type")
    if name not in PUBLIC_STREAMS and name not in HASHTAG_STREAMS:
        needed = "read:notifications" if name == "user:notification" else "read:statuses"
        if not scopes.grants(session.token.scopes, needed):
            raise StreamError(401, "Access token does not cover required scopes")
    if name in HASHTAG_STREAMS:
        sent = tag.strip() if isinstance(tag, str) else ""
        normalized = sent.lstrip("#").lower()
        if not normalized or len(normalized) > MAX_TAG:
            raise StreamError(400, "No tag for stream provided")
        return Stream(name, tag=normalized, as_sent=sent)
    if name == "list":
        wanted = parse_id(str(list_id)) if isinstance(list_id, (str, int)) else None
        async with context.db.read() as conn:
            owned = await lists_db.get_list(conn, session.account_id, wanted) if wanted else None
        if owned is None:  # another member's list, or none: the same answer (Mastodon's)
            raise StreamError(404, "Not authorized to stream this list")
        return Stream(name, list_id=owned.id)
    return Stream(name)


# The filter context (Mastodon's CustomFilter contexts) of each stream's posts.
def _where(stream: Stream) -> Where:
    if stream.name in ("user", "list"):
        return "home"
    if stream.name == "direct":
        return "thread"
    return "public"


async def events_for(
    context: Context, session: Session, subscribed: Iterable[Stream], change: Change
) -> list[Event]:
    """What `change` means for each of a connection's streams, rendered for its member."""
    wanted = list(subscribed)
    if not wanted:
        return []
    if change.kind == "notification":
        return await _notification_events(context, session, wanted, change.ref)
    if change.kind not in ("update", "status.update", "delete"):
        return []
    async with context.db.read() as conn:
        if change.kind == "delete":
            if change.detail is None:
                return []
            post = stream_sql.deleted_post_facts(change.ref, change.detail)
        else:
            found = await stream_sql.post_facts(conn, change.ref)
            if found is None:  # deleted since
                return []
            post = found
        targets = [s for s in wanted if await may_receive(conn, session.account_id, s, post)]
        status = None if change.kind == "delete" else await statuses.get_by_id(conn, change.ref)
    if not targets:
        return []
    if change.kind == "delete":
        return [Event(stream, change.kind, str(change.ref)) for stream in targets]
    if status is None:
        return []
    # The member's mutes, blocks, domain blocks, exclusive lists and filters, per stream: a
    # `hide` filter drops the event, a `warn` filter marks the status as the timeline would.
    rules = await rules_for(context, session.account_id)
    batch = await load(context, [status], session.user.account)
    rendered = status_entity(context, batch, status, session.user)
    events = []
    for stream in targets:
        verdict = judge(batch, rules, status, _where(stream), stream.name == "list")
        if verdict.hidden:
            continue
        if stream.name == "direct" and change.kind == "update":
            # The direct stream carries the conversation the post lands in, as Mastodon's does.
            conversation = await _conversation_of(context, session, status)
            if conversation is not None:
                events.append(Event(stream, "conversation", dump(conversation)))
            continue
        body = {**rendered, "filtered": filtered_json(verdict)}
        if body.get("reblog"):
            body["reblog"] = {**body["reblog"], "filtered": body["filtered"]}
        events.append(Event(stream, change.kind, dump(body)))
    return events


async def _conversation_of(
    context: Context, session: Session, status: Status
) -> dict[str, Any] | None:
    async with context.db.read() as conn:
        found = await conversations.of_thread(
            conn, session.account_id, status.thread_uri or status.uri
        )
    return await conversation_json(context, session.user, found) if found else None


async def _notification_events(
    context: Context, session: Session, wanted: list[Stream], notification_id: int
) -> list[Event]:
    targets = [
        s
        for s in wanted
        if s.name == "user:notification" or (s.name == "user" and session.reads_notifications)
    ]
    if not targets:
        return []
    async with context.db.read() as conn:
        row = await stream_sql.notification_of(conn, session.account_id, notification_id)
        sender = await accounts.get_by_id(conn, row[2]) if row else None
    if row is None or sender is None:
        return []
    rules = await rules_for(context, session.account_id)
    if rules.hides_account(sender, "notifications"):
        return []
    body = await notification_json(context, session.user, row, rules)
    if body is None:
        return []
    payload = dump(body)
    return [Event(stream, "notification", payload) for stream in targets]


# Line separators some clients split on (Python's splitlines, httpx) though JSON allows them
# raw: escaped, an event stays on its one `data:` line. Other controls json.dumps escapes itself.
_SEPARATORS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def dump(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).translate(_SEPARATORS)
