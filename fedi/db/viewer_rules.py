"""SQL for everything one member hides, in one statement for every page they read: active mutes,
blocks either way, blocked domains, the members of their exclusive lists, and their active
filters with keywords and statuses (fedi.statuses.timeline_rules judges with them)."""

from __future__ import annotations

from fedi.db.connection import Reader
from fedi.db.filters import Filter, FilterStatus, Keyword
from fedi.db.mutes import Hidden
from fedi.db.rows import json_list, rows_of_kinds

Rows = tuple[tuple[object, ...], ...]

_ACTIVE_FILTER = "f.account_id = ? AND (f.expires_at IS NULL OR f.expires_at > ?)"


async def rows_of(conn: Reader, account_id: int, now: str) -> Rows:
    """The rows, in a fixed order: equal rows mean equal rules (callers keep what they built
    from them by the rows themselves)."""
    me, active = (account_id,), (account_id, now)
    found = await rows_of_kinds(conn, [
        ("SELECT 0, target_account_id, hide_notifications, NULL, NULL, NULL FROM mutes"
         " WHERE account_id = ? AND (expires_at IS NULL OR expires_at > ?)", active),
        ("SELECT 1, target_account_id, NULL, NULL, NULL, NULL FROM blocks WHERE account_id = ?",
         me),
        ("SELECT 1, account_id, NULL, NULL, NULL, NULL FROM blocks WHERE target_account_id = ?",
         me),
        ("SELECT 2, NULL, domain, NULL, NULL, NULL FROM account_domain_blocks"
         " WHERE account_id = ?", me),
        ("SELECT 3, la.account_id, NULL, NULL, NULL, NULL FROM list_accounts la"
         " JOIN lists l ON l.id = la.list_id"
         " WHERE l.account_id = ? AND l.is_exclusive = 1 AND la.account_id != ?", me + me),
        ("SELECT 4, f.id, f.title, f.contexts, f.action, f.expires_at FROM filters f"
         f" WHERE {_ACTIVE_FILTER}", active),
        ("SELECT 5, k.id, k.filter_id, k.keyword, k.whole_word, NULL"
         f" FROM filter_keywords k JOIN filters f ON f.id = k.filter_id WHERE {_ACTIVE_FILTER}",
         active),
        ("SELECT 6, fs.id, fs.filter_id, fs.status_id, NULL, NULL"
         f" FROM filter_statuses fs JOIN filters f ON f.id = fs.filter_id"
         f" WHERE {_ACTIVE_FILTER}", active),
    ], ordered=2)  # fmt: skip
    return tuple(tuple(row) for row in found)


def hidden_of(rows: Rows) -> Hidden:
    """What fedi.db.mutes.hidden_by reads, from the rows."""
    muted: list[tuple[int, bool]] = []
    blocked: set[int] = set()
    domains: set[str] = set()
    exclusive: set[int] = set()
    for kind, target, extra, *_ in rows:
        if kind == 0:
            muted.append((int(str(target)), bool(extra)))
        elif kind == 1:
            blocked.add(int(str(target)))
        elif kind == 2:
            domains.add(str(extra))
        elif kind == 3:
            exclusive.add(int(str(target)))
    return Hidden(tuple(muted), frozenset(blocked), frozenset(domains), frozenset(exclusive))


def filters_of(rows: Rows, account_id: int) -> list[Filter]:
    """What fedi.db.filters.filters_of reads with active_at, from the rows (by filter id)."""
    words: dict[int, list[Keyword]] = {}
    posts: dict[int, list[FilterStatus]] = {}
    heads: list[tuple[object, ...]] = []
    for row in rows:
        kind = row[0]
        if kind == 4:
            heads.append(row)
        elif kind == 5:
            filter_id = int(str(row[2]))
            keyword = Keyword(int(str(row[1])), filter_id, str(row[3]), bool(row[4]))
            words.setdefault(filter_id, []).append(keyword)
        elif kind == 6:
            filter_id = int(str(row[2]))
            posts.setdefault(filter_id, []).append(
                FilterStatus(int(str(row[1])), filter_id, int(str(row[3])))
            )
    found = []
    for _, head_id, title, contexts, action, expires_at in heads:
        key = int(str(head_id))
        found.append(
            Filter(
                key, account_id, str(title), tuple(str(c) for c in json_list(str(contexts))),
                str(action), None if expires_at is None else str(expires_at),
                tuple(words.get(key, ())), tuple(posts.get(key, ())),
            )
        )  # fmt: skip
    return found
