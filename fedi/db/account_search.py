"""SQL for finding accounts by the start of the words of their username or display name (the
account_search FTS5 table, kept by triggers of migration 0036): the API's searches, the search
page and autocompletion of mentions."""

from __future__ import annotations

from fedi.core.models import Account
from fedi.db.account_rows import ACCOUNT_COLUMNS as COLUMNS
from fedi.db.accounts import account_from_row
from fedi.db.connection import Reader
from fedi.db.fulltext import match_of, tsquery_of
from fedi.db.mutes import _HOST
from fedi.db.postgres import is_postgresql


def _prefix(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


async def search(
    conn: Reader,
    username: str,
    domain: str | None,
    *,
    viewer_id: int | None,
    following_only: bool = False,
    limit: int,
    offset: int,
) -> list[Account]:
    """People (no instance actors, no suspended accounts, no sign-ups awaiting approval; a
    limited account only for itself and its followers; none blocking or blocked by the viewer,
    nor on a domain the viewer blocks, unless named by its exact username, as on Mastodon,
    where one finds whom one blocked to unblock them) with a word of their username, or display
    name, starting with each word of `username`; on `domain` if given (None: any, "": local
    only, else the start of the server's name, and the username alone is searched). The exact
    username comes first, then those the viewer follows, then local accounts, then by name."""
    words = match_of(username)
    if words is None:
        return []
    columns = "{username display_name}" if domain is None else "username"
    match, matched, key = f"{columns} : ({words})", "account_search MATCH :match", "m.rowid"
    if is_postgresql(conn):
        column = "m.names" if domain is None else "m.username"
        match, matched = tsquery_of(words), f"{column} @@ to_tsquery('simple', :match)"
        key = "m.id"
    cursor = await conn.execute(
        f"SELECT {COLUMNS} FROM account_search m CROSS JOIN accounts a ON a.id = {key}"
        " LEFT JOIN users u ON u.account_id = a.id"
        " LEFT JOIN follows f ON f.follower_id = :me AND f.followed_id = a.id"
        "   AND f.state = 'accepted'"
        f" WHERE {matched}"
        " AND a.actor_type != 'Application' AND a.suspended_at IS NULL"
        " AND (a.domain IS NOT NULL OR u.is_approved = 1)"
        " AND (:domain IS NULL OR (:domain = '' AND a.domain IS NULL)"
        "      OR (:domain != '' AND lower(a.domain) LIKE :domain_prefix ESCAPE '\\'))"
        " AND (a.silenced_at IS NULL OR a.id IS :me OR f.id IS NOT NULL)"
        " AND (:following = 0 OR f.id IS NOT NULL)"
        " AND ((:offset = 0 AND lower(a.username) = :exact) OR (NOT EXISTS (SELECT 1 FROM blocks"
        "   b WHERE (b.account_id = :me AND b.target_account_id = a.id)"
        "   OR (b.account_id = a.id AND b.target_account_id = :me))"
        "   AND NOT (a.domain IS NOT NULL AND EXISTS (SELECT 1 FROM account_domain_blocks d"
        f"   WHERE d.account_id = :me AND d.domain IN (a.domain, {_HOST.format(a='a')})))))"
        " ORDER BY lower(a.username) = :exact DESC, f.id IS NOT NULL DESC, a.domain IS NOT NULL,"
        " lower(a.username), a.domain, a.id LIMIT :limit OFFSET :offset",
        {"match": match, "exact": username.strip().lower(), "me": viewer_id,
         "domain": domain, "domain_prefix": _prefix(domain or ""),
         "following": int(following_only), "limit": limit, "offset": offset},
    )  # fmt: skip
    return [account_from_row(row) for row in await cursor.fetchall()]
