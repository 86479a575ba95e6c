"""Resetting a forgotten password, as Mastodon's web flow does: the member gives their address;
if it is a confirmed address of an approved, unsuspended member, a mail carries a one-use link
that expires in LIFETIME (its token stored hashed); the link's form sets a new password under
the same rules as the settings, and every session and app token of the member then ends.

The answer to a request is the same whether or not the address belongs to anyone, and takes at
least MIN_ANSWER, so that its timing does not tell either (security.md: no account
enumeration)."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from fedi.accounts.addresses import is_email
from fedi.accounts.members import MemberError, set_password
from fedi.accounts.passwords import PasswordError, check_strength
from fedi.context import Context
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, mail_preferences, mail_tokens
from fedi.db.connection import Connection
from fedi.mail.outbox import Mail, mail_member
from fedi.mail.tokens import digest_of, looks_like_token, new_token

LIFETIME = timedelta(hours=2)
PURPOSE = "reset"
MIN_ANSWER = 0.25  # seconds


def _(message: str) -> str:
    """Marks a subject for translation; it is translated for each recipient."""
    return message


SUBJECT = _("Reset your password")


class ResetError(ValueError):
    """The reset cannot be done: `code` is invalid_link or weak_password."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


async def request_reset(context: Context, email: str) -> None:
    """Mail a reset link if `email` is a member's confirmed address; nothing tells whether it
    was."""
    started = time.monotonic()
    email = email.strip()
    if is_email(email):
        await _mail_link(context, email)
    await asyncio.sleep(max(0.0, MIN_ANSWER - (time.monotonic() - started)))


async def _mail_link(context: Context, email: str) -> None:
    async with context.db.read() as conn:
        found = await mail_preferences.recipient_by_email(conn, email)
    if found is None or not found.is_confirmed or found.email is None:
        return
    token, digest = new_token()
    now = utcnow()
    account_id = found.account_id

    def keep_token(conn: Connection) -> None:
        mail_tokens.delete_for(conn, account_id, PURPOSE)
        mail_tokens.insert(conn, digest, account_id, PURPOSE, "", to_db(now + LIFETIME), to_db(now))

    url = f"{context.settings.base_url}/auth/password/edit?reset_password_token={token}"
    mail = Mail(
        kind="password_reset", template="reset", subject=SUBJECT,
        params={"reset_url": url, "hours": int(LIFETIME.total_seconds() // 3600)},
    )  # fmt: skip
    await mail_member(context, account_id, mail, also=keep_token)


async def reset_link_is_valid(context: Context, token: str) -> bool:
    if not looks_like_token(token):
        return False
    async with context.db.read() as conn:
        found = await mail_tokens.find(conn, digest_of(token), PURPOSE, to_db(utcnow()))
    return found is not None


async def reset_password(context: Context, token: str, password: str) -> None:
    """Use the link: the new password replaces the old, and every session and app token of the
    member ends (fedi.accounts.members.set_password). A weak password leaves the link usable."""
    try:
        check_strength(password)
    except PasswordError as exc:
        raise ResetError("weak_password", str(exc)) from None
    if not looks_like_token(token):
        raise ResetError("invalid_link")
    digest, now = digest_of(token), to_db(utcnow())
    found = await context.db.write(lambda conn: mail_tokens.take(conn, digest, PURPOSE, now))
    if found is None:
        raise ResetError("invalid_link")
    async with context.db.read() as conn:
        account = await accounts.get_by_id(conn, found.account_id)
    if account is None or account.is_suspended:
        raise ResetError("invalid_link")
    try:
        await set_password(context, account.username, password)
    except MemberError as exc:
        raise ResetError("weak_password", str(exc)) from None
    # Links asked for meanwhile end too: the password they were for is gone.
    await context.db.write(lambda conn: mail_tokens.delete_for(conn, found.account_id, PURPOSE))
