"""SQL for account_stats: what an account shows beside its name, its statuses (boosts included,
direct messages not), its accepted followers and the accounts it follows, as the triggers of
migration 0021 keep them while statuses and follows change: never counted on read."""

from __future__ import annotations

from collections.abc import Iterable

from fedi.core.models import Account, Counts
from fedi.db.accounts import versioned
from fedi.db.connection import Reader

NO_COUNTS = Counts(statuses=0, followers=0, following=0)


async def counts(conn: Reader, account_id: int) -> Counts:
    return (await counts_of(conn, [account_id])).get(account_id, NO_COUNTS)


async def counts_of(conn: Reader, account_ids: Iterable[int]) -> dict[int, Counts]:
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


async def accounts_with_counts(
    conn: Reader, account_ids: Iterable[int]
) -> tuple[dict[int, Account], dict[int, Counts]]:
    """fedi.db.accounts.get_many and counts_of together (a page's authors): their versions and
    counts in one statement, the columns only of those not kept in that version."""
    ids = list(dict.fromkeys(account_ids))
    if not ids:
        return {}, {}
    cursor = await conn.execute(
        "SELECT a.id, a.row_version, st.account_id, st.statuses_count, st.followers_count,"
        " st.following_count FROM accounts a LEFT JOIN account_stats st ON st.account_id = a.id"
        f" WHERE a.id IN ({', '.join('?' for _ in ids)})",
        ids,
    )
    counts: dict[int, Counts] = {}
    keys: list[tuple[int, int]] = []
    for account_id, version, counted, statuses, followers, following in await cursor.fetchall():
        keys.append((account_id, version))
        if counted is not None:
            counts[account_id] = Counts(statuses, followers, following)
    return await versioned(conn, keys), counts
