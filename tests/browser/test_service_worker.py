"""The installable app in the browser: the manifest as Chromium reads it, the service worker
registered by app.js, and the offline page it shows once the server is gone; members' pages
are never put in its cache."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tests.browser.conftest import Site, sign_in
from tests.browser.live_server import LiveServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CACHED_PATHS = """async () => {
    const found = [];
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) found.push(new URL(request.url).pathname);
    }
    return found.sort();
}"""


def wait_for_worker(page: Page) -> str:
    state: str = page.evaluate(
        "() => navigator.serviceWorker.ready.then(r => r.active ? r.active.state : 'none')"
    )
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=10_000)
    return state


def test_chromium_reads_the_manifest_without_errors(context: BrowserContext, site: Site) -> None:
    page = context.new_page()
    page.goto(site.url("/?lang=ar"))
    devtools = context.new_cdp_session(page)
    manifest = devtools.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest?lang=ar")
    assert manifest["errors"] == []
    document = page.request.get(manifest["url"]).json()
    assert document["lang"] == "ar" and document["dir"] == "rtl"
    assert document["start_url"] == "/home" and document["display"] == "standalone"
    assert {icon["purpose"] for icon in document["icons"]} == {"any", "maskable"}
    for icon in document["icons"]:
        image = page.request.get(site.url(icon["src"]))
        assert image.ok and image.headers["content-type"] == "image/png"


def test_worker_keeps_only_the_offline_page_and_its_files(
    context: BrowserContext, site: Site
) -> None:
    page = context.new_page()
    sign_in(page, site, "alice")
    assert wait_for_worker(page) in ("activated", "activating")
    for path in ("/@alice", site.post_path, "/@garden", "/auth/sign_in"):
        page.goto(site.url(path))
    assert page.evaluate(CACHED_PATHS) == ["/offline", "/static/icon-192.png", "/static/style.css"]
    assert page.evaluate("() => localStorage.length") == 0  # no htmx history copies either
    # A form's POST goes through the worker too; signing out answers Clear-Site-Data.
    with page.expect_response(site.url("/auth/sign_out")) as signed_out:
        page.click(".account form button")
    assert signed_out.value.all_headers()["clear-site-data"] == '"cache", "storage"'
    page.wait_for_load_state()
    assert page.inner_text(".account").strip() == "Sign in"


def test_offline_page_shows_once_the_server_is_stopped(browser: Browser, tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "data").start()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(server.url("/?lang=fr"))
        wait_for_worker(page)
        server.stop()
        page.goto(server.url("/@alice"))
        assert page.inner_text("h1") == "Vous êtes hors ligne"
        assert page.get_attribute("html", "lang") == "fr"
        # Its style sheet comes from the worker's cache: the page is laid out, not bare.
        assert page.evaluate("() => document.styleSheets[0].cssRules.length") > 10
    finally:
        context.close()
        server.stop()
