"""/settings/profile: a member edits their profile with a plain form (multipart, CSRF), the
change federates as Update{Person} as update_credentials' does, and a refused form (no token, a
file that is no image, one that is too large, a limit passed) changes nothing and says why."""

from __future__ import annotations

import httpx
import pytest

from fedi.accounts.members import add_member, get_member
from fedi.context import Context
from fedi.core.models import Account
from fedi.media import images
from tests.conftest import BASE
from tests.testrig.group_web import BROWSER, csrf_token, sign_in
from tests.testrig.groups import queued
from tests.testrig.pictures import png_with_text

PATH = "/settings/profile"


@pytest.fixture
async def alice(context: Context, client: httpx.AsyncClient) -> Account:
    user = await add_member(context, "alice", "alice-password")
    await sign_in(client, "alice", "alice-password")
    return user.account


def form(**changes: str) -> dict[str, str]:
    return {
        "display_name": "Alice Liddell", "note": "Lawyer. Tea.",
        "fields_attributes[0][name]": "Website", "fields_attributes[0][value]": "https://a.example",
        "fields_attributes[1][name]": "", "fields_attributes[1][value]": "",
        "locked": "1", "discoverable": "1",
    } | changes  # fmt: skip


async def post(
    client: httpx.AsyncClient,
    fields: dict[str, str],
    files: dict[str, tuple[str, bytes, str]] | None = None,
    csrf: str | None = "page",
) -> httpx.Response:
    data = dict(fields)
    if csrf == "page":
        data["csrf_token"] = await csrf_token(client, PATH)
    elif csrf is not None:
        data["csrf_token"] = csrf
    # A file part (even an empty one, as a browser sends for an untouched file input) makes the
    # body multipart, as the page's form does.
    parts = files or {"avatar": ("", b"", "application/octet-stream")}
    return await client.post(PATH, data=data, files=parts, headers=BROWSER | {"Origin": BASE})


async def test_a_visitor_is_sent_to_sign_in_and_back(client: httpx.AsyncClient) -> None:
    page = await client.get(PATH, headers=BROWSER)
    assert page.status_code == 303
    assert page.headers["location"] == "/auth/sign_in?next=%2Fsettings%2Fprofile"


async def test_the_form_shows_the_profile_with_a_label_for_each_input(
    client: httpx.AsyncClient, context: Context, alice: Account
) -> None:
    page = await client.get(PATH, headers=BROWSER)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "private, no-store"
    assert 'enctype="multipart/form-data"' in page.text
    for name in ("display_name", "note", "avatar", "header", "locked", "discoverable",
                 "field-0-name", "field-3-value"):  # fmt: skip
        assert f'id="{name}"' in page.text and f'for="{name}"' in page.text, name


async def test_saving_changes_the_profile_and_federates_an_update(
    client: httpx.AsyncClient, context: Context, alice: Account
) -> None:
    avatar = ("me.png", png_with_text((300, 300)), "image/png")
    saved = await post(client, form(), {"avatar": avatar})
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"{PATH}?done=saved"
    account = (await get_member(context, "alice")).account
    assert account.display_name == "Alice Liddell"
    assert account.is_locked and account.is_discoverable
    assert [(f.name, f.value) for f in account.fields] == [("Website", "https://a.example")]
    assert account.avatar_file is not None and account.header_file is None
    assert "Lawyer. Tea." in account.note
    updates = [a for a in await queued(context) if a["type"] == "Update"]
    assert updates and updates[-1]["object"]["name"] == "Alice Liddell"
    assert updates[-1]["object"]["manuallyApprovesFollowers"] is True
    page = await client.get(f"{PATH}?done=saved&lang=fr", headers=BROWSER)
    assert "Votre profil a été enregistré." in page.text
    assert 'value="Alice Liddell"' in page.text


@pytest.mark.parametrize("token", [None, "wrong-token-wrong-token-wrong"])
async def test_without_the_csrf_token_nothing_changes(
    client: httpx.AsyncClient, context: Context, alice: Account, token: str | None
) -> None:
    avatar = ("me.png", png_with_text((300, 300)), "image/png")
    refused = await post(client, form(), {"avatar": avatar}, csrf=token)
    assert refused.status_code == 403
    assert "<html" in refused.text  # a readable page
    assert (await get_member(context, "alice")).account == alice
    assert [a for a in await queued(context) if a["type"] == "Update"] == []


async def test_a_file_that_is_no_image_changes_nothing(
    client: httpx.AsyncClient, context: Context, alice: Account
) -> None:
    good = ("me.png", png_with_text((300, 300)), "image/png")
    bad = ("header.png", b"<svg onload=alert(1)>", "image/png")
    refused = await post(client, form(), {"avatar": good, "header": bad})
    assert refused.status_code == 422
    assert "This file is not an image this server accepts" in refused.text
    assert "Nothing was changed." in refused.text
    assert 'value="Alice Liddell"' in refused.text  # what was typed is kept for another try
    assert (await get_member(context, "alice")).account == alice  # not even the good avatar


async def test_a_file_over_the_limit_changes_nothing(
    client: httpx.AsyncClient, context: Context, alice: Account
) -> None:
    huge = ("big.png", b"\x89PNG\r\n\x1a\n" + b"\0" * images.SIZE_LIMIT, "image/png")
    refused = await post(client, form(), {"header": huge})
    assert refused.status_code == 413
    assert "This file is too large" in refused.text and "16.8 MB" in refused.text
    assert (await get_member(context, "alice")).account == alice


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"display_name": "x" * 31}, "The display name has at most 30 characters."),
        ({"note": "x" * 501}, "The bio has at most 500 characters."),
        ({"fields_attributes[0][value]": "x" * 256}, "at most 255 characters"),
    ],
)
async def test_limits_refuse_the_whole_change(
    client: httpx.AsyncClient,
    context: Context,
    alice: Account,
    changes: dict[str, str],
    message: str,
) -> None:
    avatar = ("me.png", png_with_text((300, 300)), "image/png")
    refused = await post(client, form(**changes), {"avatar": avatar})
    assert refused.status_code == 422
    assert message in refused.text
    assert (await get_member(context, "alice")).account == alice


async def test_the_arabic_page_keeps_the_handle_left_to_right(
    client: httpx.AsyncClient, alice: Account
) -> None:
    page = await client.get(f"{PATH}?lang=ar", headers=BROWSER)
    assert '<html lang="ar" dir="rtl">' in page.text
    assert '<bdi dir="ltr">@alice@fedi.test</bdi>' in page.text
    assert 'dir="auto"' in page.text
