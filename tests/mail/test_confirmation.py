"""Confirming an e-mail address, through a real SMTP server: the mail sent at web sign-up, at
an app's sign-up (POST /api/v1/accounts, resent by that app with Mastodon.py) and when the
address changes; following its link (a page with a button) confirms the address once, and the
settings say "unconfirmed" until then."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
from mastodon import Mastodon

from fedi.accounts.email_confirmation import MAX_PER_HOUR
from fedi.accounts.members import add_member, get_member
from fedi.accounts.oauth import register_app, token_for_new_member
from fedi.app import create_app
from fedi.context import Context, open_context
from fedi.db import mail_preferences, users
from tests.conftest import BASE
from tests.mail.conftest import deliver, mail_settings
from tests.mail.smtp import Received, SmtpServer
from tests.testrig.group_web import BROWSER, csrf_token, sign_in
from tests.testrig.serving import BackgroundServer, free_port

LINK = re.compile(r"https?://[^\s\"<>]+/auth/confirmation\?confirmation_token=[\w-]+")


def link_in(received: Received) -> str:
    found = LINK.search(received.text())
    assert found, received.text()
    assert found[0] in received.html()
    return found[0]


async def confirmed(context: Context, username: str) -> tuple[str | None, bool]:
    user = await get_member(context, username)
    async with context.db.read() as conn:
        found = await mail_preferences.recipient(conn, user.account.id)
    assert found is not None
    return found.email, found.is_confirmed


async def follow_link(client: httpx.AsyncClient, link: str) -> httpx.Response:
    path = link.removeprefix(BASE)
    page = await client.get(path, headers=BROWSER)
    assert page.status_code == 200, page.text
    assert page.headers["cache-control"] == "private, no-store"
    token = re.search(r'name="confirmation_token" value="([^"]+)"', page.text)
    assert token
    csrf = await csrf_token(client, path)
    return await client.post(
        "/auth/confirmation", data={"csrf_token": csrf, "confirmation_token": token[1]},
        headers=BROWSER | {"Origin": BASE},
    )  # fmt: skip


async def test_web_sign_up_mails_a_link_that_confirms_the_address_once(
    context: Context, client: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    csrf = await csrf_token(client, "/auth/sign_up")
    signed_up = await client.post(
        "/auth/sign_up",
        data={"csrf_token": csrf, "username": "carol", "email": "carol@example.org",
              "password": "carol-password", "password_confirmation": "carol-password"},
        headers=BROWSER | {"Origin": BASE, "Accept-Language": "de"},
    )  # fmt: skip
    assert signed_up.status_code == 303  # open registrations: signed in at once
    assert await confirmed(context, "carol") == ("carol@example.org", False)
    settings_page = await client.get("/settings/account", headers=BROWSER)
    assert "unconfirmed" in settings_page.text or "unbestätigt" in settings_page.text

    await deliver(context)
    [mail] = smtp.received
    assert mail.recipients == ["carol@example.org"]
    assert mail.message["Content-Language"] == "de"  # the language she signed up in
    link = link_in(mail)

    # Opening the link alone changes nothing (a mail scanner may open it).
    await client.get(link.removeprefix(BASE), headers=BROWSER)
    assert await confirmed(context, "carol") == ("carol@example.org", False)
    done = await follow_link(client, link)
    assert done.status_code == 200
    assert await confirmed(context, "carol") == ("carol@example.org", True)
    again = await client.get(link.removeprefix(BASE), headers=BROWSER)
    assert again.status_code == 404
    settings_page = await client.get("/settings/account?lang=en", headers=BROWSER)
    assert "is confirmed" in settings_page.text


async def test_changing_the_address_asks_to_confirm_the_new_one(
    context: Context, client: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    await add_member(context, "alice", "alice-password")
    await sign_in(client, "alice", "alice-password")
    csrf = await csrf_token(client, "/settings/account")
    changed = await client.post(
        "/settings/account/email",
        data={"csrf_token": csrf, "email": "alice@example.org",
              "current_password": "alice-password"},
        headers=BROWSER | {"Origin": BASE},
    )  # fmt: skip
    assert changed.status_code == 303
    page = await client.get("/settings/account?lang=en", headers=BROWSER)
    assert "is unconfirmed" in page.text
    resent = await client.post(
        "/settings/account/email/confirmation", data={"csrf_token": csrf},
        headers=BROWSER | {"Origin": BASE},
    )  # fmt: skip
    assert resent.status_code == 303
    await deliver(context)
    first, second = smtp.received
    assert LINK.search(first.text()) and LINK.search(second.text())
    # The newer link replaces the older one.
    refused = await client.get(link_in(first).removeprefix(BASE), headers=BROWSER)
    assert refused.status_code == 404
    assert (await follow_link(client, link_in(second))).status_code == 200
    assert await confirmed(context, "alice") == ("alice@example.org", True)
    # Without a CSRF token nothing is resent.
    forged = await client.post(
        "/settings/account/email/confirmation",
        data={"csrf_token": "forged-token-123456789"},
        headers=BROWSER | {"Origin": BASE},
    )
    assert forged.status_code == 403


async def test_a_bad_confirmation_link_is_a_readable_404(client: httpx.AsyncClient) -> None:
    for token in ("", "x", "a" * 43, "<script>" * 10):
        page = await client.get(
            "/auth/confirmation", params={"confirmation_token": token}, headers=BROWSER
        )
        assert page.status_code == 404
        assert "<html" in page.text


@pytest.fixture
async def served(tmp_path: Path, smtp: SmtpServer) -> AsyncIterator[tuple[Context, str]]:
    port = free_port()
    settings = mail_settings(
        tmp_path, smtp.port, FEDI_DOMAIN=f"127.0.0.1:{port}", FEDI_SCHEME="http"
    )
    async with open_context(settings) as context:
        server = BackgroundServer(create_app(settings, context, workers=False), port)
        await server.start()
        try:
            yield context, settings.base_url
        finally:
            await server.stop()


async def test_an_app_signs_up_and_resends_the_confirmation_with_mastodon_py(
    served: tuple[Context, str], smtp: SmtpServer
) -> None:
    context, base = served

    def run() -> tuple[object, int, int, Any]:
        with requests.Session() as session:
            client_id, secret = Mastodon.create_app("app", api_base_url=base, session=session)
            client = Mastodon(
                client_id=client_id, client_secret=secret, api_base_url=base, session=session
            )
            client.create_account(
                "dora", "dora-password", "dora@example.org", agreement=True, locale="fr"
            )
            client.email_resend_confirmation()
            headers = {"Authorization": f"Bearer {client.access_token}"}
            check = session.get(f"{base}/api/v1/emails/check_confirmation", headers=headers)
            url = f"{base}/api/v1/emails/confirmations"
            bad = session.post(url, headers=headers, data={"email": "not an address"})
            fixed = session.post(url, headers=headers, data={"email": "dora@example.net"})
            return check.json(), fixed.status_code, bad.status_code, bad.json()

    checked, fixed, status, body = await asyncio.to_thread(run)
    assert checked is False
    assert fixed == 200
    assert status == 422 and body["details"]["email"][0]["error"] == "ERR_INVALID"
    await deliver(context)
    assert [m.recipients for m in smtp.received] == [
        ["dora@example.org"],
        ["dora@example.org"],
        ["dora@example.net"],
    ]
    assert smtp.received[0].message["Content-Language"] == "fr"

    # Another app holding a token for her may not resend (Mastodon's rule), nor may anyone
    # once the address is confirmed.
    dora = await get_member(context, "dora")
    other, _ = await register_app(context, "other", ["urn:ietf:wg:oauth:2.0:oob"], "write", None)
    other_token = (await token_for_new_member(context, other, dora)).access_token
    async with httpx.AsyncClient(base_url=base) as http:
        refused = await http.post(
            "/api/v1/emails/confirmations", headers={"Authorization": f"Bearer {other_token}"}
        )
        assert refused.status_code == 403
        assert "originally signed-up" in refused.json()["error"]
        unauthorised = await http.post("/api/v1/emails/confirmations")
        assert unauthorised.status_code == 401


async def test_confirmation_mails_are_capped_per_hour(
    context: Context, client: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    user = await add_member(context, "alice", "alice-password")
    await context.db.write(lambda conn: users.set_email(conn, user.account.id, "a@example.org"))
    await sign_in(client, "alice", "alice-password")
    statuses = []
    for _ in range(MAX_PER_HOUR + 1):
        csrf = await csrf_token(client, "/settings/account")
        resent = await client.post(
            "/settings/account/email/confirmation", data={"csrf_token": csrf},
            headers=BROWSER | {"Origin": BASE},
        )  # fmt: skip
        statuses.append(resent.status_code)
    assert statuses == [303] * MAX_PER_HOUR + [429]
    await deliver(context)
    assert len(smtp.received) == MAX_PER_HOUR


async def test_the_old_confirmed_address_is_told_of_a_change_but_not_the_new_one(
    context: Context, client: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    user = await add_member(context, "alice", "alice-password")

    def confirmed_address(conn: sqlite3.Connection) -> None:
        users.set_email(conn, user.account.id, "old@example.org")
        mail_preferences.confirm_email(conn, user.account.id, "old@example.org", "2026-01-01")

    await context.db.write(confirmed_address)
    await sign_in(client, "alice", "alice-password")
    csrf = await csrf_token(client, "/settings/account")
    changed = await client.post(
        "/settings/account/email",
        data={"csrf_token": csrf, "email": "new@example.org", "current_password": "alice-password"},
        headers=BROWSER | {"Origin": BASE},
    )  # fmt: skip
    assert changed.status_code == 303
    await deliver(context)
    by_recipient = {m.recipients[0]: m for m in smtp.received}
    assert set(by_recipient) == {"old@example.org", "new@example.org"}
    notice = by_recipient["old@example.org"]
    assert "was changed" in notice.message["Subject"]
    assert "new@example.org" not in notice.everything()
    assert LINK.search(by_recipient["new@example.org"].text())
    assert await confirmed(context, "alice") == ("new@example.org", False)
