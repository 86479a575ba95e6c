"""SQL for account_stats: what an account shows beside its name, its statuses (boosts included,
direct messages not), its accepted followers and the accounts it follows, as the triggers of
migration 0021 keep them while statuses and follows change: never counted on read."""

from __future__ import annotations

from collections.abc import Iterable

import aiosqlite

from fedi.core.models import Counts

NO_COUNTS = Counts(statuses=0, followers=0, following=0)


async def counts(conn: aiosqlite.Connection, account_id: int) -> Counts:
    return (await counts_of(conn, [account_id])).get(account_id, NO_COUNTS)


async def counts_of(conn: aiosqlite.Connection, account_ids: Iterable[int]) -> dict[int, Counts]:
    """The counts of each account, by id."""
    ids = list(dict.fromkeys(account_ids))
    if not ids:
        return {}
    cursor = await conn.execute(
        "SELECT account_id, statuses_count, followers_count, following_count FROM account_stats"
        f" WHERE account_id IN ({', '.join('?' for _ in ids)})",
        ids,
    )
    return {row[0]: Counts(row[1], row[2], row[3]) for row in await cursor.fetchall()}
