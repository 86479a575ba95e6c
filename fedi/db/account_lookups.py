"""SQL for accounts looked up many at a time by their ids (ActivityPub URIs): the inbox worker's
actors for a whole batch, and the accounts an activity names (mentions, addressed groups),
found with one query each, or read once for a batch of activities (KnownRefs)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from fedi.core.models import Account, ActorType
from fedi.db.accounts import ACCOUNT_COLUMNS, account_from_row
from fedi.db.connection import Reader

CHUNK = 500  # ids per query: well under SQLite's limit on parameters


async def get_by_uris(conn: Reader, uris: Iterable[str]) -> dict[str, Account]:
    """The accounts with these ids, by id (one query for a batch: the inbox worker's actors)."""
    wanted = list(dict.fromkeys(uris))
    found: dict[str, Account] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        marks = ", ".join("?" * len(chunk))
        cursor = await conn.execute(
            f"SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.uri IN ({marks})", chunk
        )
        for row in await cursor.fetchall():
            account = account_from_row(row)
            found[account.uri] = account
    return found


@dataclass(frozen=True)
class AccountRef:
    """Who an account is, without its profile: enough to find the local members and groups
    among the ids an activity names."""

    id: int
    is_local: bool
    actor_type: ActorType
    is_suspended: bool


@dataclass(frozen=True)
class KnownRefs:
    """Accounts looked up already (the local ones a batch of activities names): `asked` are the
    ids looked up, `found` those of them that exist. refs_by_uri answers for these from here."""

    asked: frozenset[str] = frozenset()
    found: Mapping[str, AccountRef] = field(default_factory=dict)


async def known_refs(conn: Reader, uris: Iterable[str]) -> KnownRefs:
    asked = frozenset(uris)
    return KnownRefs(asked, await refs_by_uri(conn, asked))


async def refs_by_uri(
    conn: Reader, uris: Iterable[str], known: KnownRefs | None = None
) -> dict[str, AccountRef]:
    """The accounts with these ids (one query, no profile read, none for ids in `known`), by
    id."""
    wanted = list(dict.fromkeys(uris))
    found: dict[str, AccountRef] = {}
    if known is not None and known.asked:
        for uri in wanted:
            ref = known.found.get(uri)
            if ref is not None:
                found[uri] = ref
        wanted = [uri for uri in wanted if uri not in known.asked]
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        marks = ", ".join("?" * len(chunk))
        cursor = await conn.execute(
            "SELECT uri, id, domain IS NULL, actor_type, suspended_at IS NOT NULL"
            f" FROM accounts WHERE uri IN ({marks})",
            chunk,
        )
        for uri, account_id, is_local, actor_type, suspended in await cursor.fetchall():
            found[uri] = AccountRef(account_id, bool(is_local), actor_type, bool(suspended))
    return found
