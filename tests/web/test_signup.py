"""The sign-up page in each registration mode: per-field errors in the visitor's language, CSRF,
sign-in at once when registrations are open, a wait for approval otherwise, and a plain refusal
when they are closed."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from fedi.accounts.members import MemberError, add_member, approve_member, get_member
from fedi.context import Context
from fedi.core.config import Settings, load_settings
from fedi.moderation.instance_rules import add_rule
from tests.conftest import BASE, DOMAIN
from tests.web.test_signin import BROWSER, csrf_from_form, sign_in


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    return load_settings(
        {
            "FEDI_DOMAIN": DOMAIN,
            "FEDI_DATA_DIR": str(tmp_path / "data"),
            "FEDI_REGISTRATIONS": getattr(request, "param", "approval"),
            "FEDI_INSTANCE_TITLE": "Test network",
        }
    )


def mode(name: str) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("settings", [name], indirect=True)


async def send(client: httpx.AsyncClient, lang: str | None = None, **fields: str) -> httpx.Response:
    query = f"?lang={lang}" if lang else ""
    token = await csrf_from_form(client, f"/auth/sign_up{query}")
    body = {"csrf_token": token, "username": "carol", "email": "carol@example.org",
            "password": "carol-password", "password_confirmation": "carol-password",
            "agreement": "1"} | fields  # fmt: skip
    return await client.post(f"/auth/sign_up{query}", data=body, headers=BROWSER | {"Origin": BASE})


async def test_the_form_asks_for_a_reason_when_approval_is_required(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/auth/sign_up", headers=BROWSER)
    assert page.status_code == 200
    assert 'name="reason"' in page.text and 'name="csrf_token"' in page.text
    assert "A moderator reviews each new account" in page.text
    for path in ("/auth/sign_in", "/"):
        assert 'href="/auth/sign_up"' in (await client.get(path, headers=BROWSER)).text


@mode("open")
async def test_an_open_sign_up_signs_the_member_in(
    client: httpx.AsyncClient, context: Context
) -> None:
    page = await client.get("/auth/sign_up", headers=BROWSER)
    assert 'name="reason"' not in page.text
    created = await send(client)
    assert created.status_code == 303 and created.headers["location"] == "/"
    assert "session" in created.cookies
    home = await client.get("/home", headers=BROWSER)
    assert 'Signed in as <bdi dir="ltr">@carol</bdi>' in home.text
    member = await get_member(context, "carol")
    assert member.is_approved
    # Signed in, the sign-up page sends the member home.
    again = await client.get("/auth/sign_up", headers=BROWSER)
    assert again.status_code == 303


async def test_an_approval_sign_up_waits_and_cannot_sign_in(
    client: httpx.AsyncClient, context: Context
) -> None:
    created = await send(client, reason="I document violations for our network")
    assert created.status_code == 200
    assert "A moderator will review it" in created.text
    assert "session" not in created.cookies
    member = await get_member(context, "carol")
    assert not member.is_approved
    refused = await sign_in(client, "carol", "carol-password")
    assert refused.status_code == 401
    assert "waiting for approval by a moderator" in refused.text
    await approve_member(context, "carol")
    assert (await sign_in(client, "carol", "carol-password")).status_code == 303


async def test_each_field_shows_its_own_error(client: httpx.AsyncClient, context: Context) -> None:
    alice = await add_member(context, "alice", "alice-password", "admin")
    await add_rule(context, alice.account, "Be kind.")  # so that there is something to accept
    refused = await send(
        client, username="Alice", email="not an address", password="short",
        password_confirmation="other", agreement="", reason="r" * 500,
    )  # fmt: skip
    assert refused.status_code == 422
    text = refused.text
    for message in ("This username is already taken.", "This is not a valid e-mail address.",
                    "The password must have at least 8 characters.",
                    "The two passwords are not the same.",
                    "You must accept the rules of this server",
                    "The reason has at most 420 characters."):  # fmt: skip
        assert message in text, message
    assert 'aria-describedby="username-error"' in text
    assert 'value="Alice"' in text and "short" not in text  # the password is never echoed
    with pytest.raises(MemberError, match="no member is called"):
        await get_member(context, "carol")


async def test_errors_are_translated_and_arabic_is_right_to_left(
    client: httpx.AsyncClient,
) -> None:
    french = await send(client, lang="fr", username="admin")
    assert french.status_code == 422
    assert "Ce nom d\u2019utilisateur est réservé." in french.text
    arabic = await send(client, lang="ar", username="a-b")
    assert 'dir="rtl"' in arabic.text
    assert "استخدم الحروف والأرقام والشرطات السفلية فقط." in arabic.text


async def test_taken_addresses_and_escaped_values(client: httpx.AsyncClient) -> None:
    assert (await send(client)).status_code == 200
    again = await send(client, username="dave", email="Carol@Example.org")
    assert "This e-mail address is already used by another account." in again.text
    hostile = await send(client, username='"><script>x</script>')
    assert "<script>x" not in hostile.text
    assert "Use only letters, digits and underscores." in hostile.text


@mode("closed")
async def test_closed_registrations_have_a_readable_page(
    client: httpx.AsyncClient, context: Context
) -> None:
    page = await client.get("/auth/sign_up", headers=BROWSER)
    assert page.status_code == 200
    assert "Registrations are closed on this server" in page.text
    assert 'name="username"' not in page.text
    for path in ("/auth/sign_in", "/"):
        assert 'href="/auth/sign_up"' not in (await client.get(path, headers=BROWSER)).text
    token = await csrf_from_form(client, "/auth/sign_in")
    client.cookies.set("csrf", token)
    refused = await client.post(
        "/auth/sign_up",
        data={"csrf_token": token, "username": "carol", "email": "c@example.org",
              "password": "carol-password", "password_confirmation": "carol-password",
              "agreement": "1"},
        headers=BROWSER | {"Origin": BASE},
    )  # fmt: skip
    assert refused.status_code == 403
    assert "Registrations are closed on this server" in refused.text
    with pytest.raises(MemberError, match="no member is called"):
        await get_member(context, "carol")


async def test_the_form_needs_its_csrf_token(client: httpx.AsyncClient) -> None:
    await client.get("/auth/sign_up", headers=BROWSER)
    body = {"username": "carol", "email": "carol@example.org", "password": "carol-password",
            "password_confirmation": "carol-password", "agreement": "1"}  # fmt: skip
    missing = await client.post("/auth/sign_up", data=body, headers=BROWSER)
    assert missing.status_code == 403
    token = await csrf_from_form(client, "/auth/sign_up")
    elsewhere = await client.post(
        "/auth/sign_up",
        data=body | {"csrf_token": token},
        headers=BROWSER | {"Origin": "https://evil.example"},
    )
    assert elsewhere.status_code == 403


@mode("open")
async def test_accounts_made_from_one_address_are_limited(client: httpx.AsyncClient) -> None:
    for n in range(5):
        made = await send(client, username=f"user{n}", email=f"user{n}@example.org")
        assert made.status_code == 303
        client.cookies.delete("session")
    throttled = await send(client, username="user5", email="user5@example.org")
    assert throttled.status_code == 429
    assert "Too many attempts" in throttled.text
    assert int(throttled.headers["retry-after"]) > 0
    assert re.search(r'name="username"', throttled.text) is None


@mode("open")
async def test_without_rules_there_is_nothing_to_agree_to(
    client: httpx.AsyncClient, context: Context
) -> None:
    page = await client.get("/auth/sign_up", headers=BROWSER)
    assert 'name="agreement"' not in page.text and "I accept the rules" not in page.text
    created = await send(client, agreement="")
    assert created.status_code == 303
    assert (await get_member(context, "carol")).is_approved


@mode("open")
async def test_with_rules_the_page_shows_them_and_asks_to_accept_them(
    client: httpx.AsyncClient, context: Context
) -> None:
    ada = await add_member(context, "ada", "ada-password", "admin")
    await add_rule(context, ada.account, "No harassment.", "Of anyone, anywhere.")
    page = await client.get("/auth/sign_up?lang=ar", headers=BROWSER)
    assert '<p dir="auto">No harassment.</p>' in page.text
    assert 'name="agreement"' in page.text and 'for="agreement"' in page.text
    refused = await send(client, lang="en", agreement="")
    assert refused.status_code == 422
    assert "You must accept the rules of this server" in refused.text
    assert "No harassment." in refused.text  # shown again beside the box to tick
    with pytest.raises(MemberError):
        await get_member(context, "carol")
    assert (await send(client)).status_code == 303
