"""The password grant (and the sign-in form) take a member's e-mail address as well as their
username, as Mastodon's do (its password grant asks for the address): apps built for Mastodon
sign in."""

from __future__ import annotations

import httpx

from tests.api.conftest import Served


async def test_the_password_grant_takes_the_e_mail_address(served: Served) -> None:
    await served.context.db.write(
        lambda conn: conn.execute(
            "UPDATE users SET email = 'Alice@Example.org' WHERE account_id ="
            " (SELECT id FROM accounts WHERE username = 'alice' AND domain IS NULL)"
        )
    )
    async with httpx.AsyncClient(base_url=served.base) as http:
        app = (await http.post("/api/v1/apps", data={
            "client_name": "t", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read",
        })).json()  # fmt: skip

        async def grant(username: str, password: str) -> httpx.Response:
            return await http.post("/oauth/token", data={
                "grant_type": "password", "client_id": app["client_id"],
                "client_secret": app["client_secret"], "username": username,
                "password": password, "scope": "read",
            })  # fmt: skip

        by_email = await grant("alice@example.org", "alice-password")
        wrong = await grant("alice@example.org", "not-the-password")
        nobody = await grant("nobody@example.org", "alice-password")
        assert by_email.status_code == 200, by_email.text
        me = await http.get(
            "/api/v1/accounts/verify_credentials",
            headers={"Authorization": f"Bearer {by_email.json()['access_token']}"},
        )
    assert me.json()["username"] == "alice"
    assert wrong.status_code == nobody.status_code == 400
    assert wrong.json()["error"] == nobody.json()["error"] == "invalid_grant"
