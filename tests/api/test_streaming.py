"""The streaming API against a served instance: Server-Sent Events and WebSocket clients receive
`update`, `notification`, `status.update` and `delete` as Mastodon sends them, only what their
member may see, with Mastodon's authentication and scope rules."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from mastodon import StreamListener
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from fedi.accounts.members import add_member, get_member, set_suspended
from fedi.app import create_app
from fedi.context import open_context
from fedi.core.config import load_settings
from fedi.relationships.relationships import follow
from tests.api.clients import logged_in
from tests.api.conftest import Served
from tests.api.streams import (
    WAIT,
    password_token,
    sse,
    websocket,
    ws_next,
    ws_subscribe,
    ws_unsubscribe,
    ws_url,
)
from tests.testrig.serving import BackgroundServer, free_port


async def api(served: Served, token: str, method: str, path: str, **data: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=served.base) as http:
        response = await http.request(
            method, path, headers={"Authorization": f"Bearer {token}"}, data=data or None
        )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def post(served: Served, token: str, text: str, visibility: str = "public") -> dict[str, Any]:
    return await api(served, token, "POST", "/api/v1/statuses", status=text, visibility=visibility)


async def members(served: Served, *names: str) -> dict[str, str]:
    """Adds the members (alice exists) and returns a read/write token for each."""
    for name in names:
        if name != "alice":
            await add_member(served.context, name, f"{name}-password")
    return {name: await password_token(served.base, username=name) for name in names}


async def follows(served: Served, follower: str, followed: str) -> None:
    target = await get_member(served.context, followed)
    assert await follow(served.context, follower, target.account) == "accepted"


async def no_listeners_left(served: Served) -> bool:
    """The server lets go of closed streams (it learns of a client leaving asynchronously)."""
    for _ in range(100):
        if served.context.streams.listening == 0:
            return True
        await asyncio.sleep(0.05)
    return False


async def test_health_answers_ok(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http:
        response = await http.get("/api/v1/streaming/health")
    assert response.status_code == 200
    assert response.text == "OK"
    assert response.headers["content-type"].startswith("text/plain")


async def test_instance_points_apps_at_the_streaming_base(served: Served) -> None:
    domain = served.base.removeprefix("http://")
    async with httpx.AsyncClient(base_url=served.base) as http:
        v1 = (await http.get("/api/v1/instance")).json()
        v2 = (await http.get("/api/v2/instance")).json()
    assert v1["urls"]["streaming_api"] == f"ws://{domain}"
    assert v2["configuration"]["urls"]["streaming"] == f"ws://{domain}"


async def test_user_stream_over_sse_carries_updates_notifications_edits_and_deletes(
    served: Served,
) -> None:
    tokens = await members(served, "alice", "bob")
    await follows(served, "alice", "bob")
    async with sse(served.base, "/api/v1/streaming/user", tokens["alice"]) as stream:
        news = await post(served, tokens["bob"], "News from bob")
        event = await stream.next()
        assert event.event == "update"
        assert event.json()["id"] == news["id"]
        assert event.json()["account"]["acct"] == "bob"
        assert event.json()["content"] == "<p>News from bob</p>"

        mention = await post(served, tokens["bob"], "@alice look", "private")
        first, second = await stream.next(), await stream.next()
        assert (first.event, first.json()["id"]) == ("update", mention["id"])
        assert second.event == "notification"
        assert second.json()["type"] == "mention"
        assert second.json()["status"]["id"] == mention["id"]
        assert second.json()["account"]["acct"] == "bob"

        await api(served, tokens["bob"], "PUT", f"/api/v1/statuses/{news['id']}",
                  status="News from bob, corrected")  # fmt: skip
        edited = await stream.next()
        assert edited.event == "status.update"
        assert edited.json()["id"] == news["id"]
        assert edited.json()["content"] == "<p>News from bob, corrected</p>"
        assert edited.json()["edited_at"] is not None

        await api(served, tokens["bob"], "DELETE", f"/api/v1/statuses/{news['id']}")
        deleted = await stream.next()
        assert (deleted.event, deleted.data) == ("delete", news["id"])

        favourite = await post(served, tokens["alice"], "Mine")
        own = await stream.next()
        assert (own.event, own.json()["id"]) == ("update", favourite["id"])
        await api(served, tokens["bob"], "POST", f"/api/v1/statuses/{favourite['id']}/favourite")
        notified = await stream.next()
        assert notified.event == "notification"
        assert notified.json()["type"] == "favourite"


async def test_notification_stream_carries_notifications_only(served: Served) -> None:
    tokens = await members(served, "alice", "bob")
    await follows(served, "alice", "bob")
    async with sse(served.base, "/api/v1/streaming/user/notification", tokens["alice"]) as stream:
        await post(served, tokens["bob"], "Not a notification")
        mention = await post(served, tokens["bob"], "@alice a mention")
        event = await stream.next()
        assert event.event == "notification"
        assert event.json()["status"]["id"] == mention["id"]


async def test_heartbeat_comments_keep_an_idle_stream_alive(served: Served) -> None:
    served.context.streams.heartbeat = 0.2
    token = await password_token(served.base)
    async with sse(served.base, "/api/v1/streaming/public", token) as stream:
        assert await stream.line(within=5) == ":thump"
        assert await stream.line(within=5) == ":thump"


async def test_public_streams_carry_public_posts_by_origin_and_hashtag(served: Served) -> None:
    tokens = await members(served, "alice", "bob")
    async with (
        sse(served.base, "/api/v1/streaming/public", tokens["alice"]) as public,
        sse(served.base, "/api/v1/streaming/public/local", tokens["alice"]) as local,
        sse(served.base, "/api/v1/streaming/public/remote", tokens["alice"]) as remote,
        sse(served.base, "/api/v1/streaming/hashtag?tag=Rights", tokens["alice"]) as tag,
        sse(served.base, "/api/v1/streaming/hashtag/local?tag=rights", tokens["alice"]) as ltag,
    ):
        await post(served, tokens["bob"], "no tag, unlisted", "unlisted")
        plain = await post(served, tokens["bob"], "no tag")
        tagged = await post(served, tokens["bob"], "about #rights")
        assert [(await public.next()).json()["id"] for _ in range(2)] == [plain["id"], tagged["id"]]
        assert [(await local.next()).json()["id"] for _ in range(2)] == [plain["id"], tagged["id"]]
        assert (await tag.next()).json()["id"] == tagged["id"]
        assert (await ltag.next()).json()["id"] == tagged["id"]
        await api(served, tokens["bob"], "DELETE", f"/api/v1/statuses/{tagged['id']}")
        for stream in (public, local, tag, ltag):
            deleted = await stream.next()
            assert (deleted.event, deleted.data) == ("delete", tagged["id"])
        with pytest.raises(TimeoutError):
            await remote.next(within=0.5)  # every post here is local


async def test_sse_refuses_bad_tokens_and_scopes_as_mastodon(served: Served) -> None:
    await members(served, "alice")
    write_only = await password_token(served.base, "write")
    statuses_only = await password_token(served.base, "read:statuses")
    notifications_only = await password_token(served.base, "read:notifications")
    async with httpx.AsyncClient(base_url=served.base) as http:
        app = (await http.post("/api/v1/apps", data={
            "client_name": "x", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read",
        })).json()  # fmt: skip
        app_token = (await http.post("/oauth/token", data={
            "grant_type": "client_credentials", "client_id": app["client_id"],
            "client_secret": app["client_secret"], "scope": "read",
        })).json()["access_token"]  # fmt: skip

        async def status(path: str, token: str | None) -> tuple[int, Any]:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            response = await http.get(path, headers=headers)
            return response.status_code, response.json()

        assert await status("/api/v1/streaming/user", None) == (
            401, {"error": "Missing access token"})  # fmt: skip
        for bad in ("nonsense", app_token):
            assert await status("/api/v1/streaming/public", bad) == (
                401, {"error": "Invalid access token"})  # fmt: skip
        assert await status("/api/v1/streaming/user", write_only) == (
            401, {"error": "Access token does not cover required scopes"})  # fmt: skip
        assert (await status("/api/v1/streaming/direct", notifications_only))[0] == 401
        assert (await status("/api/v1/streaming/user/notification", statuses_only))[0] == 401
        assert await status("/api/v1/streaming/hashtag", write_only) == (
            400, {"error": "No tag for stream provided"})  # fmt: skip
        assert await status("/api/v1/streaming/list?list=1", write_only) == (
            401, {"error": "Access token does not cover required scopes"})  # fmt: skip
        assert await status("/api/v1/streaming/list?list=1", statuses_only) == (
            404, {"error": "Not authorized to stream this list"})  # fmt: skip
    # Public streams need a member's token, whatever its scopes; the others the right scope.
    async with sse(served.base, "/api/v1/streaming/public/local", write_only):
        pass
    async with sse(served.base, f"/api/v1/streaming/user?access_token={statuses_only}", None):
        pass
    async with sse(served.base, "/api/v1/streaming/user/notification", notifications_only):
        pass
    assert await no_listeners_left(served)


async def test_user_stream_without_notification_scope_carries_no_notifications(
    served: Served,
) -> None:
    tokens = await members(served, "alice", "bob")
    statuses_only = await password_token(served.base, "read:statuses")
    async with sse(served.base, "/api/v1/streaming/user", statuses_only) as stream:
        mention = await post(served, tokens["bob"], "@alice hello")
        own = await post(served, tokens["alice"], "marker")
        assert (await stream.next()).json()["id"] == mention["id"]  # addressed to alice
        marker = await stream.next()
        assert (marker.event, marker.json()["id"]) == ("update", own["id"])


async def test_nothing_private_reaches_a_stream_not_entitled_to_it(served: Served) -> None:
    """carol's followers-only and direct posts (to bob) and their deletion reach neither alice's
    streams (alice follows nobody) nor public ones; bob, addressed, gets the direct post."""
    tokens = await members(served, "alice", "bob", "carol", "dave")
    await follows(served, "dave", "carol")
    streams = ["user", "public", "public:local", "direct"]
    async with (
        websocket(served.base, tokens["alice"]) as alice,
        websocket(served.base, tokens["bob"], "stream=direct") as bob,
        websocket(served.base, tokens["dave"], "stream=user") as dave,
    ):
        for name in streams:
            await ws_subscribe(alice, stream=name)
        await ws_subscribe(alice, stream="hashtag", tag="secret")
        await ws_subscribe(alice, stream="hashtag:local", tag="secret")

        followers_only = await post(served, tokens["carol"], "#secret for followers", "private")
        direct = await post(served, tokens["carol"], "@bob #secret only for you", "direct")
        unlisted = await post(served, tokens["carol"], "#secret quietly", "unlisted")
        for gone in (followers_only, direct, unlisted):
            await api(served, tokens["carol"], "DELETE", f"/api/v1/statuses/{gone['id']}")
        marker = await post(served, tokens["carol"], "#secret in public")

        received = [await ws_next(alice) for _ in range(4)]
        assert sorted((m["event"], m["stream"][0]) for m in received) == [
            ("update", "hashtag"), ("update", "hashtag:local"),
            ("update", "public"), ("update", "public:local"),
        ]  # fmt: skip
        assert {json.loads(m["payload"])["id"] for m in received} == {marker["id"]}
        assert [m["stream"] for m in received if m["stream"][0].startswith("hashtag")] == [
            ["hashtag", "secret"],
            ["hashtag:local", "secret"],
        ]

        got = await ws_next(bob)
        assert (got["event"], got["stream"]) == ("conversation", ["direct"])
        conversation = json.loads(got["payload"])
        assert conversation["id"] == direct["id"] and conversation["unread"] is True
        assert [a["acct"] for a in conversation["accounts"]] == ["carol"]
        assert conversation["last_status"]["id"] == direct["id"]
        assert conversation["last_status"]["visibility"] == "direct"
        got = await ws_next(bob)
        assert (got["event"], got["stream"], got["payload"]) == ("delete", ["direct"], direct["id"])

        seen = [await ws_next(dave) for _ in range(5)]  # dave follows carol: not the direct post
        assert [
            (m["event"], m["payload"] if m["event"] == "delete" else json.loads(m["payload"])["id"])
            for m in seen
        ] == [
            ("update", followers_only["id"]), ("update", unlisted["id"]),
            ("delete", followers_only["id"]), ("delete", unlisted["id"]),
            ("update", marker["id"]),
        ]  # fmt: skip


async def test_websocket_subscriptions_come_and_go(served: Served) -> None:
    tokens = await members(served, "alice", "bob")
    async with websocket(served.base, tokens["alice"], "stream=user") as ws:
        await ws_subscribe(ws, stream="hashtag", tag="Live")
        tagged = await post(served, tokens["alice"], "#live one")
        frames = [await ws_next(ws) for _ in range(2)]
        assert sorted(tuple(f["stream"]) for f in frames) == [("hashtag", "Live"), ("user",)]
        assert all(json.loads(f["payload"])["id"] == tagged["id"] for f in frames)
        await ws_subscribe(ws, stream="hashtag", tag="live")  # the same stream: no duplicate
        await ws_unsubscribe(ws, stream="hashtag", tag="LIVE")
        again = await post(served, tokens["alice"], "#live two")
        frame = await ws_next(ws)
        assert frame["stream"] == ["user"]
        assert json.loads(frame["payload"])["id"] == again["id"]
        with pytest.raises(TimeoutError):
            await ws_next(ws, within=0.5)


async def test_websocket_errors_and_ignored_messages(served: Served) -> None:
    await members(served, "alice")
    write_only = await password_token(served.base, "write")
    async with websocket(served.base, write_only, "stream=user") as ws:
        assert await ws_next(ws) == {
            "error": "Access token does not cover required scopes",
            "status": 401,
        }
        await ws.send("not json")
        await ws.send("[1, 2]")
        await ws.send(json.dumps({"type": "dance", "stream": "user"}))
        await ws.send(json.dumps({"type": "subscribe", "stream": "hashtag"}))
        assert await ws_next(ws) == {"error": "No tag for stream provided", "status": 400}
        await ws.send(json.dumps({"type": "subscribe", "stream": ["direct"]}))
        assert (await ws_next(ws))["status"] == 401
        await ws.send(json.dumps({"type": "subscribe", "stream": "list", "list": "5"}))
        assert (await ws_next(ws))["status"] == 401
        await ws.send(b"binary")
        with pytest.raises(ConnectionClosed) as closed:
            await ws_next(ws)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1003


async def test_websocket_tokens_from_header_protocol_or_query(served: Served) -> None:
    tokens = await members(served, "alice")
    token = tokens["alice"]
    async with connect(ws_url(served.base), subprotocols=[token]) as ws:  # type: ignore[list-item]
        assert ws.subprotocol == token  # echoed back, as browsers require
        await ws_subscribe(ws, stream="user")
    headers = {"Authorization": f"Bearer {token}"}
    async with connect(ws_url(served.base, "stream=user"), additional_headers=headers) as ws:
        await ws_subscribe(ws, stream="public")
    for query in ("access_token=nonsense&stream=user", "stream=public", ""):
        with pytest.raises(InvalidStatus) as refused:
            async with connect(ws_url(served.base, query)):
                pass
        assert refused.value.response.status_code == 401
        assert json.loads(refused.value.response.body or b"{}")["error"].endswith("access token")


async def test_suspension_and_revocation_end_open_streams(served: Served) -> None:
    tokens = await members(served, "alice", "bob")
    async with (
        sse(served.base, "/api/v1/streaming/user", tokens["alice"]) as stream,
        websocket(served.base, tokens["alice"], "stream=public") as ws,
        sse(served.base, "/api/v1/streaming/public", tokens["bob"]) as other,
    ):
        await set_suspended(served.context, "alice", True)
        assert await stream.ended()
        with pytest.raises(ConnectionClosed):
            await ws_next(ws)
        marker = await post(served, tokens["bob"], "bob goes on")
        assert (await other.next()).json()["id"] == marker["id"]
    async with sse(served.base, "/api/v1/streaming/public", tokens["bob"]) as stream:
        async with httpx.AsyncClient(base_url=served.base) as http:
            apps = await http.post("/api/v1/apps", data={
                "client_name": "x", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"})  # fmt: skip
            # A token is revoked by its own app: make one and revoke it while it streams.
            issued = await http.post("/oauth/token", data={
                "grant_type": "password", "client_id": apps.json()["client_id"],
                "client_secret": apps.json()["client_secret"], "username": "bob",
                "password": "bob-password", "scope": "read"})  # fmt: skip
            token = issued.json()["access_token"]
            async with sse(served.base, "/api/v1/streaming/public", token) as revoked:
                await http.post("/oauth/revoke", data={
                    "client_id": apps.json()["client_id"],
                    "client_secret": apps.json()["client_secret"], "token": token})  # fmt: skip
                assert await revoked.ended()
        marker = await post(served, tokens["bob"], "still here")
        assert (await stream.next()).json()["id"] == marker["id"]
    assert await no_listeners_left(served)


class Recorder(StreamListener):
    def __init__(self) -> None:
        self.updates: list[Any] = []
        self.notifications: list[Any] = []
        self.done = threading.Event()

    def on_update(self, status: Any) -> None:
        self.updates.append(status)

    def on_notification(self, notification: Any) -> None:
        self.notifications.append(notification)
        self.done.set()


async def test_mastodon_py_stream_user_hears_updates_and_notifications(served: Served) -> None:
    await members(served, "alice", "bob")
    await follows(served, "alice", "bob")
    # Mastodon.py's reader thread notices close() only when bytes arrive: beat often.
    served.context.streams.heartbeat = 0.2
    heard = Recorder()

    def run() -> tuple[Any, Any]:
        with logged_in(served.base) as alice, logged_in(served.base, username="bob") as bob:
            handle = alice.stream_user(heard, run_async=True)
            try:
                deadline = time.monotonic() + WAIT
                while served.context.streams.listening == 0 and time.monotonic() < deadline:
                    time.sleep(0.02)
                news = bob.status_post("Morning news")
                mention = bob.status_post("@alice are you there?", visibility="private")
                assert heard.done.wait(WAIT)
            finally:
                handle.close()
                handle.join(WAIT)
            assert not handle.is_alive()
            return news, mention

    news, mention = await asyncio.to_thread(run)
    assert [s["id"] for s in heard.updates] == [news["id"], mention["id"]]
    assert heard.updates[0]["account"]["acct"] == "bob"
    assert [(n["type"], n["status"]["id"]) for n in heard.notifications] == [
        ("mention", mention["id"])
    ]


async def test_stopping_the_server_ends_open_streams(tmp_path: Path) -> None:
    """uvicorn waits for open responses before it stops: the streams must end by themselves."""
    port = free_port()
    settings = load_settings({
        "FEDI_DOMAIN": f"127.0.0.1:{port}", "FEDI_SCHEME": "http",
        "FEDI_DATA_DIR": str(tmp_path / "data"), "FEDI_PASSWORD_GRANT": "true",
    })  # fmt: skip
    async with open_context(settings) as context:
        await add_member(context, "alice", "alice-password")
        app = create_app(settings, context, workers=False)
        server = BackgroundServer(app, port, before_stop=context.streams.close_all)
        await server.start()
        token = await password_token(settings.base_url)
        async with (
            sse(settings.base_url, "/api/v1/streaming/user", token) as stream,
            websocket(settings.base_url, token, "stream=public") as ws,
        ):
            async with asyncio.timeout(WAIT):
                await server.stop()
            assert await stream.ended()
            with pytest.raises(ConnectionClosed):
                await ws_next(ws)
        assert context.streams.listening == 0


async def test_user_stream_shows_exactly_the_home_timeline(served: Served) -> None:
    """Every visibility, mentions and a boost: what alice's user stream carries is what her home
    timeline lists, in the same order, and the public stream carries no boost."""
    tokens = await members(served, "alice", "bob", "carol")
    await follows(served, "alice", "bob")
    bob, carol, alice = tokens["bob"], tokens["carol"], tokens["alice"]
    async with (
        websocket(served.base, alice, "stream=user") as user,
        sse(served.base, "/api/v1/streaming/public", alice) as public,
    ):
        carols = await post(served, carol, "carol in public")
        for text, visibility in [
            ("bob public", "public"), ("bob unlisted", "unlisted"), ("bob private", "private"),
            ("@alice bob direct", "direct"), ("@carol bob direct to carol", "direct"),
        ]:  # fmt: skip
            await post(served, bob, text, visibility)
        for text, visibility in [
            ("@alice carol mentions", "private"), ("carol private", "private"),
            ("@bob carol unlisted", "unlisted"),
        ]:  # fmt: skip
            await post(served, carol, text, visibility)
        await api(served, bob, "POST", f"/api/v1/statuses/{carols['id']}/reblog")
        await post(served, alice, "@carol alice direct", "direct")
        marker = await post(served, alice, "alice marker")

        streamed: list[str] = []
        while not streamed or streamed[-1] != marker["id"]:
            frame = await ws_next(user)
            if frame["event"] == "update":
                streamed.append(json.loads(frame["payload"])["id"])
        async with httpx.AsyncClient(base_url=served.base) as http:
            home = await http.get(
                "/api/v1/timelines/home", params={"limit": 40},
                headers={"Authorization": f"Bearer {alice}"},
            )  # fmt: skip
        assert streamed == [s["id"] for s in reversed(home.json())]
        assert len(streamed) == 8  # bob's 4 to her, his boost, carol's mention, alice's two

        seen = [(await public.next()).json() for _ in range(3)]
        assert [s["content"] for s in seen] == [
            "<p>carol in public</p>",
            "<p>bob public</p>",
            "<p>alice marker</p>",
        ]


async def test_an_event_stays_on_one_line_whatever_the_text(served: Served) -> None:
    tokens = await members(served, "alice")
    text = "one\u2028two\u2029three\x85 عربي"
    async with sse(served.base, "/api/v1/streaming/public", tokens["alice"]) as stream:
        posted = await post(served, tokens["alice"], text)
        event = await stream.next()
        assert event.json()["id"] == posted["id"]
        assert event.json()["content"] == posted["content"]
        assert "عربي" in event.data  # not escaped: only line separators are


@pytest.mark.sqlite_only
async def test_a_suspension_written_by_another_process_ends_streams_at_the_heartbeat(
    served: Served,
) -> None:
    """`fedi user suspend` runs in its own process: no trigger fires in the server, so each
    heartbeat checks that the stream's token still works."""
    tokens = await members(served, "alice")
    served.context.streams.heartbeat = 0.2
    async with (
        sse(served.base, "/api/v1/streaming/public", tokens["alice"]) as stream,
        websocket(served.base, tokens["alice"], "stream=public") as ws,
    ):
        other = sqlite3.connect(served.context.settings.database_path, isolation_level=None)
        try:
            other.execute(
                "UPDATE accounts SET suspended_at = '2024-01-01' WHERE username = ?", ("alice",)
            )
        finally:
            other.close()
        assert await stream.ended()
        with pytest.raises(ConnectionClosed):
            while True:
                await ws_next(ws)
    assert await no_listeners_left(served)
