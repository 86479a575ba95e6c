"""A scripted remote server for attack tests: it serves whatever documents a test puts at its
paths (actors with keys we hold, forged objects, redirects, wrong content types) over real HTTP
on loopback, records every request it gets, and signs requests as any of its actors."""

from __future__ import annotations

import asyncio
import json
import socket
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.timeutil import utcnow
from keys.httpsig import sign_request
from keys.keypair import keypair_from_private

AS_TYPE = "application/activity+json"


@dataclass
class Served:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class RemoteActor:
    uri: str
    key_id: str
    private_key: rsa.RSAPrivateKey
    document: dict[str, Any]

    def sign(self, method: str, url: str, body: bytes | None, now: datetime | None = None,
             headers: dict[str, str] | None = None) -> dict[str, str]:  # fmt: skip
        return sign_request(method, url, headers or {}, body, self.private_key, self.key_id, now or utcnow())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class FakeRemote:
    def __init__(self, name: str) -> None:
        self.name = name
        self.port = _free_port()
        self.domain = f"{name}.test:{self.port}"
        self.base = f"http://{self.domain}"
        self.documents: dict[str, Served] = {}
        self.requests: list[str] = []
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    def put(self, path: str, document: Any, *, status: int = 200, content_type: str = AS_TYPE,
            headers: dict[str, str] | None = None) -> None:  # fmt: skip
        body = document if isinstance(document, bytes) else json.dumps(document).encode()
        self.documents[path] = Served(status, content_type, body, headers or {})

    def redirect(self, path: str, location: str) -> None:
        self.documents[path] = Served(302, "text/plain", b"", {"Location": location})

    def actor(self, username: str, *, bits: int = 2048, **overrides: Any) -> RemoteActor:
        """An actor on this server with a key pair the test holds; served at /users/<name>."""
        private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        uri = f"{self.base}/users/{username}"
        document: dict[str, Any] = {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": uri,
            "type": "Person",
            "preferredUsername": username,
            "name": username.title(),
            "inbox": f"{uri}/inbox",
            "outbox": f"{uri}/outbox",
            "followers": f"{uri}/followers",
            "endpoints": {"sharedInbox": f"{self.base}/inbox"},
            "publicKey": {
                "id": f"{uri}#main-key",
                "owner": uri,
                "publicKeyPem": keypair_from_private(private).public_pem,
            },
        }
        document.update(overrides)
        self.put(f"/users/{username}", document)
        return RemoteActor(uri, f"{uri}#main-key", private, document)

    async def _serve(self, request: Request) -> Response:
        path = request.url.path
        self.requests.append(path)
        served = self.documents.get(path)
        if request.method == "POST":
            return Response(status_code=202)
        if served is None:
            return Response(status_code=404)
        return Response(
            served.body, status_code=served.status, media_type=served.content_type,
            headers=served.headers,
        )  # fmt: skip

    async def start(self) -> None:
        app = Starlette(routes=[Route("/{path:path}", self._serve, methods=["GET", "POST"])])
        self._server = uvicorn.Server(
            uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False)
        )
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
