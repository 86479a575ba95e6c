"""Pinned front-end files: the lock's shape, and fetching checked against the npm integrity,
from a real HTTP server on loopback serving real tarballs."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import re
import tarfile
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.web.vendor import (
    VendorError,
    VendorFile,
    check_integrity,
    extract,
    fetch,
    load_lock,
    page_scripts,
)
from tests.testrig.serving import BackgroundServer, free_port

CONTENT = b"(function(){ window.pinned = true })();\n"


def tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def test_lock_pins_npm_tarballs_with_sha512() -> None:
    files = load_lock()
    assert {f.package for f in files} == {"htmx.org", "htmx-ext-sse", "axe-core"}
    for file in files:
        expected = f"https://registry.npmjs.org/{file.package}/-/{file.package}-{file.version}.tgz"
        assert file.tarball == expected
        assert re.fullmatch(r"sha512-[A-Za-z0-9+/]{86}==", file.integrity)
        assert re.fullmatch(r"[0-9a-f]{64}", file.sha256)
    versions = {f.package: f.version for f in files}
    assert versions["htmx.org"].startswith("2.0.")
    assert versions["axe-core"].startswith("4.")
    assert [f.use for f in files] == ["pages", "pages", "tests"]  # htmx before its extension


def test_integrity_mismatch_is_refused() -> None:
    data = tarball({"package/x.js": CONTENT})
    check_integrity(data, integrity(data))
    with pytest.raises(VendorError, match="integrity mismatch"):
        check_integrity(data + b"\0", integrity(data))
    with pytest.raises(VendorError, match="sha512"):
        check_integrity(data, "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode())


def test_extract_takes_one_regular_file_only() -> None:
    data = tarball({"package/dist/x.js": CONTENT, "package/other.js": b"x"})
    assert extract(data, "package/dist/x.js") == CONTENT
    with pytest.raises(VendorError):
        extract(data, "package/missing.js")
    with pytest.raises(VendorError):
        extract(b"not a tarball", "package/dist/x.js")


@pytest.fixture
async def registry() -> AsyncIterator[tuple[str, dict[str, bytes]]]:
    """A loopback server answering GET /<name> with the bytes put in its dict."""
    served: dict[str, bytes] = {}

    async def tarball_route(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in served:
            return Response(status_code=404)
        return Response(served[name], media_type="application/octet-stream")

    port = free_port()
    server = BackgroundServer(Starlette(routes=[Route("/{name}", tarball_route)]), port)
    await server.start()
    yield f"http://127.0.0.1:{port}", served
    await server.stop()


def pinned(base: str, data: bytes, save_as: str = "x-1.0.0.min.js") -> VendorFile:
    return VendorFile(
        package="x", version="1.0.0", tarball=f"{base}/x-1.0.0.tgz", integrity=integrity(data),
        extract="package/dist/x.js", save_as=save_as,
        sha256=hashlib.sha256(CONTENT).hexdigest(), use="pages",
    )  # fmt: skip


async def test_fetch_writes_the_checked_file_once(
    registry: tuple[str, dict[str, bytes]], tmp_path: Path
) -> None:
    base, served = registry
    data = tarball({"package/dist/x.js": CONTENT})
    served["x-1.0.0.tgz"] = data
    file = pinned(base, data)
    fetched = await asyncio.to_thread(fetch, [file], tmp_path)
    assert fetched == [file]
    assert (tmp_path / file.save_as).read_bytes() == CONTENT
    assert await asyncio.to_thread(fetch, [file], tmp_path) == []  # already there


async def test_fetch_refuses_a_tarball_that_is_not_the_pinned_one(
    registry: tuple[str, dict[str, bytes]], tmp_path: Path
) -> None:
    base, served = registry
    genuine = tarball({"package/dist/x.js": CONTENT})
    served["x-1.0.0.tgz"] = tarball({"package/dist/x.js": b"window.evil = true"})
    with pytest.raises(VendorError, match="integrity mismatch"):
        await asyncio.to_thread(fetch, [pinned(base, genuine)], tmp_path)
    missing = replace(pinned(base, genuine), tarball=f"{base}/absent.tgz")
    with pytest.raises(VendorError, match="cannot download"):
        await asyncio.to_thread(fetch, [missing], tmp_path)
    assert await asyncio.to_thread(lambda: list(tmp_path.iterdir())) == []


def test_page_scripts_are_all_or_nothing(tmp_path: Path) -> None:
    pages = [f for f in load_lock() if f.use == "pages"]
    assert page_scripts(tmp_path) == ()
    (tmp_path / pages[1].save_as).write_text("extension without htmx")
    assert page_scripts(tmp_path) == ()
    (tmp_path / pages[0].save_as).write_text("htmx")
    assert page_scripts(tmp_path) == tuple(f"/static/vendor/{f.save_as}" for f in pages)
