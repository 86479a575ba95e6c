"""The library's rules: who may add to a space's library and who may remove from it, what a
document's details may hold, and how much the space may keep (its quota)."""

from __future__ import annotations

import re

from fedi.context import Context
from fedi.core.models import Account, Group, User
from fedi.db import groups as group_rows
from fedi.db import library as library_rows
from fedi.groups.moderation import may_moderate

NAME_LIMIT = 200
TITLE_LIMIT = 200
DESCRIPTION_LIMIT = 1500
MAX_FOLDER_DEPTH = 5
LANGUAGE = re.compile(r"\A[a-z]{2,3}\Z")
MEGABYTE = 1_000_000


class LibraryError(ValueError):
    """The library action is refused; the message says why (in English, for the API), the
    reason names the case (for the pages, which say it in the reader's language)."""

    def __init__(self, message: str, status: int = 422, reason: str = "invalid") -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


class QuotaExceeded(LibraryError):
    """The upload would take the space's library past its quota."""


async def is_member(context: Context, group: Group, account: Account) -> bool:
    """A current member or moderator of the space: who may add to its library."""
    if account.is_suspended:
        return False
    async with context.db.read() as conn:
        if await group_rows.moderator_role(conn, group.id, account.id) is not None:
            return True
        return await group_rows.is_member(conn, group.id, account.id)


async def may_remove(
    context: Context, group: Group, user: User, uploaded_by_id: int | None
) -> bool:
    """A document goes at the hands of whoever uploaded it, or of the space's moderators."""
    if uploaded_by_id == user.account.id and await is_member(context, group, user.account):
        return True
    return await may_moderate(context, group, user)


def clean_details(
    title: str | None, description: str | None, language: str | None
) -> tuple[str, str, str | None]:
    title = " ".join((title or "").split())
    description = (description or "").strip()
    language = (language or "").strip().lower() or None
    if len(title) > TITLE_LIMIT:
        raise LibraryError(f"a title has at most {TITLE_LIMIT} characters", reason="details")
    if len(description) > DESCRIPTION_LIMIT:
        raise LibraryError(
            f"a description has at most {DESCRIPTION_LIMIT} characters", reason="details"
        )
    if language is not None and not LANGUAGE.match(language):
        raise LibraryError("language must be a two- or three-letter ISO 639 code", reason="details")
    return title, description, language


async def quota_bytes(context: Context, group: Group) -> int:
    """What the space's library may hold: the figure an admin set, else the instance's."""
    async with context.db.read() as conn:
        megabytes = await library_rows.quota_mb(conn, group.id)
    return (megabytes or context.settings.library_quota_mb) * MEGABYTE


async def used_bytes(context: Context, group: Group) -> int:
    async with context.db.read() as conn:
        return await library_rows.usage(conn, group.id)
