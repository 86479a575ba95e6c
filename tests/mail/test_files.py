"""Without smtp_host every mail is written whole as data_dir/mail/<time>-<id>.eml (readable by
the server's user only), and administrators, alone, list them at /admin/mail and read one."""

from __future__ import annotations

import stat
from email import message_from_bytes, policy
from pathlib import Path

import httpx
import pytest

from fedi.accounts.members import add_member
from fedi.context import Context
from fedi.core.config import Settings, load_settings
from fedi.mail.outbox import mail_member
from tests.conftest import DOMAIN
from tests.mail.conftest import deliver
from tests.mail.test_outbox import TEST_MAIL, member
from tests.testrig.group_web import BROWSER, sign_in


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings({"FEDI_DOMAIN": DOMAIN, "FEDI_DATA_DIR": str(tmp_path / "data")})


async def test_mail_is_written_as_eml_files_and_listed_for_administrators(
    context: Context, client: httpx.AsyncClient
) -> None:
    alice = await member(context, "alice", "alice@example.org")
    mail_id = await mail_member(context, alice, TEST_MAIL)
    assert await deliver(context) == 1

    [written] = list(context.settings.mail_dir.iterdir())
    assert written.name.endswith(f"-{mail_id}.eml")
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    message = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert message["To"] == "alice@example.org"
    assert message["From"] == f"fedi@{DOMAIN}"
    assert [p.name for p in context.settings.mail_dir.iterdir()] == [written.name]  # no temp

    await add_member(context, "root_admin", "admin-password", role="admin")
    await sign_in(client, "root_admin", "admin-password")
    listing = await client.get("/admin/mail", headers=BROWSER)
    assert listing.status_code == 200
    assert listing.headers["cache-control"] == "private, no-store"
    assert "alice@example.org" in listing.text
    assert "Reset your password" in listing.text
    assert "Written as a file" in listing.text
    shown = await client.get(f"/admin/mail/{mail_id}", headers=BROWSER)
    assert shown.status_code == 200
    assert "https://fedi.test/r" in shown.text
    assert written.name in shown.text
    missing = await client.get("/admin/mail/12345", headers=BROWSER)
    assert missing.status_code == 404
    assert (await client.get("/admin/mail/x", headers=BROWSER)).status_code == 404


async def test_only_administrators_see_the_mail(
    context: Context, client: httpx.AsyncClient
) -> None:
    assert (await client.get("/admin/mail", headers=BROWSER)).status_code == 303
    await add_member(context, "mod", "mod-password", role="moderator")
    await sign_in(client, "mod", "mod-password")
    assert (await client.get("/admin/mail", headers=BROWSER)).status_code == 403
    await add_member(context, "plain", "plain-password")
    await sign_in(client, "plain", "plain-password")
    assert (await client.get("/admin/mail/1", headers=BROWSER)).status_code == 403
