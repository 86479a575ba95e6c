"""What the member-page tests share: signing in through the real form, and posting a form the
way a browser without JavaScript does (the CSRF token taken from the page it came from)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.conftest import BASE

BROWSER = {"Accept": "text/html"}


async def csrf_of(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path, headers=BROWSER)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, f"no form on {path}: {page.status_code}"
    return match[1]


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> None:
    token = await csrf_of(client, "/auth/sign_in")
    answer = await client.post(
        "/auth/sign_in",
        data={"csrf_token": token, "username": username, "password": password, "next": "/home"},
        headers=BROWSER | {"Origin": BASE},
    )
    assert answer.status_code == 303, answer.text


async def submit(
    client: httpx.AsyncClient, action: str, fields: dict[str, Any], *, page: str = "/home",
    files: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
) -> httpx.Response:  # fmt: skip
    """POST a form from `page`, as the browser would send it."""
    token = await csrf_of(client, page)
    return await client.post(
        action,
        data={"csrf_token": token, **fields},
        files=files,
        headers=BROWSER | {"Origin": BASE} | (headers or {}),
    )
