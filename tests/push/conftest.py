"""An instance served over HTTP on loopback (for Mastodon.py and plain HTTP calls) whose outbound
client reaches the stand-in push service at https://push.test: the address guard stays on,
opened for the loopback address alone, and TLS is verified against the service's certificate."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from ipaddress import ip_network
from pathlib import Path
from typing import Any

import httpx
import pytest

from fedi.accounts.members import add_member
from fedi.app import create_app
from fedi.context import Context, open_context
from fedi.core.config import load_settings
from fedi.push.vapid import vapid_key
from fedi.push.worker import PushWorker
from fedi.transport.http import HttpClient
from tests.api.streams import password_token
from tests.testrig.push_service import PushService
from tests.testrig.serving import BackgroundServer, free_port

SCOPES = "read write follow push"


@dataclass
class PushRig:
    context: Context
    base: str
    service: PushService
    worker: PushWorker

    async def token(self, username: str = "alice", scope: str = SCOPES) -> str:
        return await password_token(self.base, scope, username)

    async def call(
        self, token: str | None, method: str, path: str, *, json: Any = None, **data: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with httpx.AsyncClient(base_url=self.base) as http:
            return await http.request(method, path, headers=headers, data=data or None, json=json)

    async def subscribe(
        self, token: str, device: str, *, alerts: dict[str, bool] | None = None,
        policy: str | None = None, standard: bool = False,
    ) -> httpx.Response:  # fmt: skip
        """POST a subscription as a JSON body (every alert on unless told)."""
        phone = self.service.device(device)
        body: dict[str, Any] = {
            "subscription": {
                "endpoint": self.service.endpoint(device),
                "keys": {"p256dh": phone.p256dh, "auth": phone.auth_b64},
                "standard": standard,
            },
            "data": {"alerts": alerts if alerts is not None else dict.fromkeys(ALL, True)},
        }
        if policy is not None:
            body["data"]["policy"] = policy
        return await self.call(token, "POST", "/api/v1/push/subscription", json=body)

    async def post(self, token: str, text: str, **fields: str) -> dict[str, Any]:
        answer = await self.call(token, "POST", "/api/v1/statuses", status=text, **fields)
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    async def settle(self) -> int:
        """Run the worker until nothing is due; returns how many pushes it handled."""
        total = 0
        for _ in range(20):
            done = await self.worker.run_once()
            if not done:
                return total
            total += done
        raise AssertionError("the push worker never settles")


ALL = ("mention", "status", "reblog", "follow", "follow_request", "favourite", "poll", "update",
       "admin.sign_up", "admin.report")  # fmt: skip


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[PushRig]:
    service = PushService(tmp_path)
    await service.start()
    port = free_port()
    settings = load_settings(
        {
            "FEDI_DOMAIN": f"127.0.0.1:{port}",
            "FEDI_SCHEME": "http",
            "FEDI_DATA_DIR": str(tmp_path / "data"),
            "FEDI_PASSWORD_GRANT": "true",
            "FEDI_REGISTRATIONS": "open",
            "FEDI_CONTACT_EMAIL": "admin@fedi.test",
        }
    )
    client = HttpClient(
        user_agent="fedi-test",
        allowed_networks=[ip_network("127.0.0.1/32")],
        host_overrides={"push.test": "127.0.0.1", "internal.test": "10.0.0.1"},
        deadline=5.0,
        tls_context=service.tls_context(),
    )
    try:
        async with open_context(settings, client) as context:
            for name in ("alice", "bob", "carol"):
                await add_member(context, name, f"{name}-password")
            service.server_key = (await vapid_key(context)).public_key
            server = BackgroundServer(
                create_app(settings, context, workers=False), port,
                before_stop=context.streams.close_all,
            )  # fmt: skip
            await server.start()
            try:
                yield PushRig(context, settings.base_url, service, PushWorker(context))
            finally:
                await server.stop()
    finally:
        await service.stop()
