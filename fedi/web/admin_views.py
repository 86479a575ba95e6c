"""What the administration pages show of accounts and posts: a name with its handle, and a
post's sanitised content (moderators see reported posts whatever their visibility)."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from fedi.context import Context
from fedi.db import accounts
from fedi.html import sanitize
from fedi.models import Account, Status


@dataclass(frozen=True)
class Who:
    id: int
    name: str
    handle: str
    is_local: bool


@dataclass(frozen=True)
class PostView:
    status: Status
    content: Markup


def who(context: Context, account: Account) -> Who:
    domain = account.domain or context.settings.domain
    return Who(
        id=account.id,
        name=account.display_name or account.username,
        handle=f"@{account.username}@{domain}",
        is_local=account.is_local,
    )


async def names(context: Context, ids: set[int | None]) -> dict[int, Who]:
    found: dict[int, Who] = {}
    async with context.db.read() as conn:
        for account_id in ids:
            if account_id is None:
                continue
            account = await accounts.get_by_id(conn, account_id)
            if account is not None:
                found[account_id] = who(context, account)
    return found


def post_view(status: Status) -> PostView:
    return PostView(status=status, content=Markup(sanitize(status.content)))  # noqa: S704
