"""The installable app over HTTP: the manifest per language, the service worker's script and
headers, the offline page, Clear-Site-Data on sign-out, and the pages' security headers."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.web.vendor import page_scripts
from tests.conftest import BASE

BROWSER = {"Accept": "text/html"}


@pytest.mark.parametrize(("code", "direction"), [("en", "ltr"), ("ar", "rtl"), ("de", "ltr")])
async def test_manifest_in_the_visitors_language(
    client: httpx.AsyncClient, code: str, direction: str
) -> None:
    response = await client.get(f"/manifest.webmanifest?lang={code}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/manifest+json"
    assert "Accept-Language" in response.headers["vary"]
    manifest = json.loads(response.content)
    assert manifest["lang"] == code and manifest["dir"] == direction
    assert manifest["name"] == "Test network" and len(manifest["short_name"]) <= 12
    assert manifest["start_url"] == "/home" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}


async def test_manifest_description_is_translated(client: httpx.AsyncClient) -> None:
    english = (await client.get("/manifest.webmanifest?lang=en")).json()
    french = (await client.get("/manifest.webmanifest?lang=fr")).json()
    assert english["description"] != french["description"]


async def test_icons_are_pngs_of_their_stated_size(client: httpx.AsyncClient) -> None:
    from io import BytesIO

    from PIL import Image

    manifest = (await client.get("/manifest.webmanifest")).json()
    for icon in manifest["icons"]:
        served = await client.get(icon["src"])
        assert served.status_code == 200
        with Image.open(BytesIO(served.content)) as image:
            assert image.format == "PNG"
            assert "x".join(map(str, image.size)) == icon["sizes"]


async def test_service_worker_is_served_from_the_root_and_never_cached(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "no-cache"
    assert re.search(r'var CACHE = "fedi-offline-[0-9a-f]{16}";', response.text)
    assert "__VERSION__" not in response.text
    for path in ("/offline", "/static/style.css", "/static/icon-192.png"):
        assert f'"{path}"' in response.text
        assert (await client.get(path, headers=BROWSER)).status_code == 200


async def test_offline_page_is_translated_and_names_no_member(
    client: httpx.AsyncClient, context: Context
) -> None:
    await add_member(context, "alice", "alice-password")
    page = await client.get("/auth/sign_in", headers=BROWSER)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    await client.post(
        "/auth/sign_in",
        data={"csrf_token": token[1], "username": "alice", "password": "alice-password"},
        headers=BROWSER | {"Origin": BASE},
    )
    assert "@alice" in (await client.get("/home?lang=ar", headers=BROWSER)).text
    offline = await client.get("/offline?lang=ar", headers=BROWSER)
    assert offline.status_code == 200
    assert '<html lang="ar" dir="rtl">' in offline.text
    assert "@alice" not in offline.text and "csrf" not in offline.text
    assert offline.headers["cache-control"] == "no-cache"


async def test_sign_out_clears_the_sites_cache_and_storage(
    client: httpx.AsyncClient, context: Context
) -> None:
    await add_member(context, "alice", "alice-password")
    page = await client.get("/auth/sign_in", headers=BROWSER)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    await client.post(
        "/auth/sign_in",
        data={"csrf_token": token[1], "username": "alice", "password": "alice-password"},
        headers=BROWSER | {"Origin": BASE},
    )
    out = await client.post("/auth/sign_out", data={"csrf_token": token[1]}, headers=BROWSER)
    assert out.status_code == 303
    assert out.headers["clear-site-data"] == '"cache", "storage"'


async def test_pages_have_a_strict_content_security_policy(client: httpx.AsyncClient) -> None:
    for path in ("/", "/auth/sign_in", "/offline", "/no-such-page"):
        response = await client.get(path, headers=BROWSER)
        directives = {
            name: value
            for name, _, value in (
                part.partition(" ")
                for part in response.headers["content-security-policy"].split("; ")
            )
        }
        assert directives["default-src"] == "'none'"
        for name in ("script-src", "connect-src", "manifest-src", "worker-src", "style-src"):
            assert directives[name] == "'self'", name
        assert "unsafe" not in response.headers["content-security-policy"]
        assert "<script>" not in response.text and " on" + "click=" not in response.text


async def test_head_names_the_scripts_found_at_start_and_a_csrf_meta_when_signed_in(
    client: httpx.AsyncClient, context: Context
) -> None:
    page = (await client.get("/", headers=BROWSER)).text
    head = page.split("</head>")[0]
    scripts = re.findall(r'<script src="([^"]+)" defer></script>', head)
    assert scripts == [*page_scripts(), "/static/app.js"]
    assert '<link rel="manifest" href="/manifest.webmanifest?lang=en">' in head
    assert 'name="csrf-token"' not in head  # visitors get no token (nor a CSRF cookie)
    await add_member(context, "alice", "alice-password")
    form = await client.get("/auth/sign_in", headers=BROWSER)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    await client.post(
        "/auth/sign_in",
        data={"csrf_token": token[1], "username": "alice", "password": "alice-password"},
        headers=BROWSER | {"Origin": BASE},
    )
    head = (await client.get("/home", headers=BROWSER)).text.split("</head>")[0]
    assert f'<meta name="csrf-token" content="{token[1]}">' in head


async def test_static_files_are_compressed_for_browsers_that_accept_it(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/static/app.js", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["content-type"].startswith("text/javascript")
    page = await client.get("/", headers=BROWSER | {"Accept-Encoding": "gzip"})
    assert "content-encoding" not in page.headers  # pages carry CSRF tokens (BREACH)
