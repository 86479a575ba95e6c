"""Media through the client API: Mastodon.py uploads, describes and attaches images as an app
does, and sets an avatar; plain HTTP checks the refusals (not an image, too large, someone else's
upload, wrong scope) and the headers and paths of the served files."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from typing import Any

import httpx
import pytest
import requests
from mastodon import MastodonAPIError, MastodonNotFoundError
from PIL import Image

from fedi.accounts.members import add_member, get_member
from fedi.accounts.oauth import password_grant, register_app
from fedi.context import Context
from fedi.core.timeutil import to_db, utcnow
from fedi.media import images, media
from tests.api.clients import logged_in
from tests.api.conftest import Served
from tests.testrig import pictures


def _served_image(url: str) -> tuple[requests.Response, Image.Image]:
    response = requests.get(url, timeout=10)
    return response, Image.open(io.BytesIO(response.content))


async def test_upload_describe_and_post_a_photo_without_its_gps_position(served: Served) -> None:
    photo = pictures.jpeg_with_gps((900, 600))

    def run() -> dict[str, Any]:
        with logged_in(served.base) as client:
            uploaded = client.media_post(
                io.BytesIO(photo), mime_type="image/jpeg", description="A march", focus=(0.5, -0.25)
            )
            fetched = client.media(uploaded["id"])
            updated = client.media_update(uploaded["id"], description="A march, at noon")
            posted = client.status_post("", media_ids=[uploaded["id"]], visibility="unlisted")
            try:
                client.media(uploaded["id"])
                still_shown = True
            except MastodonNotFoundError:
                still_shown = False
            served_file, served_image = _served_image(posted["media_attachments"][0]["url"])
            preview, preview_image = _served_image(posted["media_attachments"][0]["preview_url"])
            return {
                "uploaded": uploaded, "fetched": fetched, "updated": updated, "posted": posted,
                "still_shown": still_shown, "file": served_file, "image": served_image,
                "preview": preview, "preview_image": preview_image,
            }  # fmt: skip

    got = await asyncio.to_thread(run)
    uploaded = got["uploaded"]
    assert uploaded["type"] == "image"
    assert uploaded["url"].startswith(f"{served.base}/media/")
    assert uploaded["preview_url"].startswith(f"{served.base}/media/")
    assert uploaded["url"] != uploaded["preview_url"]
    assert uploaded["remote_url"] is None
    assert uploaded["description"] == "A march"
    assert uploaded["meta"]["original"] == {"width": 900, "height": 600, "size": "900x600",
                                            "aspect": 1.5}  # fmt: skip
    assert uploaded["meta"]["small"]["width"] * uploaded["meta"]["small"]["height"] <= 230_400
    assert uploaded["meta"]["focus"] == {"x": 0.5, "y": -0.25}
    assert len(uploaded["blurhash"]) == 28
    assert got["fetched"]["id"] == uploaded["id"]
    assert got["updated"]["description"] == "A march, at noon"
    posted = got["posted"]
    assert posted["content"] == ""
    assert [a["id"] for a in posted["media_attachments"]] == [uploaded["id"]]
    assert posted["media_attachments"][0]["description"] == "A march, at noon"
    assert got["still_shown"] is False  # attached: no longer an upload of one's own to edit
    served_file = got["file"]
    assert served_file.status_code == 200
    assert served_file.headers["content-type"] == "image/jpeg"
    assert served_file.headers["x-content-type-options"] == "nosniff"
    assert served_file.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert served_file.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert served_file.headers["content-disposition"] == "inline"
    assert dict(got["image"].getexif()) == {}
    assert pictures.CAMERA.encode() not in served_file.content
    assert got["image"].size == (900, 600)
    assert got["preview"].headers["content-type"] == "image/jpeg"
    assert got["preview_image"].size == (
        uploaded["meta"]["small"]["width"],
        uploaded["meta"]["small"]["height"],
    )


async def test_edit_replaces_attachments_and_delete_keeps_them_for_a_redraft(
    served: Served,
) -> None:
    def run() -> tuple[Any, Any, Any, Any]:
        with logged_in(served.base) as client:
            first = client.media_post(io.BytesIO(pictures.png_with_text()), mime_type="image/png")
            second = client.media_post(io.BytesIO(pictures.animated_gif()), mime_type="image/gif")
            posted = client.status_post("Two pictures", media_ids=[second, first])
            edited = client.status_update(posted["id"], "Only one now", media_ids=[first])
            deleted = client.status_delete(posted["id"])
            redraft = client.status_post(deleted["text"], media_ids=[first, second])
            return posted, edited, deleted, redraft

    posted, edited, deleted, redraft = await asyncio.to_thread(run)
    first_id, second_id = (a["id"] for a in reversed(posted["media_attachments"]))
    assert [a["type"] for a in posted["media_attachments"]] == ["image", "image"]
    assert [a["id"] for a in edited["media_attachments"]] == [first_id]
    assert [a["id"] for a in deleted["media_attachments"]] == [first_id]
    assert [a["id"] for a in redraft["media_attachments"]] == [first_id, second_id]


async def test_avatar_and_header_are_re_encoded_sized_and_removable(served: Served) -> None:
    def run() -> tuple[Any, Any, requests.Response, requests.Response, int]:
        with logged_in(served.base) as client:
            me = client.account_update_credentials(
                avatar=io.BytesIO(pictures.jpeg_with_gps((1200, 900))),
                avatar_mime_type="image/jpeg",
                header=io.BytesIO(pictures.png_with_text((3000, 1000))),
                header_mime_type="image/png",
            )
            avatar = requests.get(me["avatar"], timeout=10)
            header = requests.get(me["header"], timeout=10)
            removed = client.account_delete_avatar()
            old_avatar = requests.get(me["avatar"], timeout=10).status_code
            return me, removed, avatar, header, old_avatar

    me, removed, avatar, header, old_avatar = await asyncio.to_thread(run)
    assert me["avatar"].startswith(f"{served.base}/media/") and me["avatar"].endswith(".jpg")
    assert me["header"].startswith(f"{served.base}/media/") and me["header"].endswith(".png")
    avatar_image = Image.open(io.BytesIO(avatar.content))
    assert avatar_image.size == (400, 300)
    assert dict(avatar_image.getexif()) == {}
    assert avatar.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(header.content)).size == (1500, 500)
    assert removed["avatar"] == f"{served.base}/static/avatar.png"
    assert removed["header"] == me["header"]
    old_name = me["avatar"].rsplit("/", 1)[1]
    assert not (served.context.settings.media_dir / old_name).exists()
    assert old_avatar == 404


async def test_an_upload_that_is_not_an_image_is_refused_through_the_client(
    served: Served,
) -> None:
    def run() -> None:
        with logged_in(served.base) as client:
            client.media_post(io.BytesIO(b"<html>hi</html>"), mime_type="image/png")

    with pytest.raises(MastodonAPIError) as caught:
        await asyncio.to_thread(run)
    assert caught.value.args[1] == 422


# Plain HTTP, in process.


async def _bearer(context: Context, username: str, scope: str = "read write") -> dict[str, str]:
    app, secret = await register_app(
        context, "tests", ["urn:ietf:wg:oauth:2.0:oob"], "read write follow", None
    )
    user = await get_member(context, username)
    issued = await password_grant(context, app, secret, user, scope)
    return {"Authorization": f"Bearer {issued.access_token}"}


@pytest.fixture
async def alice(context: Context) -> dict[str, str]:
    await add_member(context, "alice", "alice-password")
    return await _bearer(context, "alice")


@pytest.fixture
async def bob(context: Context) -> dict[str, str]:
    await add_member(context, "bob", "bob-password")
    return await _bearer(context, "bob")


async def _upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    data: bytes,
    name: str = "photo.png",
    content_type: str = "image/png",
    **fields: str,
) -> httpx.Response:
    return await client.post(
        "/api/v2/media", headers=headers, files={"file": (name, data, content_type)}, data=fields
    )


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (b"plain text, renamed", "photo.png", "image/png"),
        (b"<html><script>alert(1)</script></html>", "photo.jpg", "image/jpeg"),
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "a.svg", "image/svg+xml"),
        (b"GIF89a<script>alert(1)</script>", "a.gif", "image/gif"),
        (pictures.png_claiming(10_000, 10_000), "bomb.png", "image/png"),
    ],
)
async def test_anything_but_a_supported_image_is_422(
    client: httpx.AsyncClient, alice: dict[str, str], data: bytes, name: str, content_type: str
) -> None:
    response = await _upload(client, alice, data, name, content_type)
    assert response.status_code == 422, response.text
    assert "error" in response.json()


async def test_an_image_with_html_appended_is_stored_without_it(
    client: httpx.AsyncClient, alice: dict[str, str]
) -> None:
    polyglot = pictures.png_with_text() + b"<html><script>alert(1)</script></html>"
    response = await _upload(client, alice, polyglot, "page.html", "text/html")
    assert response.status_code == 200, response.text
    served = await client.get(response.json()["url"])
    assert served.headers["content-type"] == "image/png"
    assert b"<script" not in served.content


async def test_oversized_uploads_are_refused(
    client: httpx.AsyncClient, alice: dict[str, str]
) -> None:
    response = await _upload(client, alice, b"\xff\xd8\xff" + b"\x00" * images.SIZE_LIMIT)
    assert response.status_code == 413
    assert "error" in response.json()


async def test_missing_file_long_description_and_bad_focus_are_422(
    client: httpx.AsyncClient, alice: dict[str, str]
) -> None:
    response = await client.post("/api/v2/media", headers=alice, data={"description": "x"})
    assert response.status_code == 422
    png = pictures.png_with_text()
    response = await _upload(client, alice, png, description="x" * 1501)
    assert response.status_code == 422
    response = await _upload(client, alice, png, focus="left")
    assert response.status_code == 422
    response = await _upload(client, alice, png, description="x" * 1500, focus="2,-0.5")
    assert response.status_code == 200
    assert response.json()["meta"]["focus"] == {"x": 1.0, "y": -0.5}
    media_id = response.json()["id"]
    response = await client.put(
        f"/api/v1/media/{media_id}", headers=alice, json={"description": "y" * 1501}
    )
    assert response.status_code == 422


async def test_the_legacy_v1_upload_works_too(
    client: httpx.AsyncClient, alice: dict[str, str]
) -> None:
    response = await client.post(
        "/api/v1/media/", headers=alice, files={"file": ("a", pictures.animated_gif(), "x/y")}
    )
    assert response.status_code == 200
    assert response.json()["url"].endswith(".gif")


async def test_another_members_upload_is_404_and_cannot_be_attached(
    client: httpx.AsyncClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    upload = (await _upload(client, alice, pictures.png_with_text())).json()
    for method in ("GET", "PUT", "DELETE"):
        response = await client.request(method, f"/api/v1/media/{upload['id']}", headers=bob)
        assert response.status_code == 404, method
        assert response.json() == {"error": "Record not found"}
    response = await client.post(
        "/api/v1/statuses", headers=bob, data={"status": "mine?", "media_ids[]": upload["id"]}
    )
    assert response.status_code == 422
    for missing in ("1", "99999999999", "abc"):
        response = await client.get(f"/api/v1/media/{missing}", headers=alice)
        assert response.status_code == 404


async def test_media_ids_rules_on_posts(client: httpx.AsyncClient, alice: dict[str, str]) -> None:
    uploads = [(await _upload(client, alice, pictures.png_with_text())).json()["id"]
               for _ in range(5)]  # fmt: skip
    response = await client.post(
        "/api/v1/statuses", headers=alice, json={"status": "five", "media_ids": uploads}
    )
    assert response.status_code == 422
    response = await client.post(
        "/api/v1/statuses", headers=alice, json={"status": "", "media_ids": ["not-an-id"]}
    )
    assert response.status_code == 422
    response = await client.post("/api/v1/statuses", headers=alice, json={"status": ""})
    assert response.status_code == 422  # no text and no media
    response = await client.post("/api/v1/statuses", headers=alice, json={"media_ids": uploads[:2]})
    assert response.status_code == 200, response.text
    first = response.json()
    # An attached upload cannot go on a second post.
    response = await client.post(
        "/api/v1/statuses", headers=alice, json={"status": "again", "media_ids": uploads[:1]}
    )
    assert response.status_code == 422
    # An edit may keep the post's own uploads and add free ones; without media_ids they go.
    response = await client.put(
        f"/api/v1/statuses/{first['id']}", headers=alice,
        json={"status": "edited", "media_ids": [uploads[2], uploads[0]]},
    )  # fmt: skip
    assert [a["id"] for a in response.json()["media_attachments"]] == [uploads[2], uploads[0]]
    response = await client.put(
        f"/api/v1/statuses/{first['id']}", headers=alice, json={"status": "no pictures"}
    )
    assert response.json()["media_attachments"] == []
    assert (await client.get(f"/api/v1/media/{uploads[1]}", headers=alice)).status_code == 200


async def test_scopes_and_tokens(client: httpx.AsyncClient, context: Context) -> None:
    await add_member(context, "alice", "alice-password")
    reader = await _bearer(context, "alice", "read")
    accounts_only = await _bearer(context, "alice", "write:accounts")
    media_only = await _bearer(context, "alice", "write:media")
    png = pictures.png_with_text()
    assert (await _upload(client, {}, png)).status_code == 401
    assert (await _upload(client, {"Authorization": "Bearer wrong"}, png)).status_code == 401
    assert (await _upload(client, reader, png)).status_code == 403
    assert (await _upload(client, accounts_only, png)).status_code == 403
    uploaded = await _upload(client, media_only, png)
    assert uploaded.status_code == 200
    media_id = uploaded.json()["id"]
    assert (await client.get(f"/api/v1/media/{media_id}", headers=reader)).status_code == 403
    assert (await client.get(f"/api/v1/media/{media_id}", headers=media_only)).status_code == 200
    response = await client.delete("/api/v1/profile/avatar", headers=media_only)
    assert response.status_code == 403
    assert (await client.delete("/api/v1/profile/avatar", headers=accounts_only)).status_code == 200


async def test_served_files_paths_and_headers(
    client: httpx.AsyncClient, context: Context, alice: dict[str, str]
) -> None:
    uploaded = (await _upload(client, alice, pictures.animated_gif(), "x.png", "image/png")).json()
    name = uploaded["url"].rsplit("/", 1)[1]
    response = await client.get(f"/media/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/gif"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert response.headers["content-disposition"] == "inline"
    head = await client.head(f"/media/{name}")
    assert head.status_code == 200
    # Something else in the data directory, a secret file by name.
    (context.settings.data_dir / "secret.png").write_bytes(b"secret")
    for path in (
        "/media/",
        "/media",
        "/media/../fedi.sqlite3",
        "/media/..%2Ffedi.sqlite3",
        "/media/%2e%2e/secret.png",
        "/media/..%2Fsecret.png",
        f"/media/{name}/",
        f"/media/{name[:-4]}.html",
        f"/media/{name.upper()}",
        "/media/" + "A" * 32 + ".png",  # the right form, but no such file
        f"/media/.{name}.part",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert b"secret" not in response.content
        if response.url.path.startswith("/media"):  # the client may resolve the dots itself
            assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    [b"/media/../fedi.sqlite3", b"/media/..%2Ffedi.sqlite3", b"/media/%2e%2e%2ffedi.sqlite3",
     b"/media/..\\fedi.sqlite3", b"/media/./../keys"],
)  # fmt: skip
async def test_dot_segments_sent_as_is_never_leave_the_media_directory(
    served: Served, path: bytes
) -> None:
    """Raw requests, as a hostile client sends them (HTTP libraries resolve the dots first)."""
    host, port = served.base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(b"GET " + path + b" HTTP/1.1\r\nHost: " + host.encode()
                     + b"\r\nConnection: close\r\n\r\n")  # fmt: skip
        await writer.drain()
        answer = await reader.read()
    finally:
        writer.close()
        await writer.wait_closed()
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] in (b"400", b"404"), status_line
    assert b"SQLite" not in answer
    if status_line.split()[1] == b"404":
        assert b"x-content-type-options: nosniff" in rest.lower()


async def test_unattached_uploads_are_cleaned_up_after_a_day(
    client: httpx.AsyncClient, context: Context, alice: dict[str, str]
) -> None:
    png = pictures.png_with_text()
    kept = (await _upload(client, alice, png)).json()
    unused = (await _upload(client, alice, png)).json()
    response = await client.post(
        "/api/v1/statuses", headers=alice, json={"status": "kept", "media_ids": [kept["id"]]}
    )
    assert response.status_code == 200
    directory = context.settings.media_dir
    unused_files = [unused[k].rsplit("/", 1)[1] for k in ("url", "preview_url")]
    assert all((directory / n).exists() for n in unused_files)
    assert await media.clean_up_unattached(context) == 0  # too young yet
    assert await media.clean_up_unattached(context, utcnow() + timedelta(days=1, minutes=1)) == 1
    assert not any((directory / n).exists() for n in unused_files)
    assert (await client.get(f"/api/v1/media/{unused['id']}", headers=alice)).status_code == 404
    assert (await client.get(kept["url"])).status_code == 200


async def test_instance_reports_the_real_limits(client: httpx.AsyncClient) -> None:
    config = (await client.get("/api/v2/instance")).json()["configuration"]
    supported = config["media_attachments"]["supported_mime_types"]
    assert supported[:4] == ["image/jpeg", "image/png", "image/gif", "image/webp"]
    assert {"application/pdf", "text/plain", "text/csv"} <= set(supported)
    assert config["media_attachments"]["image_size_limit"] == 16 * 1024 * 1024
    assert config["media_attachments"]["image_matrix_limit"] == 33_177_600
    assert config["media_attachments"]["description_limit"] == 1500
    assert config["statuses"]["max_media_attachments"] == 4


async def test_avatar_upload_is_federated_in_the_actor_and_bad_files_are_422(
    client: httpx.AsyncClient, alice: dict[str, str]
) -> None:
    response = await client.patch(
        "/api/v1/accounts/update_credentials", headers=alice,
        files={"avatar": ("me.txt", b"not an image", "image/png")},
    )  # fmt: skip
    assert response.status_code == 422
    response = await client.patch(
        "/api/v1/accounts/update_credentials", headers=alice,
        files={"avatar": ("me.gif", pictures.animated_gif(), "image/gif")},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    avatar = response.json()["avatar"]
    assert avatar.startswith("https://fedi.test/media/") and avatar.endswith(".png")
    actor = (
        await client.get("/users/alice", headers={"Accept": "application/activity+json"})
    ).json()
    assert actor["icon"] == {"type": "Image", "mediaType": "image/png", "url": avatar}


async def test_the_server_cleans_up_regularly(
    client: httpx.AsyncClient, context: Context, alice: dict[str, str]
) -> None:
    unused = (await _upload(client, alice, pictures.png_with_text())).json()
    two_days_ago = to_db(utcnow() - timedelta(days=2))
    await context.db.write(
        lambda conn: conn.execute("UPDATE media_attachments SET created_at = ?", (two_days_ago,))
    )
    stop = asyncio.Event()
    task = asyncio.create_task(media.clean_up_regularly(context, stop, every=0.01))
    try:
        for _ in range(200):
            response = await client.get(f"/api/v1/media/{unused['id']}", headers=alice)
            if response.status_code == 404:
                break
            await asyncio.sleep(0.01)
    finally:
        stop.set()
        await task
    assert response.status_code == 404
    assert (await client.get(unused["url"])).status_code == 404
