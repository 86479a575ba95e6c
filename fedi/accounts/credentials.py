"""What a member changes about how they sign in and read the site: their password (the current
one proven first; every session and token then ends, security.md A5), their e-mail address (to
be confirmed by a mailed link) and their interface language."""

from __future__ import annotations

from fedi.accounts.addresses import is_email
from fedi.accounts.auth import Authenticator, SignInError
from fedi.accounts.email_confirmation import address_of, send_confirmation, tell_old_address
from fedi.accounts.members import MemberError, set_password
from fedi.context import Context
from fedi.core.config import SUPPORTED_LOCALES
from fedi.core.models import User
from fedi.db import users
from fedi.db.connection import Connection


class CredentialError(ValueError):
    """The change is refused; `code` names why (for pages), the message says it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


async def check_current_password(
    context: Context, authenticator: Authenticator, user: User, password: str
) -> None:
    """Raise CredentialError("wrong_password") unless `password` is the member's own."""
    try:
        await authenticator.check_password(context, user.account.username, password)
    except SignInError:
        raise CredentialError("wrong_password", "the current password is not right") from None


async def change_password(
    context: Context, authenticator: Authenticator, user: User, current: str, new: str
) -> None:
    """A new password, once the current one is proven. Every session and app token of the
    member ends: the caller signs this browser in again."""
    await check_current_password(context, authenticator, user, current)
    try:
        await set_password(context, user.account.username, new)
    except MemberError as exc:
        raise CredentialError("weak_password", str(exc)) from None


async def email_of(context: Context, user: User) -> str | None:
    async with context.db.read() as conn:
        return await users.get_email(conn, user.account.id)


async def change_email(
    context: Context, authenticator: Authenticator, user: User, current: str, email: str
) -> None:
    """A new e-mail address (unique on this server), once the current password is proven; it
    counts as confirmed once the link mailed to it is followed."""
    email = email.strip()
    if not is_email(email):
        raise CredentialError("bad_email", "this is not a valid e-mail address")
    await check_current_password(context, authenticator, user, current)

    def write(conn: Connection) -> None:
        if users.email_taken_by_other(conn, email, user.account.id):
            raise CredentialError("email_taken", "this address is used by another account")
        users.set_email(conn, user.account.id, email)

    previous = await address_of(context, user)
    await context.db.write(write)
    if previous.email != email:
        await send_confirmation(context, user.account.id, email)
    if previous.email and previous.is_confirmed and previous.email.lower() != email.lower():
        await tell_old_address(context, user.account.id, previous.email)


async def set_language(context: Context, user: User, code: str) -> None:
    """The member's interface language; "" follows the browser again."""
    if code and code not in SUPPORTED_LOCALES:
        raise CredentialError("bad_language", "this language is not offered")
    await context.db.write(lambda conn: users.set_locale(conn, user.account.id, code or None))
