"""Pictures across instances, through the client API: alice on A posts a photo and changes her
avatar; bob on B, who follows her, gets the post with the attachment at A's URL (description,
BlurHash, size and focal point federated), sees the new avatar, and the file A serves there is
the image, without its GPS position, with safe headers."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import requests
from PIL import Image

from fedi.accounts.members import add_member
from fedi.relationships.relationships import follow
from tests.federation.test_api_across_instances import LoopbackNames, app_for
from tests.testrig import pictures
from tests.testrig.instances import federation, settle


def _get(url: str) -> requests.Response:
    with requests.Session() as session:
        session.mount("http://", LoopbackNames())
        return session.get(url, timeout=10)


async def test_a_photo_and_an_avatar_reach_followers_with_urls_on_the_authors_server(
    tmp_path: Path,
) -> None:
    async with federation(tmp_path, "alice", "bob") as (a, b):
        await add_member(a.ctx, "alice", "alice-password")
        await add_member(b.ctx, "bob", "bob-password")
        await follow(b.ctx, "bob", a.handle("alice"))
        await settle(a, b)

        def alice_posts() -> tuple[Any, Any]:
            with app_for(a, "alice") as alice:
                photo = alice.media_post(
                    io.BytesIO(pictures.jpeg_with_gps((800, 600))), mime_type="image/jpeg",
                    description="Placards in the square", focus=(0.25, -0.5),
                )  # fmt: skip
                me = alice.account_update_credentials(
                    avatar=io.BytesIO(pictures.png_with_text((500, 500))),
                    avatar_mime_type="image/png",
                )
                return alice.status_post("From the square", media_ids=[photo]), me

        posted, me = await asyncio.to_thread(alice_posts)
        await settle(a, b)

        creates = [r.activity for r in b.received if r.activity.get("type") == "Create"]
        assert len(creates) == 1
        sent = creates[0]["object"]["attachment"]
        local = posted["media_attachments"][0]
        assert sent == [
            {
                "type": "Document",
                "mediaType": "image/jpeg",
                "url": local["url"],
                "name": "Placards in the square",
                "blurhash": local["blurhash"],
                "focalPoint": [0.25, -0.5],
                "width": 800,
                "height": 600,
            }
        ]
        assert local["url"].startswith(f"{a.base}/media/")

        def bob_reads() -> tuple[Any, Any]:
            with app_for(b, "bob") as bob:
                return bob.timeline_home(), bob.account_lookup(a.handle("alice"))

        home, alice_seen_from_b = await asyncio.to_thread(bob_reads)
        assert [s["uri"] for s in home] == [posted["uri"]]
        attachment = home[0]["media_attachments"][0]
        assert attachment["type"] == "image"
        assert attachment["url"] == local["url"]
        assert attachment["remote_url"] == local["url"]
        assert attachment["description"] == "Placards in the square"
        assert attachment["blurhash"] == local["blurhash"]
        assert attachment["meta"]["original"]["width"] == 800
        assert alice_seen_from_b["avatar"] == me["avatar"]
        assert me["avatar"].startswith(f"{a.base}/media/")

        served = await asyncio.to_thread(_get, attachment["url"])
        avatar = await asyncio.to_thread(_get, alice_seen_from_b["avatar"])
        assert served.status_code == 200
        assert served.headers["content-type"] == "image/jpeg"
        assert served.headers["x-content-type-options"] == "nosniff"
        assert served.headers["content-security-policy"] == "default-src 'none'; sandbox"
        image = Image.open(io.BytesIO(served.content))
        assert image.size == (800, 600)
        assert dict(image.getexif()) == {}
        assert pictures.CAMERA.encode() not in served.content
        assert avatar.headers["content-type"] == "image/png"
        assert Image.open(io.BytesIO(avatar.content)).size == (400, 400)
