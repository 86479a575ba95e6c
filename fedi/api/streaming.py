"""The streaming API, as Mastodon's streaming server: Server-Sent Events on one path per stream
(/api/v1/streaming/user, /public/local, /hashtag?tag=…), and a WebSocket on /api/v1/streaming
carrying many subscriptions, each message naming its stream. What is sent is decided in
fedi.api.stream_events; here are the two transports, heartbeats included."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from fedi.api.base import bearer_of
from fedi.api.stream_events import Session, StreamError, dump, events_for, session_of, stream_for
from fedi.context import Context
from fedi.db import streams as stream_sql
from fedi.db.changes import Change
from fedi.streams.audience import PUBLIC_STREAMS, Stream
from fedi.streams.hub import Listener
from fedi.web.responses import EventStreamResponse, JSONResponse, json_error
from fedi.web.state import context_of

MAX_SUBSCRIPTIONS = 64  # per WebSocket
MAX_MESSAGE = 4096  # characters of one client message


# Server-Sent Events


async def _items(
    context: Context, session: Session, listener: Listener
) -> AsyncGenerator[Change | str | None, None]:
    """The listener's items, and None at each heartbeat. Ends when the listener is closed, or
    when a heartbeat finds the token no longer valid: a suspension or revocation written by
    another process (the command line) fires no trigger here."""
    loop = asyncio.get_running_loop()
    beat_at = loop.time() + context.streams.heartbeat
    while True:
        try:
            item = await asyncio.wait_for(listener.next(), max(0.0, beat_at - loop.time()))
        except TimeoutError:
            beat_at = loop.time() + context.streams.heartbeat
            async with context.db.read() as conn:
                if not await stream_sql.token_is_live(conn, session.token.id):
                    return
            yield None
            continue
        if item is None:
            return
        yield item


async def _sse_body(
    context: Context, session: Session, stream: Stream, listener: Listener
) -> AsyncIterator[str]:
    yield ":)\n"
    async for item in _items(context, session, listener):
        if item is None:
            yield ":thump\n"
        elif not isinstance(item, str):
            for event in await events_for(context, session, [stream], item):
                yield f"event: {event.event}\ndata: {event.payload}\n\n"


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "on", "yes")


def sse_endpoint(name: str) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        context = context_of(request)
        query = request.query_params
        channel = name
        if name in PUBLIC_STREAMS and _truthy(query.get("only_media")):
            channel = f"{name}:media"
        try:
            token_text = bearer_of(request) or query.get("access_token")
            session = await session_of(context, token_text)
            stream = await stream_for(
                context, session, channel, query.get("tag"), query.get("list")
            )
        except StreamError as exc:
            return json_error(exc.status, exc.message)
        hub = context.streams
        # Registered before the headers go out: once an app sees 200, it misses nothing.
        listener = await hub.listen(context.db, session.account_id, session.token.id)
        return EventStreamResponse(
            _sse_body(context, session, stream, listener), lambda: hub.leave(listener)
        )

    endpoint.__name__ = f"stream_{name.replace(':', '_')}"
    return endpoint


async def health(request: Request) -> Response:
    return PlainTextResponse("OK")


# WebSocket


def _request_token(ws: WebSocket) -> tuple[str | None, str | None]:
    """(token, subprotocol to answer with). Mastodon reads the Authorization header first, then
    `access_token`, then Sec-WebSocket-Protocol (browsers cannot set headers on a WebSocket), and
    the protocol offered is echoed back, as browsers require."""
    offered: list[str] = list(ws.scope.get("subprotocols") or [])
    protocol = offered[0] if offered else None
    header = ws.headers.get("authorization", "")
    bearer = header[7:].strip() if header[:7].lower() == "bearer " else None
    return bearer or ws.query_params.get("access_token") or protocol, protocol


async def _deny(ws: WebSocket, exc: StreamError) -> None:
    if "websocket.http.response" in ws.scope.get("extensions", {}):
        await ws.send_denial_response(JSONResponse({"error": exc.message}, status_code=exc.status))
    else:
        await ws.close(code=1008, reason=exc.message)


async def _handle_message(
    context: Context, text: str, session: Session, subscribed: dict[Stream, None]
) -> str | None:
    """Apply one client message; returns the error reply to send, if any."""
    if len(text) > MAX_MESSAGE:
        return None
    try:
        message = json.loads(text)
    except ValueError:
        return None  # Mastodon ignores what it cannot parse
    if not isinstance(message, dict) or message.get("type") not in ("subscribe", "unsubscribe"):
        return None
    name = message.get("stream")
    if isinstance(name, list):
        name = name[0] if name else None
    try:
        stream = await stream_for(
            context,
            session,
            name if isinstance(name, str) else "",
            message.get("tag"),
            message.get("list"),
        )
    except StreamError as exc:
        return dump({"error": exc.message, "status": exc.status})
    if message["type"] == "unsubscribe":
        subscribed.pop(stream, None)
    elif stream not in subscribed:
        if len(subscribed) >= MAX_SUBSCRIPTIONS:
            return dump({"error": "Too many subscriptions", "status": 400})
        subscribed[stream] = None
    return None


async def _receive(
    ws: WebSocket,
    context: Context,
    session: Session,
    subscribed: dict[Stream, None],
    listener: Listener,
) -> int | None:
    """Read client messages until the client leaves (None) or must be closed (a close code)."""
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return None
            text = message.get("text")
            if text is None:
                return 1003  # Mastodon: binary messages are not supported
            reply = await _handle_message(context, text, session, subscribed)
            if reply is not None:
                listener.push(reply)
    finally:
        listener.close()


async def websocket_stream(ws: WebSocket) -> None:
    context: Context = ws.app.state.context
    token_text, protocol = _request_token(ws)
    try:
        session = await session_of(context, token_text)
    except StreamError as exc:
        await _deny(ws, exc)
        return
    await ws.accept(subprotocol=protocol)
    subscribed: dict[Stream, None] = {}
    if name := ws.query_params.get("stream"):
        query = ws.query_params
        try:
            stream = await stream_for(context, session, name, query.get("tag"), query.get("list"))
            subscribed[stream] = None
        except StreamError as exc:
            await ws.send_text(dump({"error": exc.message, "status": exc.status}))
    hub = context.streams
    listener = await hub.listen(context.db, session.account_id, session.token.id)
    receiver = asyncio.create_task(_receive(ws, context, session, subscribed, listener))
    try:
        items = _items(context, session, listener)
        async with contextlib.aclosing(items):
            async for item in items:
                if item is None:
                    continue  # the server pings WebSockets itself
                if isinstance(item, str):
                    await ws.send_text(item)
                    continue
                for event in await events_for(context, session, list(subscribed), item):
                    frame = {"stream": event.stream.label(), "event": event.event}
                    await ws.send_text(dump({**frame, "payload": event.payload}))
    except (WebSocketDisconnect, OSError):
        pass
    finally:
        hub.leave(listener)
        # The client left (None), sent what ends the socket (a code), or the hub ended the
        # stream (suspension, revoked token, shutdown): then we close it.
        ended = receiver.done() and not receiver.cancelled() and receiver.exception() is None
        code = receiver.result() if ended else 1000
        receiver.cancel()
        await asyncio.gather(receiver, return_exceptions=True)
        if code is not None and ws.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(RuntimeError, OSError):  # the client went away meanwhile
                await ws.close(code=code)


_SSE_PATHS = {
    "user": "user",
    "user/notification": "user:notification",
    "public": "public",
    "public/local": "public:local",
    "public/remote": "public:remote",
    "hashtag": "hashtag",
    "hashtag/local": "hashtag:local",
    "list": "list",
    "direct": "direct",
}


def _streaming_routes() -> list[BaseRoute]:
    table: list[BaseRoute] = [
        WebSocketRoute("/api/v1/streaming", websocket_stream),
        WebSocketRoute("/api/v1/streaming/", websocket_stream),
        Route("/api/v1/streaming/health", health, methods=["GET"]),
    ]
    for path, name in _SSE_PATHS.items():
        endpoint = sse_endpoint(name)
        table.append(Route(f"/api/v1/streaming/{path}", endpoint, methods=["GET"]))
        table.append(Route(f"/api/v1/streaming/{path}/", endpoint, methods=["GET"]))
    return table


streaming_routes = _streaming_routes()
