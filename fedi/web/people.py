"""How pages name accounts: display name, handle and profile link, looked up by id for lists
(group pages, moderators' pages, the administration pages)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fedi.context import Context
from fedi.core.models import Account
from fedi.db import accounts


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    handle: str
    url: str
    is_local: bool


def person(account: Account, context: Context) -> Person:
    domain = account.domain or context.settings.domain
    return Person(
        id=account.id,
        name=account.display_name or account.username,
        handle=f"@{account.username}@{domain}",
        url=account.url or account.uri,
        is_local=account.is_local,
    )


async def people(context: Context, account_ids: Iterable[int | None]) -> dict[int, Person]:
    """The accounts among account_ids that exist, by id (None and unknown ids left out), read
    at once."""
    async with context.db.read_now() as conn:
        found = await accounts.get_many(conn, [i for i in set(account_ids) if i is not None])
    return {account_id: person(account, context) for account_id, account in found.items()}
