"""Scheduled posts as Mastodon's: `scheduled_at` keeps a post for later (never posts it now,
even when the time is nonsense: that is a 422), the member lists, moves and cancels it, and the
background workers post it when its time comes, once, media and poll included; the uploads it
will carry stay kept for it meanwhile."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from mastodon import MastodonAPIError

from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, statuses
from fedi.db import media as media_rows
from fedi.statuses.scheduled import publish_due, run
from tests.api.clients import logged_in
from tests.api.conftest import Served
from tests.api.tokens import bearer
from tests.testrig.pictures import png_with_text


async def posts_of(served: Served, username: str = "alice") -> list[str]:
    async with served.context.db.read() as conn:
        account = await accounts.get_local_actor(conn, username)
        assert account is not None
        found = await statuses.public_page(conn, account.id, None, 40, with_private=True)
    return [s.source_text or "" for s in found]


async def test_a_scheduled_post_waits_and_can_be_moved_and_cancelled(served: Served) -> None:
    later = datetime.now(UTC) + timedelta(minutes=30)

    def run_client() -> dict[str, Any]:
        with logged_in(served.base) as alice:
            kept = alice.status_post("Statement at noon", scheduled_at=later, visibility="unlisted")
            listed = alice.scheduled_statuses()
            one = alice.scheduled_status(kept["id"])
            moved = alice.scheduled_status_update(kept["id"], later + timedelta(hours=1))
            other = alice.status_post("Another", scheduled_at=later)
            alice.scheduled_status_delete(other["id"])
            after = alice.scheduled_statuses()
            refused = []
            try:
                soon = datetime.now(UTC) + timedelta(minutes=2)
                alice.status_post("Too soon", scheduled_at=soon)
            except MastodonAPIError as exc:
                refused.append(exc.args[1])
        return locals()

    seen = await asyncio.to_thread(run_client)
    assert seen["kept"]["params"]["text"] == "Statement at noon"
    assert seen["kept"]["params"]["visibility"] == "unlisted"
    assert [s["id"] for s in seen["listed"]] == [seen["kept"]["id"]]
    assert abs(seen["one"]["scheduled_at"] - later) < timedelta(seconds=1)
    moved_to = later + timedelta(hours=1)
    assert abs(seen["moved"]["scheduled_at"] - moved_to) < timedelta(seconds=1)
    assert [s["id"] for s in seen["after"]] == [seen["kept"]["id"]]
    assert seen["refused"] == [422]
    async with httpx.AsyncClient(base_url=served.base) as http:
        headers = await bearer(http, "alice", "write")
        for when in ("banana", "2026-13-45T99:00:00Z", "1999-01-01T00:00:00Z"):
            answer = await http.post(
                "/api/v1/statuses", data={"status": "Nonsense", "scheduled_at": when},
                headers=headers,
            )  # fmt: skip
            assert answer.status_code == 422, (when, answer.text)
            assert answer.json()["error"].startswith("Validation failed: Scheduled at")
    assert await posts_of(served) == []  # nothing was posted now


async def test_it_is_posted_once_at_its_time_with_its_media_and_poll(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http:
        headers = await bearer(http, "alice", "read write")
        upload = await http.post(
            "/api/v2/media", files={"file": ("p.png", io.BytesIO(png_with_text()), "image/png")},
            data={"description": "the banner"}, headers=headers,
        )  # fmt: skip
        media_id = upload.json()["id"]
        when = utcnow() + timedelta(minutes=10)
        kept = await http.post("/api/v1/statuses", json={
            "status": "Our report is out", "scheduled_at": when.isoformat(),
            "media_ids": [media_id],
        }, headers=headers)  # fmt: skip
        assert kept.status_code == 200, kept.text
        assert [m["id"] for m in kept.json()["media_attachments"]] == [media_id]
        poll = await http.post("/api/v1/statuses", json={
            "status": "Which day?", "scheduled_at": (when + timedelta(minutes=1)).isoformat(),
            "poll": {"options": ["Monday", "Friday"], "expires_in": 3600},
        }, headers=headers)  # fmt: skip
        assert poll.status_code == 200, poll.text
        # The upload is kept for the scheduled post: no other post may take it, nor clean-up.
        taken = await http.post(
            "/api/v1/statuses", json={"status": "x", "media_ids": [media_id]}, headers=headers
        )
        assert taken.status_code == 422
    async with served.context.db.read() as conn:
        stale = await media_rows.stale_uploads(conn, to_db(utcnow() + timedelta(days=30)), 10)
    assert int(media_id) not in [row[0] for row in stale]

    assert await publish_due(served.context, when - timedelta(seconds=1)) == 0
    assert await posts_of(served) == []
    assert await publish_due(served.context, when + timedelta(minutes=2)) == 2
    assert await publish_due(served.context, when + timedelta(minutes=3)) == 0  # once
    assert sorted(await posts_of(served)) == ["Our report is out", "Which day?"]
    async with httpx.AsyncClient(base_url=served.base) as http:
        headers = await bearer(http, "alice", "read")
        me = (await http.get("/api/v1/accounts/verify_credentials", headers=headers)).json()
        posted = (await http.get(f"/api/v1/accounts/{me['id']}/statuses", headers=headers)).json()
        waiting = (await http.get("/api/v1/scheduled_statuses", headers=headers)).json()
    by_text = {p["content"]: p for p in posted}
    report = by_text["<p>Our report is out</p>"]
    assert [m["id"] for m in report["media_attachments"]] == [media_id]
    assert [o["title"] for o in by_text["<p>Which day?</p>"]["poll"]["options"]] == [
        "Monday", "Friday",
    ]  # fmt: skip
    assert waiting == []


async def test_a_post_interrupted_while_publishing_is_never_posted_twice(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http:
        headers = await bearer(http, "alice", "write")
        kept = await http.post("/api/v1/statuses", json={
            "status": "Halfway", "scheduled_at": (utcnow() + timedelta(minutes=10)).isoformat(),
        }, headers=headers)  # fmt: skip
    await served.context.db.write(lambda conn: conn.execute(
        "UPDATE scheduled_statuses SET state = 'publishing' WHERE id = ?", (int(kept.json()["id"]),)
    ))  # fmt: skip
    stop = asyncio.Event()
    stop.set()
    await run(served.context, stop)  # what a restarted server does first
    async with served.context.db.read() as conn:
        cursor = await conn.execute("SELECT state, error FROM scheduled_statuses")
        rows = [tuple(row) for row in await cursor.fetchall()]
    assert rows == [("failed", "interrupted while publishing")]
    assert await publish_due(served.context, utcnow() + timedelta(hours=1)) == 0
    assert await posts_of(served) == []
