"""An accounts row as a model: the columns pages read and the model built from them, kept
between requests by the row's version (fedi.db.row_memo) for the pages that read (id,
row_version) first."""

from __future__ import annotations

from collections.abc import Iterable

from fedi.core.models import Account, ActorType, ProfileField
from fedi.core.timeutil import from_db
from fedi.db.connection import Reader, Row
from fedi.db.row_memo import VersionMemo
from fedi.db.rows import json_list, opt_time

_ACCOUNT_COLUMNS = (
    "a.id, a.uri, a.username, a.domain, a.actor_type, a.display_name, a.note, a.fields, a.url,"
    " a.inbox_uri, a.shared_inbox_uri, a.outbox_uri, a.followers_uri, a.following_uri,"
    " a.featured_uri, a.public_key_id, a.public_key_pem, a.avatar_file, a.header_file,"
    " a.is_locked, a.is_bot, a.is_discoverable, a.suspended_at, a.created_at, a.updated_at,"
    " a.avatar_remote_url, a.header_remote_url, a.also_known_as, a.moved_to_id, a.fetched_at,"
    " a.key_refetched_at, a.silenced_at"
)
ACCOUNT_COLUMNS = _ACCOUNT_COLUMNS


def account_from_row(row: Row) -> Account:
    fields = tuple(
        ProfileField(name=str(f.get("name", "")), value=str(f.get("value", "")))
        for f in json_list(row["fields"])
        if isinstance(f, dict)
    )
    actor_type: ActorType = row["actor_type"]
    return Account(
        id=row["id"],
        uri=row["uri"],
        username=row["username"],
        domain=row["domain"],
        actor_type=actor_type,
        display_name=row["display_name"],
        note=row["note"],
        fields=fields,
        url=row["url"],
        inbox_uri=row["inbox_uri"],
        shared_inbox_uri=row["shared_inbox_uri"],
        outbox_uri=row["outbox_uri"],
        followers_uri=row["followers_uri"],
        following_uri=row["following_uri"],
        featured_uri=row["featured_uri"],
        public_key_id=row["public_key_id"],
        public_key_pem=row["public_key_pem"],
        avatar_file=row["avatar_file"],
        header_file=row["header_file"],
        is_locked=bool(row["is_locked"]),
        is_bot=bool(row["is_bot"]),
        is_discoverable=bool(row["is_discoverable"]),
        suspended_at=opt_time(row["suspended_at"]),
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
        avatar_remote_url=row["avatar_remote_url"],
        header_remote_url=row["header_remote_url"],
        also_known_as=tuple(str(u) for u in json_list(row["also_known_as"])),
        moved_to_id=row["moved_to_id"],
        fetched_at=opt_time(row["fetched_at"]),
        key_refetched_at=opt_time(row["key_refetched_at"]),
        silenced_at=opt_time(row["silenced_at"]),
    )


# The accounts pages show (authors, boosted authors, senders), by (id, row_version).
_by_version: VersionMemo[Account] = VersionMemo(4096)


async def versioned(conn: Reader, keys: Iterable[tuple[int, int]]) -> dict[int, Account]:
    """The accounts of (id, row_version) pairs, by id: the models kept for those versions, the
    others read in one statement (an account deleted meanwhile is left out)."""

    async def read(ids: list[int]) -> list[tuple[int, int, Account]]:
        cursor = await conn.execute(
            f"SELECT {_ACCOUNT_COLUMNS}, a.row_version FROM accounts a"
            f" WHERE a.id IN ({', '.join('?' for _ in ids)})",
            ids,
        )
        rows = await cursor.fetchall()
        return [(row["id"], row["row_version"], account_from_row(row)) for row in rows]

    return await _by_version.kept_or_read(keys, read)
