"""A space's library through the client API, over HTTP on loopback: upload with details into a
folder, a new version under the same name, list, search, show with versions, download with the
member's token, remove; the refusals (no token, wrong scope, non-member, quota, bad details)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from fedi.accounts.members import add_member
from fedi.core.models import Group
from fedi.db import library as library_rows
from fedi.groups import moderation
from fedi.groups.groups import create_group
from fedi.relationships.relationships import follow
from tests.api.conftest import Served
from tests.api.tokens import bearer
from tests.testrig import documents


@dataclass
class Api:
    http: httpx.AsyncClient
    group: Group
    mia: dict[str, str]  # a member's read+write token
    nils: dict[str, str]  # a member of the server, not of the space

    @property
    def path(self) -> str:
        return f"/api/v1/groups/{self.group.id}/library"


@pytest.fixture
async def api(served: Served) -> AsyncIterator[Api]:
    context = served.context
    olga = await add_member(context, "olga", "olga-password")
    mia = await add_member(context, "mia", "mia-password")
    await add_member(context, "nils", "nils-password")
    group = await create_group(context, "casework", "olga", is_private=True)
    await follow(context, "mia", group.account)
    await moderation.approve(context, group, olga, mia.account.id)
    async with httpx.AsyncClient(base_url=served.base, timeout=10) as http:
        yield Api(
            http, group, await bearer(http, "mia", "read write"),
            await bearer(http, "nils", "read write"),
        )  # fmt: skip


async def post_file(api: Api, name: str, data: bytes, **fields: str) -> httpx.Response:
    return await api.http.post(
        api.path, headers=api.mia, data=fields, files={"file": (name, data, "application/pdf")}
    )


async def test_upload_versions_list_search_show_download_and_remove(api: Api) -> None:
    folder = await api.http.post(f"{api.path}/folders", headers=api.mia, data={"name": "Cases"})
    assert folder.status_code == 200, folder.text
    folder_id = folder.json()["id"]
    first = await post_file(
        api, "brief.pdf", documents.pdf("one"), title="Brief", description="Draft",
        language="fr", folder_id=folder_id,
    )  # fmt: skip
    assert first.status_code == 200, first.text
    assert first.headers["cache-control"] == "private, no-store"
    body = first.json()
    assert {k: body[k] for k in ("name", "title", "description", "language", "folder_id")} == {
        "name": "brief.pdf", "title": "Brief", "description": "Draft", "language": "fr",
        "folder_id": folder_id,
    }  # fmt: skip
    assert body["media_type"] == "application/pdf" and body["version_count"] == 1
    second = await post_file(api, "brief.pdf", documents.pdf("two!"), folder_id=folder_id)
    assert second.json()["id"] == body["id"] and second.json()["version_count"] == 2

    top = (await api.http.get(api.path, headers=api.mia)).json()
    assert [f["name"] for f in top["folders"]] == ["Cases"] and top["documents"] == []
    inside = (await api.http.get(api.path, params={"folder_id": folder_id}, headers=api.mia)).json()
    assert [d["name"] for d in inside["documents"]] == ["brief.pdf"]
    assert [f["name"] for f in inside["path"]] == ["Cases"]
    found = (await api.http.get(api.path, params={"q": "BRIEF"}, headers=api.mia)).json()
    assert [d["id"] for d in found["documents"]] == [body["id"]]

    shown = await api.http.get(f"{api.path}/{body['id']}", headers=api.mia)
    versions = shown.json()["versions"]
    assert [v["size"] for v in versions] == [len(documents.pdf("two!")), len(documents.pdf("one"))]
    for version, text in zip(versions, ("two!", "one"), strict=True):
        path = httpx.URL(version["url"]).path
        assert (await api.http.get(path)).status_code == 404  # no token: as if missing
        served = await api.http.get(path, headers=api.mia)
        assert served.status_code == 200 and served.content == documents.pdf(text)

    gone = await api.http.delete(f"{api.path}/{body['id']}", headers=api.mia)
    assert gone.status_code == 200
    assert (await api.http.get(f"{api.path}/{body['id']}", headers=api.mia)).status_code == 404


async def test_refusals(api: Api, served: Served) -> None:
    uploaded = (await post_file(api, "a.pdf", documents.pdf())).json()
    document = f"{api.path}/{uploaded['id']}"
    missing = await api.http.get("/api/v1/groups/1/library", headers=api.mia)
    assert missing.status_code == 404 and missing.json() == {"error": "Record not found"}
    assert (await api.http.get(api.path)).status_code == 401
    for path in (api.path, document):
        outsider = await api.http.get(path, headers=api.nils)
        assert (outsider.status_code, outsider.json()) == (404, missing.json())
    assert (await api.http.delete(document, headers=api.nils)).status_code == 404
    sneaky = await api.http.post(
        api.path, headers=api.nils, files={"file": ("x.pdf", documents.pdf(), "application/pdf")}
    )
    assert sneaky.status_code == 404
    read_only = await bearer(api.http, "mia", "read")
    refused = await api.http.post(
        api.path, headers=read_only, files={"file": ("x.pdf", documents.pdf(), "application/pdf")}
    )
    assert refused.status_code == 403
    no_file = await api.http.post(api.path, headers=api.mia, data={"title": "x"})
    assert no_file.status_code == 422 and "file" in no_file.json()["details"]
    bad_language = await post_file(api, "b.pdf", documents.pdf(), language="french")
    assert bad_language.status_code == 422 and "error" in bad_language.json()
    not_a_document = await post_file(api, "tool.exe", b"MZ\x90\x00 not a document")
    assert not_a_document.status_code == 422
    assert not_a_document.json()["details"]["file"][0]["error"] == "ERR_INVALID"
    no_folder = await post_file(api, "c.pdf", documents.pdf(), folder_id="12345")
    assert no_folder.status_code == 404
    await served.context.db.write(lambda conn: library_rows.set_quota_mb(conn, api.group.id, 1))
    full = await post_file(api, "big.pdf", documents.pdf("x" * 1_100_000))
    assert full.status_code == 422
    assert "quota" in full.json()["error"]
    assert full.json()["details"]["file"][0]["error"] == "ERR_TOO_LARGE"


async def test_bad_input_is_a_4xx_with_an_error(api: Api) -> None:
    for path, params in (
        ("/api/v1/groups/abc/library", {}),
        (f"{api.path}/abc", {}),
        (f"{api.path}/folders", {}),
        (api.path, {"folder_id": "abc"}),
        (api.path, {"max_id": "1e9"}),
        (api.path, {"folder_id": "123"}),
    ):
        answer = await api.http.get(path, params=params, headers=api.mia)
        assert answer.status_code in (404, 422), (path, params)
        assert "error" in answer.json()
    for data in ({"name": ""}, {"name": "x" * 201}, {"name": "a", "parent_id": "999"}):
        folder = await api.http.post(f"{api.path}/folders", headers=api.mia, data=data)
        assert folder.status_code in (404, 422) and "error" in folder.json(), data
