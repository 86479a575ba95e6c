"""A document across instances, through the client API: alice on A posts a PDF with a photo; bob
on B, who follows her, gets the post with an `unknown` attachment at A's URL (never downloaded
by B), and A serves the file there for download, with its type and safe headers."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import requests

from fedi.accounts.members import add_member
from fedi.relationships.relationships import follow
from tests.federation.test_api_across_instances import LoopbackNames, app_for
from tests.testrig import documents, pictures
from tests.testrig.instances import federation, settle


def _get(url: str) -> requests.Response:
    with requests.Session() as session:
        session.mount("http://", LoopbackNames())
        return session.get(url, timeout=10)


async def test_a_pdf_reaches_followers_as_a_link_to_the_authors_server(tmp_path: Path) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        await add_member(a.ctx, "alice", "alice-password")
        await add_member(b.ctx, "bob", "bob-password")
        await follow(b.ctx, "bob", a.handle("alice"))
        await settle(a, b)
        pdf = documents.pdf("Minutes of the general meeting")

        def alice_posts() -> Any:
            with app_for(a, "alice") as alice:
                minutes = alice.media_post(
                    io.BytesIO(pdf), mime_type="application/pdf", file_name="Minutes.pdf",
                    description="Minutes of the general meeting",
                )  # fmt: skip
                photo = alice.media_post(io.BytesIO(pictures.png_with_text()), "image/png")
                return alice.status_post("The minutes", media_ids=[minutes, photo])

        posted = await asyncio.to_thread(alice_posts)
        await settle(a, b)

        creates = [r.activity for r in b.received if r.activity.get("type") == "Create"]
        assert len(creates) == 1
        local = posted["media_attachments"][0]
        assert creates[0]["object"]["attachment"][0] == {
            "type": "Document",
            "mediaType": "application/pdf",
            "url": local["url"],
            "name": "Minutes of the general meeting",
        }
        assert local["url"].startswith(f"{a.base}/media/")

        def bob_reads() -> Any:
            with app_for(b, "bob") as bob:
                return bob.timeline_home()

        home = await asyncio.to_thread(bob_reads)
        assert [s["uri"] for s in home] == [posted["uri"]]
        document, photo = home[0]["media_attachments"]
        assert document["type"] == "unknown"
        assert document["url"] == local["url"]
        assert document["remote_url"] == local["url"]
        assert document["preview_url"] is None
        assert document["meta"] is None
        assert document["description"] == "Minutes of the general meeting"
        assert photo["type"] == "image"
        # B keeps a link only: nothing was fetched into its media directory.
        assert not list(b.ctx.settings.media_dir.glob("*.pdf"))

        served = await asyncio.to_thread(_get, document["url"])
        assert served.status_code == 200
        assert served.content == pdf
        assert served.headers["content-type"] == "application/pdf"
        assert served.headers["x-content-type-options"] == "nosniff"
        assert served.headers["content-security-policy"] == "default-src 'none'; sandbox"
        assert served.headers["content-disposition"] == (
            "attachment; filename=\"Minutes.pdf\"; filename*=UTF-8''Minutes.pdf"
        )
