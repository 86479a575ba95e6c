"""A scripted remote server for attack tests: it serves whatever documents a test puts at its
paths (actors with keys we hold, forged objects, redirects, wrong content types) over real HTTP
on loopback, records every request it gets (and the body of every POST), and signs requests as
any of its actors."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.core.timeutil import utcnow
from keys.httpsig import sign_request
from keys.keypair import keypair_from_private
from tests.testrig.keys import next_private_key
from tests.testrig.serving import BackgroundServer, free_port

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
        return sign_request(
            method, url, headers or {}, body, self.private_key, self.key_id, now or utcnow()
        )


class FakeRemote:
    def __init__(self, name: str) -> None:
        self.name = name
        self.port = free_port()
        self.domain = f"{name}.test:{self.port}"
        self.base = f"http://{self.domain}"
        self.documents: dict[str, Served] = {}
        self.requests: list[str] = []
        self.posted: list[tuple[str, dict[str, Any]]] = []  # (path, activity) of every POST
        self._server: BackgroundServer | None = None

    def put(self, path: str, document: Any, *, status: int = 200, content_type: str = AS_TYPE,
            headers: dict[str, str] | None = None) -> None:  # fmt: skip
        body = document if isinstance(document, bytes) else json.dumps(document).encode()
        self.documents[path] = Served(status, content_type, body, headers or {})

    def redirect(self, path: str, location: str) -> None:
        self.documents[path] = Served(302, "text/plain", b"", {"Location": location})

    def actor(
        self, username: str, *, bits: int = 2048, path: str | None = None, **overrides: Any
    ) -> RemoteActor:
        """An actor on this server with a key pair the test holds; served at /users/<name>
        (or at `path`)."""
        private = (
            next_private_key()
            if bits == 2048
            else rsa.generate_private_key(public_exponent=65537, key_size=bits)
        )
        path = path or f"/users/{username}"
        uri = f"{self.base}{path}"
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
        self.put(path, document)
        return RemoteActor(uri, f"{uri}#main-key", private, document)

    async def _serve(self, request: Request) -> Response:
        path = request.url.path
        self.requests.append(path)
        served = self.documents.get(path)
        if request.method == "POST":
            try:
                activity = json.loads(await request.body())
            except ValueError:
                activity = {}
            self.posted.append((path, activity if isinstance(activity, dict) else {}))
            return Response(status_code=202)
        if served is None:
            return Response(status_code=404)
        return Response(
            served.body, status_code=served.status, media_type=served.content_type,
            headers=served.headers,
        )  # fmt: skip

    async def start(self) -> None:
        app = Starlette(routes=[Route("/{path:path}", self._serve, methods=["GET", "POST"])])
        self._server = BackgroundServer(app, self.port, lifespan="off")
        await self._server.start()

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.stop()
