"""Building blocks for group tests: remote accounts known to the instance, join requests from
them, posts that belong to a group (with files), and signing in on the web with a CSRF token."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import cache
from typing import Any

import httpx
from babel.messages.pofile import read_po

from fedi.context import Context
from fedi.core import ids
from fedi.core.models import (
    Account,
    Group,
    NewAttachment,
    NewStatus,
    RemoteActor,
    Status,
    Visibility,
)
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, follows, statuses
from fedi.db import media as media_rows
from fedi.i18n.locales import catalogue_path
from tests.conftest import BASE
from tests.testrig.keys import next_keypair

BROWSER = {"Accept": "text/html"}


async def remote_account(context: Context, username: str, domain: str) -> Account:
    """A remote Person this server already knows (as if its actor had been fetched)."""
    uri = f"https://{domain}/users/{username}"
    actor = RemoteActor(
        uri=uri, actor_type="Person", username=username, domain=domain,
        display_name=username.title(), note="", fields=(), url=f"https://{domain}/@{username}",
        inbox_uri=f"{uri}/inbox", shared_inbox_uri=f"https://{domain}/inbox", outbox_uri=None,
        followers_uri=f"{uri}/followers", following_uri=None, featured_uri=None,
        public_key_id=f"{uri}#main-key", public_key_pem=next_keypair().public_pem,
        avatar_remote_url=None, header_remote_url=None, is_locked=False, is_bot=False,
        is_discoverable=True, also_known_as=(), moved_to_uri=None,
    )  # fmt: skip
    now = to_db(utcnow())
    account_id = await context.db.write(
        lambda conn: accounts.upsert_remote(conn, actor, now, accept_new_key=True)
    )
    async with context.db.read() as conn:
        account = await accounts.get_by_id(conn, account_id)
    assert account is not None
    return account


async def remote_join_request(context: Context, account: Account, group: Group) -> str:
    """A Follow of the group from a remote account, waiting for a moderator; returns its id."""
    follow_uri = f"{account.uri}#follows/{ids.new_id()}"
    now = to_db(utcnow())
    await context.db.write(
        lambda conn: follows.upsert_follow(
            conn,
            follower_id=account.id,
            followed_id=group.id,
            uri=follow_uri,
            state="pending",
            now=now,
        )
    )
    return follow_uri


async def group_post(
    context: Context,
    author: Account,
    group: Group,
    text: str,
    *,
    visibility: Visibility = "public",
    files: Sequence[tuple[str, str]] = (),
    submitted_by: Account | None = None,
    upload: tuple[str, str, int] | None = None,
    submission_uri: str | None = None,
) -> Status:
    """A post belonging to `group` (its audience). `files`: remote attachments as (media type,
    description); `upload`: one local file as (media type, description, size). With
    submitted_by, it is the group's own copy of that member's submission."""
    status_id = ids.new_id()
    now = to_db(utcnow())
    name = author.username
    new = NewStatus(
        id=status_id, uri=context.urls.status(name, status_id),
        url=context.urls.status_page(name, status_id), account_id=author.id,
        visibility=visibility, content=f"<p>{text}</p>", spoiler_text="", is_sensitive=False,
        language="en", is_local=True, created_at=now, source_text=text,
        attachments=tuple(
            NewAttachment(media_type, f"https://files.example.org/{i}", description, None, None,
                          None)
            for i, (media_type, description) in enumerate(files)
        ),
        group_id=group.id, submitted_by_id=submitted_by.id if submitted_by else None,
        submission_uri=submission_uri,
    )  # fmt: skip
    upload_id = ids.new_id()

    def write(conn: Any) -> None:
        statuses.insert_status(conn, new)
        if upload is not None:
            media_type, description, size = upload
            media_rows.insert_upload(
                conn,
                media_rows.NewUpload(
                    id=upload_id, account_id=author.id, media_type=media_type,
                    file=f"{upload_id}.bin", preview_file="", width=0, height=0,
                    preview_width=0, preview_height=0, size=size, description=description,
                    blurhash="", focus=(0.0, 0.0), created_at=now,
                ),
            )  # fmt: skip
            media_rows.attach(conn, author.id, status_id, [upload_id], now)

    await context.db.write(write)
    async with context.db.read() as conn:
        status = await statuses.get_by_id(conn, status_id)
    assert status is not None
    return status


async def csrf_token(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path, headers=BROWSER)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text
    return match[1]


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> None:
    """Sign in (as someone else than before, if need be)."""
    client.cookies.delete("session")
    token = await csrf_token(client, "/auth/sign_in")
    response = await client.post(
        "/auth/sign_in",
        data={"csrf_token": token, "username": username, "password": password, "next": "/"},
        headers=BROWSER | {"Origin": BASE},
    )
    assert response.status_code == 303, response.text


async def submit(
    client: httpx.AsyncClient, path: str, fields: dict[str, str], *, form_page: str | None = None
) -> httpx.Response:
    """POST a form the way a browser does: with the CSRF token of the page that holds it (for an
    action URL such as /@group/manage/members/ban, the page one level up)."""
    page = form_page or path.rsplit("/", 1)[0].removesuffix("/settings")
    token = await csrf_token(client, page)
    return await client.post(
        path, data={"csrf_token": token, **fields}, headers=BROWSER | {"Origin": BASE}
    )


@cache
def _english_sentences(code: str) -> tuple[str, ...]:
    """English messages whose translation into `code` differs: none may remain on its pages."""
    with catalogue_path(code).open("rb") as handle:
        catalog = read_po(handle, locale=code)
    return tuple(
        m.id
        for m in catalog
        if isinstance(m.id, str) and len(m.id) > 3 and "%(" not in m.id and m.string != m.id
    )


def assert_translated(page: str, code: str) -> None:
    """The visible text of a page in `code` holds no English message that has a translation."""
    if code == "en":
        return
    body = page.split("<main>", 1)[-1]
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    text = " ".join(text.split())
    left = [m for m in _english_sentences(code) if re.search(rf"(?<!\w){re.escape(m)}(?!\w)", text)]
    assert left == [], f"{code}: untranslated {left}"
