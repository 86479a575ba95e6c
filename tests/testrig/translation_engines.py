"""Stand-ins for translation engines, served over real HTTP on loopback: one speaking
LibreTranslate's API, one DeepL's v2 API. Each records every request it gets (path, headers,
body) and "translates" English into French with a small word list; a test can make it fail,
stall, redirect or answer with markup that must be cleaned."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.testrig.serving import BackgroundServer, free_port

WORDS = {
    "Good morning": "Bonjour", "friends": "amis", "Meeting": "Réunion", "today": "aujourd'hui",
    "Yes": "Oui", "No": "Non", "A map": "Une carte", "content warning": "avertissement",
}  # fmt: skip
LANGUAGES = ("en", "fr", "de", "ar", "pt")
HOSTILE = '<script>alert("x")</script><img src=x onerror="alert(1)"><a href="javascript:x">l</a>'


def to_french(text: str) -> str:
    for english, french in WORDS.items():
        text = text.replace(english, french)
    return text


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class StandIn:
    """What the engine does next and what it was sent."""

    base: str = ""
    received: list[Received] = field(default_factory=list)
    mode: str = "ok"  # ok, fail (500), stall, redirect, hostile (markup in its answer)
    released: asyncio.Event = field(default_factory=asyncio.Event)  # ends a stalled answer

    def paths(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    def texts_sent(self) -> str:
        """Everything the engine was sent, as one string (to check what never reached it)."""
        return " ".join(r.body.decode("utf-8", "replace") for r in self.received)

    async def misbehave(self) -> Response | None:
        if self.mode == "fail":
            return JSONResponse({"error": "overloaded"}, status_code=500)
        if self.mode == "stall":
            await asyncio.wait_for(self.released.wait(), 30)
        if self.mode == "redirect":
            return RedirectResponse(f"{self.base}/elsewhere", 307)
        return None

    def translated(self, text: str) -> str:
        return to_french(text) + (HOSTILE if self.mode == "hostile" else "")


def _libretranslate(engine: StandIn) -> Starlette:
    async def translate(request: Request) -> Response:
        body = await request.body()
        engine.received.append(Received("POST", "/translate", dict(request.headers), body))
        if (problem := await engine.misbehave()) is not None:
            return problem
        asked = json.loads(body)
        texts = asked["q"] if isinstance(asked["q"], list) else [asked["q"]]
        detected = [{"language": "en", "confidence": 90.0} for _ in texts]
        translated = [engine.translated(t) for t in texts]
        if isinstance(asked["q"], list):
            return JSONResponse({"translatedText": translated, "detectedLanguage": detected})
        return JSONResponse({"translatedText": translated[0], "detectedLanguage": detected[0]})

    async def languages(request: Request) -> Response:
        engine.received.append(Received("GET", "/languages", dict(request.headers), b""))
        if (problem := await engine.misbehave()) is not None:
            return problem
        return JSONResponse(
            [{"code": code, "name": code, "targets": list(LANGUAGES)} for code in LANGUAGES]
        )

    async def elsewhere(request: Request) -> Response:
        engine.received.append(Received(request.method, "/elsewhere", {}, b""))
        return JSONResponse({})

    return Starlette(routes=[
        Route("/translate", translate, methods=["POST"]),
        Route("/languages", languages, methods=["GET"]),
        Route("/elsewhere", elsewhere, methods=["GET", "POST"]),
    ])  # fmt: skip


def _deepl(engine: StandIn, key: str) -> Starlette:
    def authorised(request: Request) -> bool:
        return request.headers.get("authorization") == f"DeepL-Auth-Key {key}"

    async def translate(request: Request) -> Response:
        body = await request.body()
        engine.received.append(Received("POST", "/v2/translate", dict(request.headers), body))
        if not authorised(request):
            return JSONResponse({"message": "Forbidden"}, status_code=403)
        if (problem := await engine.misbehave()) is not None:
            return problem
        form = await request.form()
        texts = [str(t) for t in form.getlist("text")]
        return JSONResponse({"translations": [
            {"detected_source_language": "EN", "text": engine.translated(t)} for t in texts
        ]})  # fmt: skip

    async def languages(request: Request) -> Response:
        kind = request.query_params.get("type", "source")
        engine.received.append(Received("GET", f"/v2/languages?type={kind}", {}, b""))
        if not authorised(request):
            return JSONResponse({"message": "Forbidden"}, status_code=403)
        if kind == "source":
            return JSONResponse([{"language": c.upper(), "name": c} for c in LANGUAGES])
        targets = ["AR", "DE", "EN-GB", "EN-US", "FR", "PT-BR", "PT-PT"]
        return JSONResponse([{"language": c, "name": c} for c in targets])

    return Starlette(routes=[
        Route("/v2/translate", translate, methods=["POST"]),
        Route("/v2/languages", languages, methods=["GET"]),
    ])  # fmt: skip


@asynccontextmanager
async def serving(app_for: Any) -> AsyncIterator[StandIn]:
    engine = StandIn()
    port = free_port()
    engine.base = f"http://127.0.0.1:{port}"
    server = BackgroundServer(app_for(engine), port, lifespan="off")
    await server.start()
    try:
        yield engine
    finally:
        engine.released.set()  # a stalled answer must not hold the server's shutdown
        await server.stop()


def libretranslate() -> Any:
    """`async with libretranslate() as engine:` a LibreTranslate stand-in at engine.base."""
    return serving(_libretranslate)


def deepl(key: str) -> Any:
    """A DeepL stand-in that accepts only `key`."""
    return serving(lambda engine: _deepl(engine, key))
