"""Proving an e-mail address: a mail with a one-use link that expires (the token stored as its
digest only) goes to the address a member signs up with or changes to; the address counts as
confirmed once the link is followed, and only a confirmed address gets password resets,
notification mail, the newsletter and digests. An app resends the mail, or corrects the address
first, with Mastodon's POST /api/v1/emails/confirmations.

Signing in does not wait for the confirmation: without an SMTP server, mail is only written as
files for the administrators, and an instance must stay usable that way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from fedi.accounts.addresses import is_email
from fedi.context import Context
from fedi.core.models import User
from fedi.core.timeutil import to_db, utcnow
from fedi.db import mail_outbox, mail_preferences, mail_tokens, users
from fedi.db.connection import Connection
from fedi.mail.outbox import Mail, mail_member
from fedi.mail.tokens import digest_of, looks_like_token, new_token

LIFETIME = timedelta(hours=48)
PURPOSE = "confirm"
KIND = "confirmation"
# At most this many confirmation mails per member per hour: an app that signed someone up may
# set any address, and must not make this server mail a stranger again and again.
MAX_PER_HOUR = 5


def _(message: str) -> str:
    """Marks a subject for translation; it is translated for each recipient."""
    return message


SUBJECT = _("Confirm your e-mail address for %(title)s")
CHANGED_SUBJECT = _("Your e-mail address on %(title)s was changed")


class ConfirmationError(ValueError):
    """The address cannot be used or no mail may go now: `code` says why (bad_email,
    email_taken, throttled)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class AddressState:
    email: str | None
    is_confirmed: bool


async def address_of(context: Context, user: User) -> AddressState:
    async with context.db.read() as conn:
        found = await mail_preferences.recipient(conn, user.account.id)
    if found is None:
        return AddressState(None, False)
    return AddressState(found.email, found.is_confirmed)


async def send_confirmation(context: Context, account_id: int, email: str) -> bool:
    """Mail a new confirmation link to `email` (earlier links stop working); False when
    nothing could be queued."""
    now = utcnow()
    async with context.db.read() as conn:
        recent = await mail_outbox.count_since(
            conn, account_id, KIND, to_db(now - timedelta(hours=1))
        )
    if recent >= MAX_PER_HOUR:
        return False
    token, digest = new_token()

    def keep_token(conn: Connection) -> None:
        mail_tokens.delete_for(conn, account_id, PURPOSE)
        mail_tokens.insert(
            conn, digest, account_id, PURPOSE, email, to_db(now + LIFETIME), to_db(now)
        )

    url = f"{context.settings.base_url}/auth/confirmation?confirmation_token={token}"
    mail = Mail(
        kind=KIND, template="confirm", subject=SUBJECT,
        subject_vars={"title": context.settings.instance_title},
        params={"confirm_url": url, "hours": int(LIFETIME.total_seconds() // 3600)},
    )  # fmt: skip
    queued = await mail_member(
        context, account_id, mail, to=email, confirmed_only=False, also=keep_token
    )
    return queued is not None


async def tell_old_address(context: Context, account_id: int, old_email: str) -> None:
    """Tell the proven address a member is leaving that the account now uses another one (not
    which), so that a change made by someone else does not go unnoticed."""
    mail = Mail(
        kind="email_changed", template="email_changed", subject=CHANGED_SUBJECT,
        subject_vars={"title": context.settings.instance_title},
        params={"sign_in_url": f"{context.settings.base_url}/auth/sign_in"},
    )  # fmt: skip
    await mail_member(context, account_id, mail, to=old_email, confirmed_only=False)


async def resend_confirmation(context: Context, user: User, email: str | None = None) -> bool:
    """Mail the link again, to a corrected address when `email` is given (which then replaces
    the member's, and must be free). False when the address is confirmed already or there is
    none. Raises ConfirmationError("throttled") after MAX_PER_HOUR mails in the last hour."""
    async with context.db.read() as conn:
        recent = await mail_outbox.count_since(
            conn, user.account.id, KIND, to_db(utcnow() - timedelta(hours=1))
        )
    if recent >= MAX_PER_HOUR:
        raise ConfirmationError("throttled")
    if email is not None:
        email = email.strip()
        if not is_email(email):
            raise ConfirmationError("bad_email")

        def change(conn: Connection) -> None:
            if users.email_taken_by_other(conn, email, user.account.id):
                raise ConfirmationError("email_taken")
            users.set_email(conn, user.account.id, email)

        await context.db.write(change)
    state = await address_of(context, user)
    if state.email is None or state.is_confirmed:
        return False
    return await send_confirmation(context, user.account.id, state.email)


async def pending_confirmation(context: Context, token: str) -> bool:
    """Whether the link is one that can still be followed (for the page that asks to press
    the button), without using it."""
    if not looks_like_token(token):
        return False
    async with context.db.read() as conn:
        found = await mail_tokens.find(conn, digest_of(token), PURPOSE, to_db(utcnow()))
    return found is not None


async def confirm_address(context: Context, token: str) -> bool:
    """Follow the link: the address it was sent to is confirmed, if it is still the member's.
    The link is used up either way."""
    if not looks_like_token(token):
        return False
    digest, now = digest_of(token), to_db(utcnow())

    def confirm(conn: Connection) -> bool:
        found = mail_tokens.take(conn, digest, PURPOSE, now)
        if found is None:
            return False
        return mail_preferences.confirm_email(conn, found.account_id, found.detail, now)

    return await context.db.write(confirm)


async def signed_up_with(context: Context, user: User) -> int | None:
    """The id of the app the member signed up through, if any (Mastodon lets only that app
    resend the confirmation)."""
    async with context.db.read() as conn:
        return await users.created_by_app_id(conn, user.account.id)
