"""The library pages of a members-only space: its members see folders and documents, upload
(without JavaScript, CSRF-checked), make folders, open a document with its versions, search and
remove; everyone else gets the 404 of a space that does not exist."""

from __future__ import annotations

import re

import httpx
import pytest

from fedi.context import Context
from fedi.db import audit_log
from fedi.db import library as library_rows
from fedi.groups.groups import create_group
from fedi.library import documents as library
from fedi.library import folders
from fedi.library.documents import Upload
from fedi.moderation.roles import change_role
from tests.conftest import BASE
from tests.testrig import documents
from tests.testrig.group_web import BROWSER, assert_translated, csrf_token, sign_in, submit
from tests.testrig.library import Space, private_space

LANGUAGES = ["en", "fr", "ar", "de", "pt"]


@pytest.fixture
async def space(context: Context) -> Space:
    return await private_space(context)


async def upload(
    client: httpx.AsyncClient, name: str, data: bytes, **fields: str
) -> httpx.Response:
    token = await csrf_token(client, "/@casework/library")
    return await client.post(
        "/@casework/library/upload",
        data={"csrf_token": token, **fields},
        files={"file": (name, data, "application/pdf")},
        headers=BROWSER | {"Origin": BASE},
    )


async def test_a_member_uploads_a_document_and_a_new_version_without_javascript(
    client: httpx.AsyncClient, context: Context, space: Space
) -> None:
    await sign_in(client, "mia", "password-mia")
    done = await upload(
        client, "نشرة.pdf", documents.pdf("one"), title="Bulletin", description="Issue 1",
        language="ar",
    )  # fmt: skip
    assert done.status_code == 303
    page_path = done.headers["location"]
    assert re.fullmatch(r"/@casework/library/\d+", page_path)
    again = await upload(client, "نشرة.pdf", documents.pdf("two, longer"), title="Bulletin 2")
    assert again.headers["location"] == page_path
    # The document's own form: a new version whatever the file was called on the device.
    token = await csrf_token(client, page_path)
    third = await client.post(
        "/@casework/library/upload",
        data={"csrf_token": token, "name": "نشرة.pdf"},
        files={"file": ("scan-0001.pdf", documents.pdf("three"), "application/pdf")},
        headers=BROWSER | {"Origin": BASE},
    )
    assert third.headers["location"] == page_path
    page = await client.get(f"{page_path}?lang=en", headers=BROWSER)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "private, no-store"
    assert "<bdi>نشرة.pdf</bdi>" in page.text and "Bulletin 2" in page.text
    assert "Version 3" in page.text and "Version 1" in page.text
    links = re.findall(r'href="(https://fedi\.test/media/[^"]+)"', page.text)
    assert len(links) == 3
    for link, text in zip(links, ("three", "two, longer", "one"), strict=True):
        served = await client.get(link.removeprefix(BASE))
        assert served.status_code == 200 and served.content == documents.pdf(text)
        assert served.headers["cache-control"] == "private, no-store"
    library_page = await client.get("/@casework/library?lang=en", headers=BROWSER)
    assert "نشرة.pdf" in library_page.text and "This library holds" in library_page.text


async def test_folders_breadcrumbs_and_search(
    client: httpx.AsyncClient, context: Context, space: Space
) -> None:
    await sign_in(client, "mia", "password-mia")
    made = await submit(
        client, "/@casework/library/folders", {"name": "Hearings"}, form_page="/@casework/library"
    )
    assert made.status_code == 303
    folder_path = made.headers["location"]
    folder_id = folder_path.rsplit("=", 1)[1]
    token = await csrf_token(client, folder_path)
    done = await client.post(
        "/@casework/library/upload",
        data={"csrf_token": token, "folder_id": folder_id, "title": "Plan for May"},
        files={"file": ("plan.pdf", documents.pdf(), "application/pdf")},
        headers=BROWSER | {"Origin": BASE},
    )
    assert done.status_code == 303
    inside = await client.get(f"{folder_path}&lang=en", headers=BROWSER)
    assert "plan.pdf" in inside.text and 'aria-current="page"' in inside.text
    top = await client.get("/@casework/library?lang=en", headers=BROWSER)
    assert "Hearings" in top.text and "plan.pdf" not in top.text
    found = await client.get("/@casework/library?q=MAY&lang=en", headers=BROWSER)
    assert "plan.pdf" in found.text
    nothing = await client.get("/@casework/library?q=june&lang=en", headers=BROWSER)
    assert "plan.pdf" not in nothing.text
    duplicate = await submit(
        client, "/@casework/library/folders", {"name": "hearings"}, form_page="/@casework/library"
    )
    assert duplicate.status_code == 422
    assert "already holds a folder of that name" in duplicate.text


async def test_an_upload_past_the_quota_is_refused_with_a_readable_page(
    client: httpx.AsyncClient, context: Context, space: Space
) -> None:
    await context.db.write(lambda conn: library_rows.set_quota_mb(conn, space.group.id, 1))
    await sign_in(client, "mia", "password-mia")
    big = documents.pdf("x" * 600_000)
    assert (await upload(client, "a.pdf", big)).status_code == 303
    refused = await upload(client, "b.pdf", big)
    assert refused.status_code == 422
    assert "past its quota" in refused.text


async def test_forms_need_their_csrf_token(
    client: httpx.AsyncClient, context: Context, space: Space
) -> None:
    await sign_in(client, "mia", "password-mia")
    forged = await client.post(
        "/@casework/library/upload", data={"csrf_token": "forged-token-forged-token"},
        files={"file": ("a.pdf", documents.pdf(), "application/pdf")},
        headers=BROWSER | {"Origin": BASE},
    )  # fmt: skip
    assert forged.status_code == 403
    async with context.db.read() as conn:
        assert await library_rows.documents_in(conn, space.group.id, None, None, 5) == []


async def test_the_library_and_its_documents_are_404_to_non_members(
    client: httpx.AsyncClient, context: Context, space: Space
) -> None:
    document = await library.upload_document(
        context, space.group, space.mia.account, Upload(documents.pdf(), "secret.pdf")
    )
    paths = ["/@casework/library", f"/@casework/library/{document.id}"]
    missing = await client.get("/@nogroupx/library", headers=BROWSER)
    for path in paths:
        anonymous = await client.get(path, headers=BROWSER)
        assert anonymous.status_code == missing.status_code == 404
    await sign_in(client, "nils", "password-nils")
    for path in paths:
        assert (await client.get(path, headers=BROWSER)).status_code == 404
    sneaky = await submit(client, "/@casework/library/upload", {"title": "x"}, form_page="/@nils")
    assert sneaky.status_code == 404
    removal = await submit(
        client, f"/@casework/library/{document.id}/delete", {}, form_page="/@nils"
    )
    assert removal.status_code == 404
    async with context.db.read() as conn:
        assert await library_rows.get_document(conn, space.group.id, document.id) is not None


async def test_the_uploader_removes_a_document(
    client: httpx.AsyncClient, context: Context, space: Space
) -> None:
    document = await library.upload_document(
        context, space.group, space.mia.account, Upload(documents.pdf(), "old.pdf")
    )
    await sign_in(client, "mia", "password-mia")
    path = f"/@casework/library/{document.id}"
    done = await submit(client, f"{path}/delete", {}, form_page=path)
    assert done.status_code == 303
    assert (await client.get(path, headers=BROWSER)).status_code == 404


@pytest.mark.parametrize("code", LANGUAGES)
async def test_library_pages_in_each_language(
    client: httpx.AsyncClient, context: Context, space: Space, code: str
) -> None:
    document = await library.upload_document(
        context, space.group, space.mia.account,
        Upload(documents.pdf(), "report.pdf", title="Bulletin"),
    )  # fmt: skip
    await sign_in(client, "mia", "password-mia")
    for path in ("/@casework/library", f"/@casework/library/{document.id}"):
        page = await client.get(f"{path}?lang={code}", headers=BROWSER)
        assert page.status_code == 200
        assert f'<html lang="{code}" dir="{"rtl" if code == "ar" else "ltr"}">' in page.text
        assert_translated(page.text, code)


async def test_an_administrator_sets_the_spaces_quota_on_its_settings_page(
    client: httpx.AsyncClient, context: Context, space: Space
) -> None:
    await sign_in(client, "olga", "password-olga")  # the space's owner, not an administrator
    page = await client.get("/@casework/manage?lang=en", headers=BROWSER)
    assert "Library quota" not in page.text
    refused = await submit(
        client, "/@casework/manage/settings/library_quota", {"quota_mb": "5"},
        form_page="/@casework/manage",
    )  # fmt: skip
    assert refused.status_code == 404
    await change_role(context, None, "olga", "admin")
    page = await client.get("/@casework/manage?lang=en", headers=BROWSER)
    assert "Library quota" in page.text and "500 MB" in page.text
    done = await submit(
        client, "/@casework/manage/settings/library_quota", {"quota_mb": "5"},
        form_page="/@casework/manage",
    )  # fmt: skip
    assert done.status_code == 303
    bad = await submit(
        client, "/@casework/manage/settings/library_quota", {"quota_mb": "lots"},
        form_page="/@casework/manage",
    )  # fmt: skip
    assert bad.status_code == 400 and "whole number of MB" in bad.text
    async with context.db.read() as conn:
        assert await library_rows.quota_mb(conn, space.group.id) == 5
        [entry] = await audit_log.entries(conn, limit=5, action="change_library_quota")
    assert entry.target_label == "@casework" and entry.details == {"quota_mb": 5}


async def test_bad_input_is_a_4xx_never_a_500(
    client: httpx.AsyncClient, context: Context, space: Space
) -> None:
    other = await create_group(context, "forum", "olga")
    elsewhere = await folders.create_folder(context, other, space.olga.account, "Theirs", None)
    await sign_in(client, "mia", "password-mia")
    for path in (
        "/@casework/library/abc",
        "/@casework/library/99999999",
        "/@casework/library?folder=abc",
        "/@casework/library?folder=-1",
        f"/@casework/library?folder={elsewhere.id}",  # another space's folder
        "/@casework/library?before=1e9",
        "/@nobody@nowhere.example/library",
    ):
        answer = await client.get(path, headers=BROWSER)
        assert answer.status_code == 404, path
    token = await csrf_token(client, "/@casework/library")
    for fields in ({"folder_id": str(elsewhere.id)}, {"folder_id": "x"}):
        answer = await client.post(
            "/@casework/library/upload", data={"csrf_token": token, **fields},
            files={"file": ("a.pdf", documents.pdf(), "application/pdf")},
            headers=BROWSER | {"Origin": BASE},
        )  # fmt: skip
        assert answer.status_code == 404, fields
    empty = await client.post(
        "/@casework/library/upload", data={"csrf_token": token},
        files={"file": ("", b"", "application/octet-stream")},
        headers=BROWSER | {"Origin": BASE},
    )  # fmt: skip
    assert empty.status_code == 422 and "Choose a file to upload." in empty.text
    long_name = await submit(
        client, "/@casework/library/folders", {"name": "x" * 201}, form_page="/@casework/library"
    )
    assert long_name.status_code == 422
