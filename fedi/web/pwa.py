"""The installable web app: the manifest (W3C Web App Manifest) in the visitor's language, the
service worker at the root of the site, and the offline page it falls back to."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi import __version__
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of, pages_of
from fedi.web.templating import TEMPLATES_DIR

WORKER_SOURCE = Path(__file__).with_name("sw.js")
STATIC_DIR = Path(__file__).resolve().parent / "static"
# What the worker keeps for the offline page; a change to any of them renames its cache.
OFFLINE_FILES = (
    STATIC_DIR / "style.css",
    STATIC_DIR / "icon-192.png",
    TEMPLATES_DIR / "pages" / "offline.html",
    TEMPLATES_DIR / "base.html",
)
THEME_COLOR = "#3b4a8c"  # style.css --accent
BACKGROUND_COLOR = "#ffffff"  # style.css --bg
SHORT_NAME_LENGTH = 12  # what a home screen shows under an icon
ICONS = [
    {"src": "/static/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
    {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
    {
        "src": "/static/icon-maskable-512.png",
        "sizes": "512x512",
        "type": "image/png",
        "purpose": "maskable",
    },
]


def _(message: str) -> str:
    """Marks a message for the catalogues; it is translated where it is used."""
    return message


DEFAULT_DESCRIPTION = _("A federated social network")


def short_name(title: str) -> str:
    if len(title) <= SHORT_NAME_LENGTH:
        return title
    first_word = title.split()[0] if title.split() else title
    return first_word[:SHORT_NAME_LENGTH]


async def manifest(request: Request) -> Response:
    pages = pages_of(request)
    locale = pages.locale_for(request)
    description = context_of(request).settings.instance_description
    document = {
        "id": "/",
        "name": pages.instance_title,
        "short_name": short_name(pages.instance_title),
        "description": description or locale.gettext(DEFAULT_DESCRIPTION),
        "lang": locale.code,
        "dir": locale.direction,
        "start_url": "/home",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": ICONS,
    }
    headers = {"Vary": "Accept-Language, Cookie", "Cache-Control": "no-cache"}
    return JSONResponse(document, headers=headers, media_type="application/manifest+json")


@cache
def worker_script() -> bytes:
    """sw.js with its cache named after the files it keeps, so that a change to any of them
    installs a new worker, which drops the old cache."""
    source = WORKER_SOURCE.read_bytes()
    digest = hashlib.sha256(source + __version__.encode())
    for path in OFFLINE_FILES:
        digest.update(path.read_bytes())
    return source.replace(b"__VERSION__", digest.hexdigest()[:16].encode())


async def service_worker(request: Request) -> Response:
    # Served from the root so that its scope is the whole site; never cached by HTTP, so that
    # the browser sees a new version at once (Service Workers, "update" algorithm).
    headers = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
    return Response(worker_script(), media_type="text/javascript", headers=headers)


async def offline(request: Request) -> Response:
    """The page the worker shows when the server cannot be reached. It is rendered for nobody
    in particular (no viewer), since the worker keeps it."""
    response = pages_of(request).render(request, "pages/offline.html")
    response.headers["Cache-Control"] = "no-cache"
    return response


routes = [
    Route("/manifest.webmanifest", manifest, methods=["GET"]),
    Route("/sw.js", service_worker, methods=["GET"]),
    Route("/offline", offline, methods=["GET"]),
]
