"""What a member asks to receive by mail (notification mail and the newsletter, both off until
chosen; a weekly or monthly digest, off by default), and leaving one list through the link in
its mails (RFC 8058 one-click: the link's token is the authority, for one member and one list)."""

from __future__ import annotations

from fedi.context import Context
from fedi.core.timeutil import to_db, utcnow
from fedi.db import mail_preferences, mail_tokens
from fedi.db.mail_preferences import DIGESTS, LISTS, MailPreferences
from fedi.mail.tokens import digest_of, looks_like_token

__all__ = ["DIGESTS", "LISTS", "MailPreferences", "PreferenceError"]


class PreferenceError(ValueError):
    """A choice that is not offered."""


async def preferences_of(context: Context, account_id: int) -> MailPreferences:
    async with context.db.read() as conn:
        return await mail_preferences.preferences(conn, account_id)


async def save_preferences(context: Context, account_id: int, chosen: MailPreferences) -> None:
    if chosen.digest not in DIGESTS:
        raise PreferenceError("unknown digest frequency")
    await context.db.write(lambda conn: mail_preferences.save_preferences(conn, account_id, chosen))


async def subscribers(
    context: Context, name: str, digest: str | None = None, after_id: int = 0, limit: int = 500
) -> list[int]:
    """Who gets the newsletter (name "newsletter") or a digest (name "digest", with its
    frequency): members with a confirmed address, a page at a time by account id. The senders
    of those mails call fedi.mail.outbox.mail_member with bulk_list set for each."""
    if name not in ("newsletter", "digest") or (name == "digest" and digest not in DIGESTS):
        raise PreferenceError("unknown list")
    async with context.db.read() as conn:
        return await mail_preferences.subscribers(conn, name, digest, after_id, limit)


async def list_of_link(context: Context, token: str) -> str | None:
    """The list an unsubscribe link leaves, if the link is valid (nothing is changed)."""
    if not looks_like_token(token):
        return None
    async with context.db.read() as conn:
        found = await mail_tokens.find(conn, digest_of(token), "unsubscribe", to_db(utcnow()))
    return found.detail if found is not None and found.detail in LISTS else None


async def unsubscribe(context: Context, token: str) -> str | None:
    """Leave the list of the link; returns its name, or None for a link that is not valid.
    Following the same link twice is harmless."""
    if not looks_like_token(token):
        return None
    digest, now = digest_of(token), to_db(utcnow())

    async with context.db.read() as conn:
        found = await mail_tokens.find(conn, digest, "unsubscribe", now)
    if found is None or found.detail not in LISTS:
        return None
    account_id, name = found.account_id, found.detail
    await context.db.write(lambda conn: mail_preferences.leave_list(conn, account_id, name))
    return name
