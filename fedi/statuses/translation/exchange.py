"""Talking to a translation engine: what every engine offers, and one HTTP request to it with a
short deadline, no redirect followed and a capped answer. The engine's address is the operator's
own setting and may be on their private network, so the federation client's address guard does
not apply; nothing a post's author or reader writes ever chooses where the request goes."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp

from fedi import __version__
from fedi.core import jsonsafe
from fedi.db.translation_languages import Pairs
from fedi.transport.capped import read_capped
from fedi.transport.netguard import FetchError

DEADLINE = 10.0  # seconds for the whole exchange: a reader is waiting
MAX_BYTES = 1_048_576
MAX_DEPTH = 8


class EngineError(Exception):
    """The engine did not give a usable answer; the message never quotes what was sent."""


@dataclass(frozen=True)
class Answer:
    texts: list[str]  # the translated texts, in the order sent
    detected_source_language: str | None


class Engine(Protocol):
    name: str  # as the translation shows it (Mastodon's `provider`)
    key: str  # names the engine and its address, for what is kept about it

    async def translate(self, texts: Sequence[str], target: str) -> Answer: ...

    async def languages(self) -> Pairs: ...


async def request(
    method: str,
    url: str,
    headers: Mapping[str, str],
    *,
    json: Any = None,
    form: Sequence[tuple[str, str]] | None = None,
) -> Any:
    """One request to the engine; its answer's JSON. EngineError on a timeout, a refused or
    broken connection, an answer that is not 2xx (a redirect included) or not JSON."""
    sent = {"User-Agent": f"fedi/{__version__}", "Accept": "application/json", **headers}
    try:
        async with asyncio.timeout(DEADLINE), aiohttp.ClientSession(
            cookie_jar=aiohttp.DummyCookieJar(), trust_env=False
        ) as session, session.request(
            method, url, headers=sent, json=json, data=list(form) if form is not None else None,
            allow_redirects=False,
        ) as response:  # fmt: skip
            status = response.status
            body = await read_capped(response, MAX_BYTES)
    except TimeoutError:
        raise EngineError(f"no answer within {DEADLINE:g} s") from None
    except FetchError as exc:
        raise EngineError(str(exc)) from None
    except (aiohttp.ClientError, OSError, ValueError) as exc:
        raise EngineError(f"unreachable ({type(exc).__name__})") from None
    if not 200 <= status < 300:
        raise EngineError(f"answered {status}")
    try:
        return jsonsafe.loads(body, MAX_BYTES, MAX_DEPTH)
    except jsonsafe.JSONError as exc:
        raise EngineError(f"answered no JSON: {exc}") from None


def texts_of(value: object, count: int) -> list[str]:
    """`count` strings from an engine's answer, or EngineError."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or len(value) != count:
        raise EngineError("answered another number of texts than it was sent")
    if not all(isinstance(text, str) for text in value):
        raise EngineError("answered something other than text")
    return list(value)
