"""A remote media object (PeerTube's Video, Funkwhale's Audio, a photo server's Image, a
Document) arriving in a Create is shown as Mastodon shows one: a post whose text is its name and
content and whose media is its own `url`, in its followers' home. Payloads are the projects'
shapes on reserved domains (tests/testrig/payloads), signed and sent to the real inbox; a hostile
object (no url, a javascript: or private-address url, a huge name) is handled safely."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fedi.accounts.members import get_member
from fedi.accounts.oauth import password_grant, register_app
from fedi.core.timeutil import to_db, utcnow
from fedi.db import follows
from fedi.federation.remote_accounts import get_actor
from tests.testrig.fake_remote import FakeRemote, RemoteActor
from tests.testrig.rig import BASE, Rig, create

PAYLOADS = Path(__file__).resolve().parents[1] / "testrig" / "payloads"
ORIGINS = ("https://peertube.example", "https://funkwhale.example", "https://pixelfed.example",
           "https://hubzilla.example")  # fmt: skip


async def _token(rig: Rig) -> dict[str, str]:
    app, secret = await register_app(rig.context, "t", ["urn:ietf:wg:oauth:2.0:oob"], "read", None)
    user = await get_member(rig.context, "alice")
    issued = await password_grant(rig.context, app, secret, user, "read")
    return {"Authorization": f"Bearer {issued.access_token}"}


async def _followed(rig: Rig, remote: FakeRemote, uri: str) -> RemoteActor:
    """The payload's sender, served by the fake remote, followed by alice."""
    path = urlsplit(uri).path
    actor = remote.actor(path.rstrip("/").rsplit("/", 1)[-1], path=path)
    account = await get_actor(rig.context, actor.uri)
    alice = (await get_member(rig.context, "alice")).account.id
    now = to_db(utcnow())
    await rig.context.db.write(
        lambda conn: follows.upsert_follow(
            conn, follower_id=alice, followed_id=account.id, uri=f"{BASE}/follows/{account.id}",
            state="accepted", now=now,
        )
    )  # fmt: skip
    return actor


async def _deliver(rig: Rig, name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The payload (on the example remote), delivered by its followed sender; alice's home."""
    text = (PAYLOADS / name).read_text()
    for origin in ORIGINS:
        text = text.replace(origin, rig.example.base)
    activity: dict[str, Any] = json.loads(text)
    actor = await _followed(rig, rig.example, activity["actor"])
    response = await rig.post(actor, activity, url=f"{BASE}/inbox")
    assert response.status_code == 202, response.text
    while await rig.process():
        pass
    home = await rig.client.get("/api/v1/timelines/home", headers=await _token(rig))
    assert home.status_code == 200, home.text
    return activity, home.json()


async def test_a_peertube_video_shows_with_its_video_in_the_followers_home(rig: Rig) -> None:
    activity, home = await _deliver(rig, "peertube/create_video.json")
    video = activity["object"]
    [status] = home
    assert status["uri"] == video["id"]
    assert status["content"].startswith("<p><strong>Déframasoftisons Internet [Framasoft]")
    assert "Dégooglisons Internet" in status["content"]
    assert status["url"] == video["url"][0]["href"]  # its page, not a file
    [media] = status["media_attachments"]
    assert media["type"] == "video"
    assert media["remote_url"] == video["url"][1]["href"]  # the 1080p rendition
    assert media["remote_url"].endswith("-1080.mp4")
    assert media["description"] == video["name"]
    assert sorted(t["name"] for t in status["tags"]) == ["déframasoftisons", "framaconf"]


async def test_a_funkwhale_track_shows_with_its_audio(rig: Rig) -> None:
    activity, home = await _deliver(rig, "funkwhale/create_audio.json")
    track = activity["object"]
    [status] = home
    assert status["content"].startswith("<p><strong>Compositions - Test Audio for Pleroma")
    assert "This is a test Audio for Pleroma." in status["content"]
    assert status["url"] == track["url"][1]["href"]
    [media] = status["media_attachments"]
    assert media["type"] == "audio" and media["remote_url"] == track["url"][0]["href"]
    assert status["spoiler_text"] == ""  # its summary is its tags, no warning


async def test_a_photo_shows_with_its_image(rig: Rig) -> None:
    activity, home = await _deliver(rig, "pixelfed/create_image.json")
    photo = activity["object"]
    [status] = home
    assert "Morning at the pasture" in status["content"]
    [media] = status["media_attachments"]
    assert media["type"] == "image" and media["remote_url"] == photo["url"]
    assert media["meta"]["original"]["width"] == 1200 and media["description"] == photo["name"]


async def test_an_image_without_url_shows_its_text_without_media(rig: Rig) -> None:
    activity, home = await _deliver(rig, "hubzilla/create_image.json")
    [status] = home
    assert status["content"].startswith("<p><strong>RDF icon</strong></p>")
    assert "une nouvelle photo" in status["content"] and status["media_attachments"] == []
    assert status["url"] == activity["object"]["id"]


async def test_hostile_media_objects_are_handled_safely(rig: Rig) -> None:
    actor = await _followed(rig, rig.example, f"{rig.example.base}/users/mallory")
    base = rig.example.base
    public = ["https://www.w3.org/ns/activitystreams#Public"]

    def media(n: int, kind: str, **fields: Any) -> dict[str, Any]:
        return {"id": f"{base}/media/{n}", "type": kind, "attributedTo": actor.uri, "to": public,
                **fields}  # fmt: skip

    objects = [
        media(1, "Video", name="javascript", url=[
            {"type": "Link", "mediaType": "video/mp4", "href": "javascript:alert(1)"},
            {"type": "Link", "mediaType": "text/html", "href": "javascript:alert(2)"}]),
        media(2, "Image", name="private", url="http://127.0.0.1/admin.png"),
        media(3, "Audio", name="mapped", url=[
            {"type": "Link", "mediaType": "audio/ogg", "href": "http://[::ffff:10.0.0.1]/a.ogg"}]),
        media(4, "Document", name="x" * 200_000, url=f"{base}/files/report.pdf",
              mediaType="application/pdf"),
        media(5, "Image"),  # nothing at all to show
        media(6, "Video", name="<script>alert(1)</script>Talk", content="<img src=x onerror=a()>"),
    ]  # fmt: skip
    for n, obj in enumerate(objects, start=1):
        response = await rig.post(actor, create(actor, obj, n), url=f"{BASE}/inbox")
        assert response.status_code == 202, response.text
    while await rig.process():
        pass
    home = await rig.client.get("/api/v1/timelines/home", headers=await _token(rig))
    shown = {s["uri"]: s for s in home.json()}
    javascript, private, mapped = (shown[f"{base}/media/{n}"] for n in (1, 2, 3))
    assert javascript["media_attachments"] == [] and javascript["url"] == f"{base}/media/1"
    assert private["media_attachments"] == [] and mapped["media_attachments"] == []
    assert f"{base}/media/5" not in shown
    scripted = shown[f"{base}/media/6"]
    assert "<script" not in scripted["content"] and "onerror" not in scripted["content"]
    assert "&lt;script&gt;" in scripted["content"]  # the name is text, escaped
    document = shown[f"{base}/media/4"]  # its name cut to a title's length
    assert len(document["content"]) < 1_000
    assert document["media_attachments"][0]["remote_url"] == f"{base}/files/report.pdf"
    assert document["media_attachments"][0]["description"] == "x" * 1500
