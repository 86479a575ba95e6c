"""SQL for reading the instance's domain rules page by page (the admin API) and by domain."""

from __future__ import annotations

import aiosqlite

from fedi.db.domain_rules import _ALLOW_COLUMNS, _BLOCK_COLUMNS, _allow, _block
from fedi.db.timelines import Page, paging
from fedi.models import DomainAllow, DomainBlock


async def blocks_page(conn: aiosqlite.Connection, page: Page) -> list[DomainBlock]:
    """Newest first, as Mastodon lists them."""
    clause, args, order = paging(page, "id")
    async with conn.execute(
        f"SELECT {_BLOCK_COLUMNS} FROM domain_blocks WHERE 1 = 1{clause}"
        f" ORDER BY id {order} LIMIT ?",
        (*args, page.limit),
    ) as cursor:
        found = [_block(row) for row in await cursor.fetchall()]
    return sorted(found, key=lambda b: b.id, reverse=True)


async def allows_page(conn: aiosqlite.Connection, page: Page) -> list[DomainAllow]:
    clause, args, order = paging(page, "id")
    async with conn.execute(
        f"SELECT {_ALLOW_COLUMNS} FROM domain_allows WHERE 1 = 1{clause}"
        f" ORDER BY id {order} LIMIT ?",
        (*args, page.limit),
    ) as cursor:
        found = [_allow(row) for row in await cursor.fetchall()]
    return sorted(found, key=lambda a: a.id, reverse=True)


async def block_of(conn: aiosqlite.Connection, domain: str) -> DomainBlock | None:
    """The block of exactly this domain."""
    async with conn.execute(
        f"SELECT {_BLOCK_COLUMNS} FROM domain_blocks WHERE domain = ?", (domain,)
    ) as cursor:
        row = await cursor.fetchone()
    return _block(row) if row is not None else None
