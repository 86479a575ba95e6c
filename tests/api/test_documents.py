"""Documents through the client API: PDF, office files, text and CSV uploaded, described and
posted (with pictures too) as Mastodon's `unknown` attachments, served for download only under
their own name; markup, executables, hostile archives and binary text refused with a reason."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import requests

from fedi.accounts.members import get_member
from fedi.db import media as media_db
from tests.api.clients import logged_in
from tests.api.conftest import Served
from tests.api.tokens import bearer
from tests.testrig import documents as made
from tests.testrig import pictures

OOXML = "application/vnd.openxmlformats-officedocument."
ODF = "application/vnd.oasis.opendocument."
DOCX = f"{OOXML}wordprocessingml.document"
XLSX = f"{OOXML}spreadsheetml.sheet"
PPTX = f"{OOXML}presentationml.presentation"
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
SVG = b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"


async def _upload(
    http: httpx.AsyncClient,
    auth: dict[str, str],
    data: bytes,
    name: str,
    content_type: str,
    path: str = "/api/v2/media",
    **fields: str,
) -> httpx.Response:
    return await http.post(
        path, headers=auth, files={"file": (name, data, content_type)}, data=fields
    )


@pytest.mark.parametrize(
    ("data", "name", "declared", "media_type", "extension"),
    [
        (made.pdf(), "Minutes.pdf", "application/pdf", "application/pdf", "pdf"),
        (made.ooxml("docx"), "Budget.docx", "application/msword", DOCX, "docx"),
        (made.ooxml("xlsx"), "Votes.xlsx", "application/octet-stream", XLSX, "xlsx"),
        (made.ooxml("pptx"), "Talk.pptx", "application/zip", PPTX, "pptx"),
        (made.opendocument("text"), "Tract.odt", f"{ODF}text", f"{ODF}text", "odt"),
        (
            made.opendocument("spreadsheet"),
            "Dues.ods",
            "application/octet-stream",
            f"{ODF}spreadsheet",
            "ods",
        ),
        (
            made.opendocument("presentation"),
            "Plan.odp",
            "application/octet-stream",
            f"{ODF}presentation",
            "odp",
        ),
        ("R\u00e9union : mardi\n".encode(), "Agenda.txt", "text/plain", "text/plain", "txt"),
        (b"name,votes\nyes,12\n", "Results.csv", "text/csv", "text/csv", "csv"),
        # The bytes decide: a PDF sent as a PNG is a PDF.
        (made.pdf(), "scan.png", "image/png", "application/pdf", "pdf"),
    ],
)
async def test_each_document_type_is_stored_as_an_unknown_attachment_and_served_for_download(
    served: Served, data: bytes, name: str, declared: str, media_type: str, extension: str
) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http:
        auth = await bearer(http, "alice", "read write")
        response = await _upload(http, auth, data, name, declared, description="For Tuesday")
        assert response.status_code == 200, response.text
        entity = response.json()
        served_file = await http.get(entity["url"])
    assert entity["type"] == "unknown"
    assert entity["url"].startswith(f"{served.base}/media/")
    assert entity["url"].endswith(f".{extension}")
    assert entity["preview_url"] is None
    assert entity["remote_url"] is None
    assert entity["meta"] is None
    assert entity["blurhash"] is None
    assert entity["description"] == "For Tuesday"
    alice = await get_member(served.context, "alice")
    async with served.context.db.read() as conn:
        stored = await media_db.get_unattached(conn, alice.account.id, int(entity["id"]))
    assert stored is not None
    assert (stored.media_type, stored.file_name, stored.size) == (media_type, name, len(data))
    assert served_file.status_code == 200
    assert served_file.content == data
    expected_type = f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type
    assert served_file.headers["content-type"] == expected_type
    assert served_file.headers["x-content-type-options"] == "nosniff"
    assert served_file.headers["content-security-policy"] == "default-src 'none'; sandbox"
    download = name if name.endswith(f".{extension}") else f"{name}.{extension}"
    assert served_file.headers["content-disposition"] == (
        f"attachment; filename=\"{download}\"; filename*=UTF-8''{download}"
    )


async def test_the_original_name_is_kept_cleaned_and_given_back_in_both_forms(
    served: Served,
) -> None:
    name = "../Compte rendu d\u2019\u00e9t\u00e9\u202e <b>.pdf"
    async with httpx.AsyncClient(base_url=served.base) as http:
        auth = await bearer(http, "alice", "write:media")
        response = await _upload(http, auth, made.pdf(), name, "application/pdf")
        served_file = await http.get(response.json()["url"])
    async with served.context.db.read() as conn:
        kept = await media_db.file_name_of(conn, response.json()["url"].rsplit("/", 1)[1])
    assert kept == "Compte rendu d\u2019\u00e9t\u00e9 <b>.pdf"
    assert served_file.headers["content-disposition"] == (
        'attachment; filename="Compte rendu dete _b.pdf";'
        f" filename*=UTF-8''{quote(kept, safe='')}"
    )


@pytest.mark.parametrize(
    ("data", "name", "declared"),
    [
        (lambda: HTML, "page.html", "text/html"),
        (lambda: HTML, "page.txt", "text/plain"),
        (lambda: SVG, "a.svg", "image/svg+xml"),
        (lambda: EXE, "setup.exe", "application/x-msdownload"),
        (lambda: made.plain_zip("readme.txt"), "archive.docx", "application/zip"),
        (made.bomb_on_paper, "bomb.docx", "application/zip"),
        (made.deflate_bomb, "zeros.docx", DOCX),
        (lambda: made.ooxml("docx", extra=[("../evil", b"x")]), "evil.docx", "application/zip"),
        (lambda: b"text with a \x00 NUL", "nul.txt", "text/plain"),
    ],
)
async def test_anything_but_a_supported_document_is_422_with_a_reason(
    served: Served, data: Callable[[], bytes], name: str, declared: str
) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http:
        auth = await bearer(http, "alice", "write:media")
        response = await _upload(http, auth, data(), name, declared)
    assert response.status_code == 422, response.text
    assert response.json()["error"].startswith("Validation failed: ")
    assert not list(served.context.settings.media_dir.glob("*"))


async def test_describe_through_the_v1_routes_and_delete_a_document(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http:
        auth = await bearer(http, "alice", "read write")
        response = await _upload(http, auth, b"a,b\n", "x.csv", "text/csv", path="/api/v1/media")
        assert response.status_code == 200, response.text
        media_id = response.json()["id"]
        updated = await http.put(
            f"/api/v1/media/{media_id}", headers=auth, json={"description": "The tally"}
        )
        shown = await http.get(f"/api/v1/media/{media_id}", headers=auth)
        deleted = await http.delete(f"/api/v1/media/{media_id}", headers=auth)
        gone = await http.get(response.json()["url"])
    assert updated.json()["description"] == "The tally"
    assert shown.json()["type"] == "unknown" and shown.json()["description"] == "The tally"
    assert deleted.status_code == 200
    assert gone.status_code == 404


async def test_oversized_documents_are_413(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http:
        auth = await bearer(http, "alice", "write:media")
        big = made.pdf() + b"%" * (16 * 1024 * 1024)
        response = await _upload(http, auth, big, "big.pdf", "application/pdf")
    assert response.status_code == 413
    assert "16 MiB" in response.json()["error"]


async def test_mastodon_py_posts_a_pdf_with_pictures_and_a_text_file(served: Served) -> None:
    def run() -> tuple[Any, Any, requests.Response]:
        with logged_in(served.base) as client:
            pdf = client.media_post(
                io.BytesIO(made.pdf()), mime_type="application/pdf", description="Minutes",
                file_name="Minutes.pdf",
            )  # fmt: skip
            photo = client.media_post(io.BytesIO(pictures.png_with_text()), mime_type="image/png")
            notes = client.media_post(io.BytesIO(b"Bring flyers\n"), mime_type="text/plain")
            animation = client.media_post(io.BytesIO(pictures.animated_gif()), "image/gif")
            posted = client.status_post(
                "Minutes and pictures", media_ids=[pdf, photo, notes, animation]
            )
            fetched = client.status(posted["id"])
            return posted, fetched, requests.get(posted["media_attachments"][0]["url"], timeout=10)

    posted, fetched, download = await asyncio.to_thread(run)
    kinds = [a["type"] for a in posted["media_attachments"]]
    assert kinds == ["unknown", "image", "unknown", "image"]
    assert fetched["media_attachments"] == posted["media_attachments"]
    document = posted["media_attachments"][0]
    assert document["description"] == "Minutes"
    assert document["preview_url"] is None and document["meta"] is None
    assert posted["media_attachments"][2]["url"].endswith(".txt")
    assert download.content.startswith(b"%PDF-1.4")
    assert download.headers["content-disposition"].startswith('attachment; filename="Minutes.pdf"')


async def test_the_post_federates_each_document_as_a_document_with_its_type(
    served: Served,
) -> None:
    async with httpx.AsyncClient(base_url=served.base) as http:
        auth = await bearer(http, "alice", "read write")
        pdf = (
            await _upload(http, auth, made.pdf(), "a.pdf", "application/pdf", description="Minutes")
        ).json()
        photo = (await _upload(http, auth, pictures.png_with_text(), "p.png", "image/png")).json()
        posted = await http.post(
            "/api/v1/statuses", headers=auth,
            json={"status": "Both", "media_ids": [pdf["id"], photo["id"]], "visibility": "public"},
        )  # fmt: skip
        assert posted.status_code == 200, posted.text
        note = (
            await http.get(posted.json()["uri"], headers={"Accept": "application/activity+json"})
        ).json()
    assert note["attachment"][0] == {
        "type": "Document", "mediaType": "application/pdf", "url": pdf["url"], "name": "Minutes",
    }  # fmt: skip
    assert note["attachment"][1]["mediaType"] == "image/png"
    assert note["attachment"][1]["width"] > 0 and "focalPoint" in note["attachment"][1]
