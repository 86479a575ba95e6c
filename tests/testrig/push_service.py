"""A stand-in push service (RFC 8030) on https://push.test over real TLS on loopback: each device
holds its own key pair and auth secret, as an app does; every message is decrypted with the
device's private key (by http_ece, an implementation independent of ours) and its VAPID
Authorization checked (ES256 against the instance's key, aud the service's origin, exp within
24 h, a sub); a test scripts the answers (201 unless told, 404, 410, 413, 429, 500...)."""

from __future__ import annotations

import base64
import json
import os
import ssl
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.push.encryption import b64url, decode_b64
from tests.testrig.certificates import self_signed
from tests.testrig.serving import BackgroundServer, free_port

HOST = "push.test"


@dataclass
class Device:
    """An app's side of a subscription: its key pair and auth secret."""

    name: str
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def public_bytes(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )

    @property
    def p256dh(self) -> str:
        """Standard base64 with padding, as Mastodon.py sends it."""
        return base64.b64encode(self.public_bytes).decode()

    @property
    def auth_b64(self) -> str:
        return b64url(self.auth)


@dataclass
class Received:
    device: str
    status: int  # what the service answered
    headers: dict[str, str]
    body: bytes
    payload: dict[str, Any] | None
    claims: dict[str, Any]


def verify_jwt(token: str, public_key: str) -> dict[str, Any]:
    """The claims of an ES256 JWT once its signature checks against `public_key` (base64url
    point); InvalidSignature or ValueError otherwise."""
    head, claims, signature = token.split(".")
    header = json.loads(decode_b64(head))
    if header.get("alg") != "ES256" or header.get("typ") != "JWT":
        raise ValueError(f"unexpected JWT header {header}")
    raw = decode_b64(signature)
    if len(raw) != 64:
        raise ValueError("an ES256 signature is 64 bytes")
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), decode_b64(public_key))
    key.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    found: dict[str, Any] = json.loads(decode_b64(claims))
    return found


def make_certificate(directory: Path) -> tuple[str, str]:
    cert_file, key_file = self_signed(directory, "push", (HOST,))
    return str(cert_file), str(key_file)


class PushService:
    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.origin = f"https://{HOST}:{self.port}"
        self.certificate = make_certificate(directory)
        self.devices: dict[str, Device] = {}
        self.answers: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self.received: list[Received] = []
        self.errors: list[str] = []  # what failed a check: a test asserts there is none
        self.server_key = ""  # the instance's VAPID public key, which every push must carry
        app = Starlette(routes=[Route("/push/{device}", self._receive, methods=["POST"])])
        self._server = BackgroundServer(app, self.port, lifespan="off", tls=self.certificate)

    def tls_context(self) -> ssl.SSLContext:
        """A client context trusting this service's certificate (and nothing else)."""
        return ssl.create_default_context(cafile=self.certificate[0])

    def device(self, name: str) -> Device:
        return self.devices.setdefault(name, Device(name))

    def endpoint(self, name: str) -> str:
        self.device(name)
        return f"{self.origin}/push/{name}"

    def answer(self, name: str, *statuses: int, headers: dict[str, str] | None = None) -> None:
        """The next answers to `name`'s pushes, in order (then 201 again)."""
        self.answers.setdefault(name, []).extend((s, headers or {}) for s in statuses)

    def payloads(self, name: str | None = None) -> list[dict[str, Any]]:
        """The decrypted payloads of the pushes answered 2xx, oldest first."""
        return [
            r.payload for r in self.received
            if r.payload is not None and 200 <= r.status < 300 and name in (None, r.device)
        ]  # fmt: skip

    async def start(self) -> None:
        await self._server.start()

    async def stop(self) -> None:
        await self._server.stop()

    async def _receive(self, request: Request) -> Response:
        name = request.path_params["device"]
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        queued = self.answers.get(name) or []
        status, extra = queued.pop(0) if queued else (201, {})
        claims = self._check_vapid(headers)
        payload = self._decrypt(name, headers, body)
        self.received.append(Received(name, status, headers, body, payload, claims))
        return Response(status_code=status, headers=extra)

    def _check_vapid(self, headers: dict[str, str]) -> dict[str, Any]:
        authorization = headers.get("authorization", "")
        if authorization.startswith("vapid "):
            params = dict(p.strip().split("=", 1) for p in authorization[6:].split(","))
            token, key = params.get("t", ""), params.get("k", "")
        elif authorization.startswith("WebPush "):
            token = authorization[8:]
            crypto_key = dict(
                p.strip().split("=", 1) for p in headers.get("crypto-key", "").split(";")
            )
            key = crypto_key.get("p256ecdsa", "")
        else:
            self.errors.append(f"no VAPID authorization: {authorization!r}")
            return {}
        if key != self.server_key:
            self.errors.append(f"the VAPID key {key!r} is not the instance's")
        try:
            claims = verify_jwt(token, self.server_key)
        except Exception as exc:  # a failed check of any kind is the test's failure
            self.errors.append(f"the VAPID JWT does not verify: {exc!r}")
            return {}
        now = time.time()
        if claims.get("aud") != self.origin:
            self.errors.append(f"aud {claims.get('aud')!r} is not {self.origin}")
        if not now < claims.get("exp", 0) <= now + 24 * 3600:
            self.errors.append(f"exp {claims.get('exp')} is not within 24 hours")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https://", "http://")):
            self.errors.append(f"sub {claims.get('sub')!r} is not a contact")
        return claims

    def _decrypt(self, name: str, headers: dict[str, str], body: bytes) -> dict[str, Any] | None:
        device = self.devices.get(name)
        if device is None:
            self.errors.append(f"a push for an unknown device {name}")
            return None
        encoding = headers.get("content-encoding")
        try:
            if encoding == "aes128gcm":
                plain = http_ece.decrypt(body, private_key=device.private_key,
                                         auth_secret=device.auth, version="aes128gcm")  # fmt: skip
            elif encoding == "aesgcm":
                salt = headers["encryption"].split("salt=")[1].split(";")[0]
                dh = dict(p.strip().split("=", 1) for p in headers["crypto-key"].split(";"))["dh"]
                plain = http_ece.decrypt(
                    body, salt=decode_b64(salt), dh=decode_b64(dh),
                    private_key=device.private_key, auth_secret=device.auth, version="aesgcm",
                )  # fmt: skip
            else:
                self.errors.append(f"unknown Content-Encoding {encoding!r}")
                return None
            decoded: dict[str, Any] = json.loads(plain)
        except Exception as exc:  # a failed decryption of any kind is the test's failure
            self.errors.append(f"cannot decrypt a push for {name}: {exc!r}")
            return None
        return decoded
