"""Resetting a forgotten password through a real SMTP server: the same answer for any address,
a mail only for a confirmed address, a one-use link that expires, the settings' password rules,
the old password refused and the new one accepted afterwards, every other session and app token
ended, and the requests throttled."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest

from fedi.accounts.members import add_member, get_member
from fedi.accounts.oauth import register_app, token_for_new_member
from fedi.context import Context
from fedi.core.timeutil import utcnow
from fedi.db import users
from fedi.mail import tokens
from tests.conftest import BASE
from tests.mail.conftest import deliver
from tests.mail.smtp import SmtpServer
from tests.mail.test_outbox import member
from tests.testrig.group_web import BROWSER, csrf_token, sign_in

LINK = re.compile(r"https://fedi\.test/auth/password/edit\?reset_password_token=([\w-]+)")
FORM = BROWSER | {"Origin": BASE}


async def ask(client: httpx.AsyncClient, email: str) -> httpx.Response:
    csrf = await csrf_token(client, "/auth/password/new")
    return await client.post(
        "/auth/password/new", data={"csrf_token": csrf, "email": email}, headers=FORM
    )


async def choose(
    client: httpx.AsyncClient, token: str, password: str, again: str = ""
) -> httpx.Response:
    path = f"/auth/password/edit?reset_password_token={token}"
    csrf = await csrf_token(client, path)
    return await client.post(
        "/auth/password/edit",
        data={"csrf_token": csrf, "reset_password_token": token, "password": password,
              "password_confirmation": again or password},
        headers=FORM,
    )  # fmt: skip


async def signs_in(client: httpx.AsyncClient, password: str) -> bool:
    client.cookies.delete("session")
    csrf = await csrf_token(client, "/auth/sign_in")
    response = await client.post(
        "/auth/sign_in",
        data={"csrf_token": csrf, "username": "alice", "password": password, "next": "/"},
        headers=FORM,
    )
    return response.status_code == 303


async def test_the_sign_in_page_links_to_the_reset(client: httpx.AsyncClient) -> None:
    page = await client.get("/auth/sign_in", headers=BROWSER)
    assert 'href="/auth/password/new"' in page.text


async def test_a_reset_round_trip(
    context: Context, client: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    await member(context, "alice", "alice@example.org")
    app, _ = await register_app(context, "Tusky", ["urn:ietf:wg:oauth:2.0:oob"], "read", None)
    user = await get_member(context, "alice")
    app_token = (await token_for_new_member(context, app, user)).access_token
    other_browser = httpx.AsyncClient(transport=client._transport, base_url=BASE)
    await sign_in(other_browser, "alice", "alice-password")

    answer = await ask(client, "ALICE@example.org")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "private, no-store"
    unknown = await ask(client, "nobody@example.org")
    assert unknown.status_code == 200
    assert _visible(unknown.text) == _visible(answer.text)

    await deliver(context)
    [mail] = smtp.received
    assert mail.recipients == ["alice@example.org"]
    token = LINK.search(mail.text())
    assert token, mail.text()
    assert token[0] in mail.html().replace("&amp;", "&")

    form = await client.get(f"/auth/password/edit?reset_password_token={token[1]}", headers=BROWSER)
    assert form.status_code == 200 and 'name="password"' in form.text
    weak = await choose(client, token[1], "short")
    assert weak.status_code == 422
    mismatch = await choose(client, token[1], "a-new-password", "another-password")
    assert mismatch.status_code == 422
    done = await choose(client, token[1], "a-new-password")
    assert done.status_code == 200, done.text

    assert not await signs_in(client, "alice-password")
    assert await signs_in(client, "a-new-password")
    verify = await client.get(
        "/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {app_token}"}
    )
    assert verify.status_code == 401  # the app's token ended
    assert (await other_browser.get("/settings/account", headers=BROWSER)).status_code == 303
    await other_browser.aclose()

    used = await choose_raw(client, token[1])
    assert used.status_code == 404
    assert await signs_in(client, "a-new-password")


def _visible(page: str) -> str:
    """The page without its per-request CSRF token."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", page)


async def test_an_unconfirmed_address_gets_no_reset_mail(
    context: Context, client: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    user = await add_member(context, "bob", "bob-password")
    await context.db.write(lambda conn: users.set_email(conn, user.account.id, "bob@example.org"))
    assert (await ask(client, "bob@example.org")).status_code == 200
    await deliver(context)
    assert smtp.received == []


async def test_an_expired_or_forged_link_is_refused(
    context: Context, client: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    await member(context, "alice", "alice@example.org")
    await ask(client, "alice@example.org")
    await deliver(context)
    token = LINK.search(smtp.received[0].text())
    assert token
    later = (utcnow() - timedelta(hours=3)).isoformat()
    digest = tokens.digest_of(token[1])
    await context.db.write(
        lambda conn: conn.execute(
            "UPDATE mail_tokens SET expires_at = ? WHERE digest = ?", (later, digest)
        )
    )
    expired = await client.get(
        f"/auth/password/edit?reset_password_token={token[1]}", headers=BROWSER
    )
    assert expired.status_code == 404
    assert (await choose_raw(client, token[1])).status_code == 404
    assert (await choose_raw(client, "forged" * 8)).status_code == 404
    assert await signs_in(client, "alice-password")


async def choose_raw(client: httpx.AsyncClient, token: str) -> httpx.Response:
    csrf = await csrf_token(client, "/auth/password/new")
    return await client.post(
        "/auth/password/edit",
        data={"csrf_token": csrf, "reset_password_token": token, "password": "a-new-password",
              "password_confirmation": "a-new-password"},
        headers=FORM,
    )  # fmt: skip


async def test_reset_requests_are_throttled_per_address_asked_about(
    context: Context, client: httpx.AsyncClient
) -> None:
    for _ in range(5):
        assert (await ask(client, "carol@example.org")).status_code == 200
    refused = await ask(client, "carol@example.org")
    assert refused.status_code == 429
    assert "retry-after" in refused.headers
    assert (await ask(client, "dora@example.org")).status_code == 200


@pytest.mark.parametrize("data", [{"email": "alice@example.org"}, {}])
async def test_a_reset_request_needs_its_csrf_token(
    client: httpx.AsyncClient, data: dict[str, str]
) -> None:
    response = await client.post("/auth/password/new", data=data | {"x": "1"}, headers=FORM)
    assert response.status_code == 403
