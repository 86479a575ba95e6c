"""An instance on fedi.test reached in process, and scripted remote servers it fetches from over
real HTTP on loopback (evil.test, victim.test, other.test, lemmy.test, example.test)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from fedi.accounts.members import add_member
from fedi.app import create_app
from fedi.context import Context, open_context
from fedi.core.config import load_settings
from fedi.db import inbox_activities
from fedi.transport.http import HttpClient
from inbox.worker import InboxWorker
from tests.testrig.fake_remote import FakeRemote, RemoteActor

DOMAIN = "fedi.test"
BASE = f"https://{DOMAIN}"
INBOX = f"{BASE}/users/alice/inbox"


@dataclass
class Rig:
    context: Context
    client: httpx.AsyncClient
    evil: FakeRemote
    victim: FakeRemote
    other: FakeRemote
    lemmy: FakeRemote
    example: FakeRemote

    async def post(
        self, actor: RemoteActor, activity: dict[str, Any], *, url: str = INBOX,
        headers: dict[str, str] | None = None, body: bytes | None = None,
    ) -> httpx.Response:  # fmt: skip
        raw = body if body is not None else json.dumps(activity).encode()
        signed = actor.sign("POST", url, raw)
        signed.update(headers or {})
        return await self.client.post(url, content=raw, headers=signed)

    async def stored(self, activity_id: str) -> tuple[str, str | None] | None:
        async with self.context.db.read() as conn:
            return await inbox_activities.state_of(conn, activity_id)

    async def process(self) -> int:
        return await InboxWorker(self.context).run_once()

    def fetches(self) -> list[str]:
        return [path for remote in self.remotes for path in remote.requests]

    @property
    def remotes(self) -> list[FakeRemote]:
        return [self.evil, self.victim, self.other, self.lemmy, self.example]


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    remotes = [FakeRemote(name) for name in ("evil", "victim", "other", "lemmy", "example")]
    for remote in remotes:
        await remote.start()
    settings = load_settings({"FEDI_DOMAIN": DOMAIN, "FEDI_DATA_DIR": str(tmp_path / "data")})
    client = HttpClient(
        allow_private_networks=True,
        user_agent="fedi-test",
        host_overrides={f"{r.name}.test": "127.0.0.1" for r in remotes},
        deadline=5.0,
    )
    try:
        async with open_context(settings, client) as context:
            await add_member(context, "alice", "alice-password")
            app = create_app(settings, context, workers=False)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
                yield Rig(context, http, *remotes)
    finally:
        for remote in remotes:
            await remote.stop()


def note(actor: RemoteActor, n: int = 1, **fields: Any) -> dict[str, Any]:
    base = actor.uri.rsplit("/users/", 1)[0]
    obj: dict[str, Any] = {
        "id": f"{base}/notes/{n}",
        "type": "Note",
        "attributedTo": actor.uri,
        "content": "<p>hello</p>",
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [f"{BASE}/users/alice"],
        "tag": [{"type": "Mention", "href": f"{BASE}/users/alice", "name": "@alice@fedi.test"}],
    }
    obj.update(fields)
    return obj


def create(actor: RemoteActor, obj: dict[str, Any], n: int = 1) -> dict[str, Any]:
    base = actor.uri.rsplit("/users/", 1)[0]
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{base}/activities/{n}",
        "type": "Create",
        "actor": actor.uri,
        "to": obj.get("to", []),
        "cc": obj.get("cc", []),
        "object": obj,
    }
