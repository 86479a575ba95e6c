"""Sign-ups by the people themselves, through an app (POST /api/v1/accounts) or the web page, as
the registration mode allows: `open` makes a member at once, `approval` makes one who waits for a
moderator, `closed` makes none.

Validation follows Mastodon's rules and error codes (ERR_TAKEN, ERR_RESERVED, ...), so that apps
can show each problem next to its field. The e-mail address must be unique; a mail asks to
confirm it (fedi.accounts.email_confirmation), and signing in does not wait for that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fedi.accounts.addresses import EMAIL, MAX_EMAIL
from fedi.accounts.email_confirmation import send_confirmation
from fedi.accounts.members import USERNAME, TakenError, add_member
from fedi.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from fedi.context import Context
from fedi.core.config import RegistrationMode
from fedi.core.models import User
from fedi.core.validation import Code, Invalid, Problem
from fedi.db import accounts, users

MAX_USERNAME = 30
MAX_REASON = 420  # Mastodon's limit on the text of an invite request
# Mastodon's default reserved names, and names that would look official on a network of
# organisations. The instance actor's and the newsletter's (fedi.newsletter.account) own
# names are reserved as well.
RESERVED = frozenset(
    ("admin", "administrator", "root", "support", "help", "webmaster", "mod", "moderator",
     "moderators", "postmaster", "hostmaster", "abuse", "security", "staff", "system", "noreply",
     "no_reply", "instance", "actor", "fedi", "newsletter")
)  # fmt: skip
LOCALE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8}){0,2}$")


@dataclass(frozen=True)
class FieldError:
    code: Code  # Mastodon's: ERR_BLANK, ERR_INVALID, ERR_TAKEN, ERR_RESERVED, ...
    description: str


class RegistrationError(Invalid):
    """The sign-up is refused: `errors` maps each field to what is wrong with it (the API's 422
    with `details`, as Mastodon's AccountsController#create answers)."""

    def __init__(self, errors: dict[str, list[FieldError]]) -> None:
        self.errors = errors
        super().__init__(
            *(Problem(name, p.code, p.description) for name, found in errors.items() for p in found)
        )


class RegistrationsClosed(Exception):
    """Registrations are closed: accounts are made by the administrators."""


@dataclass(frozen=True)
class SignUp:
    username: str
    email: str
    password: str
    agreement: bool
    locale: str | None = None
    reason: str = ""


@dataclass
class _Problems:
    found: dict[str, list[FieldError]] = field(default_factory=dict)

    def add(self, name: str, code: Code, description: str) -> None:
        self.found.setdefault(name, []).append(FieldError(code, description))


def _check_username(problems: _Problems, username: str, instance_actor: str) -> None:
    if not username:
        problems.add("username", "ERR_BLANK", "can't be blank")
    elif len(username) > MAX_USERNAME:
        limit = f"is too long (maximum is {MAX_USERNAME} characters)"
        problems.add("username", "ERR_TOO_LONG", limit)
    elif not USERNAME.match(username):
        allowed = "must contain only letters, numbers and underscores"
        problems.add("username", "ERR_INVALID", allowed)
    elif username.lower() in RESERVED or username.lower() == instance_actor.lower():
        problems.add("username", "ERR_RESERVED", "is reserved")


def _check_password(problems: _Problems, password: str) -> None:
    if not password:
        problems.add("password", "ERR_BLANK", "can't be blank")
    elif len(password) < MIN_LENGTH:
        limit = f"is too short (minimum is {MIN_LENGTH} characters)"
        problems.add("password", "ERR_TOO_SHORT", limit)
    elif len(password) > MAX_LENGTH:
        limit = f"is too long (maximum is {MAX_LENGTH} characters)"
        problems.add("password", "ERR_TOO_LONG", limit)


def validate(sign_up: SignUp, instance_actor: str) -> _Problems:
    """Every problem with the sign-up that can be seen without the database."""
    problems = _Problems()
    _check_username(problems, sign_up.username, instance_actor)
    if not sign_up.email:
        problems.add("email", "ERR_BLANK", "can't be blank")
    elif len(sign_up.email) > MAX_EMAIL or not EMAIL.match(sign_up.email):
        problems.add("email", "ERR_INVALID", "is invalid")
    _check_password(problems, sign_up.password)
    if not sign_up.agreement:
        problems.add("agreement", "ERR_ACCEPTED", "must be accepted")
    if sign_up.locale and not LOCALE.match(sign_up.locale):
        problems.add("locale", "ERR_INCLUSION", "is not included in the list")
    if len(sign_up.reason) > MAX_REASON:
        problems.add("reason", "ERR_TOO_LONG", f"is too long (maximum is {MAX_REASON} characters)")
    return problems


async def check(context: Context, sign_up: SignUp) -> dict[str, list[FieldError]]:
    """Every problem with the sign-up, the username or e-mail address being taken included."""
    problems = validate(sign_up, context.instance_actor.username)
    async with context.db.read() as conn:
        if "username" not in problems.found and await accounts.get_local_actor(
            conn, sign_up.username, include_pending=True
        ):
            problems.add("username", "ERR_TAKEN", "has already been taken")
        if "email" not in problems.found and await users.email_in_use(conn, sign_up.email):
            problems.add("email", "ERR_TAKEN", "has already been taken")
    return problems.found


async def register(context: Context, sign_up: SignUp, app_id: int | None = None) -> User:
    """Create the member the sign-up asks for, or raise RegistrationError/RegistrationsClosed."""
    mode: RegistrationMode = context.settings.registrations
    if mode == "closed":
        raise RegistrationsClosed()
    problems = await check(context, sign_up)
    if problems:
        raise RegistrationError(problems)
    details = users.SignUpDetails(
        email=sign_up.email,
        locale=sign_up.locale or None,
        reason=sign_up.reason.strip(),
        app_id=app_id,
        is_approved=mode == "open",
    )
    try:
        user = await add_member(context, sign_up.username, sign_up.password, sign_up=details)
    except TakenError as taken:  # someone registered the same name or address meanwhile
        raise RegistrationError(
            {taken.field: [FieldError("ERR_TAKEN", "has already been taken")]}
        ) from None
    await send_confirmation(context, user.account.id, sign_up.email)
    return user
