"""SQL for notification groups (Mastodon 4.3): the key a new notification joins, a page of groups
(each by one notification), what each group on a page holds, its senders, and unread counts."""

from __future__ import annotations

from dataclasses import dataclass

from fedi.core.timeutil import from_db
from fedi.db.connection import Connection, Reader

GROUPABLE = ("favourite", "reblog", "follow")
GROUP_SPAN_HOURS = 12  # Mastodon's MAXIMUM_GROUP_SPAN_HOURS
SAMPLE_ACCOUNTS = 8  # Mastodon's NotificationGroup::SAMPLE_ACCOUNTS_SIZE
COLUMNS = "{a}.id, {a}.type, {a}.from_account_id, {a}.status_id, {a}.created_at, {a}.group_key"
# id, type, from_account_id, status_id, created_at, group_key
Row = tuple[int, str, int, int | None, str, str | None]


def group_key_for(
    conn: Connection, account_id: int, kind: str, status_id: int | None, now: str
) -> str | None:
    """The group a new notification joins, as Mastodon keys them: `favourite-<status>-<hour>`,
    `reblog-<status>-<hour>` or `follow-<hour>`, where the hour is the group's first; a
    notification more than twelve hours after it starts a new group."""
    if kind not in GROUPABLE or (kind != "follow" and status_id is None):
        return None
    prefix = "follow-" if kind == "follow" else f"{kind}-{status_id}-"
    hour = int(from_db(now).timestamp()) // 3600
    # '.' follows '-': the range holds this prefix's keys only, `favourite-12-` never matching
    # `favourite-123-`.
    row = conn.execute(
        "SELECT max(group_key) FROM notifications"
        " WHERE account_id = ? AND group_key > ? AND group_key < ?",
        (account_id, prefix, prefix[:-1] + "."),
    ).fetchone()
    last = row[0][len(prefix) :] if row and row[0] else ""
    if last.isdigit() and hour < int(last) + GROUP_SPAN_HOURS:
        hour = int(last)
    return f"{prefix}{hour}"


@dataclass(frozen=True)
class Selection:
    """Which notifications a request shows: types (all when empty), types left out, one
    sender, the types grouped (Mastodon's grouped_types), and an extra SQL condition on the
    sender (fedi.statuses.notifications.hidden_senders)."""

    types: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    from_account_id: int | None = None
    grouped: tuple[str, ...] = GROUPABLE
    hidden: tuple[str, tuple[object, ...]] = ("", ())

    def where(self, a: str) -> tuple[str, list[object]]:
        """The condition on the rows of alias `a`, and its arguments."""
        sql = (
            f" AND (? = '' OR instr(?, ',' || {a}.type || ',') > 0)"
            f" AND instr(?, ',' || {a}.type || ',') = 0"
            f" AND (? IS NULL OR {a}.from_account_id = ?){self.hidden[0]}"
        )
        kinds = ",".join(self.types)
        return sql, [kinds, f",{kinds},", f",{','.join(self.exclude)},",
                     self.from_account_id, self.from_account_id, *self.hidden[1]]  # fmt: skip

    def key(self, a: str) -> tuple[str, list[object]]:
        """The group of a row of alias `a`: its key when its type is grouped, else its own."""
        return (
            f"(CASE WHEN {a}.group_key IS NOT NULL AND instr(?, ',' || {a}.type || ',') > 0"
            f" THEN {a}.group_key ELSE 'ungrouped-' || {a}.id END)",
            [f",{','.join(self.grouped)},"],
        )


async def group_heads(
    conn: Reader, account_id: int, selection: Selection,
    max_id: int | None, since_id: int | None, min_id: int | None, limit: int,
) -> list[tuple[Row, str]]:  # fmt: skip
    """A page of groups, newest first, each by one notification and its group's key: the
    newest of the group within the page's bounds, or with min_id (the page just after it) the
    oldest. A notification is a group's head when no other of the group lies between it and
    the bound it is read towards, so the page is read in one pass down the index."""
    upward = min_id is not None
    low = min_id if upward else since_id
    where, where_args = selection.where("n")
    inner, inner_args = selection.where("m")
    key, key_args = selection.key("n")
    closer = "m.id < n.id AND (? IS NULL OR m.id > ?)" if upward else (
        "m.id > n.id AND (? IS NULL OR m.id < ?)")  # fmt: skip
    bound = min_id if upward else max_id
    cursor = await conn.execute(
        f"SELECT {COLUMNS.format(a='n')}, {key} FROM notifications n"
        " WHERE n.account_id = ? AND (? IS NULL OR n.id < ?) AND (? IS NULL OR n.id > ?)"
        f"{where} AND NOT (n.group_key IS NOT NULL AND instr(?, ',' || n.type || ',') > 0"
        " AND EXISTS (SELECT 1 FROM notifications m WHERE m.account_id = n.account_id"
        f" AND m.group_key = n.group_key AND {closer}{inner}))"
        f" ORDER BY n.id {'ASC' if upward else 'DESC'} LIMIT ?",
        (*key_args, account_id, max_id, max_id, low, low, *where_args, *key_args, bound, bound,
         *inner_args, limit),
    )  # fmt: skip
    found = [((r[0], r[1], r[2], r[3], r[4], r[5]), r[6]) for r in await cursor.fetchall()]
    return found[::-1] if upward else found


@dataclass(frozen=True)
class Details:
    """What a group holds up to a page's newest notification: its newest notification, the
    senders of its newest ones, how many it has, and its oldest at or after the page's start."""

    most_recent_id: int
    sample_account_ids: tuple[int, ...]
    count: int
    page_min_id: int
    latest_at: str


async def group_details(
    conn: Reader, account_id: int, selection: Selection, keys: list[str],
    begin: int | None, end: int | None,
) -> dict[str, Details]:  # fmt: skip
    """The details of these groups (keys stored in group_key) as Mastodon counts a page's
    groups: up to `end`, the page's oldest from `begin`; one statement for them all."""
    if not keys:
        return {}
    where, where_args = selection.where("g")
    marks = ", ".join("?" for _ in keys)
    cursor = await conn.execute(
        "SELECT group_key, id, from_account_id, created_at, cnt, page_min FROM ("
        " SELECT g.group_key, g.id, g.from_account_id, g.created_at,"
        "  row_number() OVER (PARTITION BY g.group_key ORDER BY g.id DESC) AS rn,"
        "  count(*) OVER (PARTITION BY g.group_key) AS cnt,"
        "  min(CASE WHEN ? IS NULL OR g.id >= ? THEN g.id END)"
        "   OVER (PARTITION BY g.group_key) AS page_min"
        f" FROM notifications g WHERE g.account_id = ? AND g.group_key IN ({marks})"
        f" AND (? IS NULL OR g.id <= ?){where}"
        ") WHERE rn <= ? ORDER BY group_key, id DESC",
        (begin, begin, account_id, *keys, end, end, *where_args, SAMPLE_ACCOUNTS),
    )
    rows: dict[str, list[tuple[int, int, str, int, int | None]]] = {}
    for key, notification_id, sender, created_at, count, page_min in await cursor.fetchall():
        rows.setdefault(key, []).append((notification_id, sender, created_at, count, page_min))
    return {
        key: Details(
            most_recent_id=found[0][0],
            sample_account_ids=tuple(dict.fromkeys(r[1] for r in found)),
            count=found[0][3],
            page_min_id=found[0][4] if found[0][4] is not None else found[-1][0],
            latest_at=found[0][2],
        )
        for key, found in rows.items()
    }


async def newest_of_group(
    conn: Reader, account_id: int, selection: Selection, key: str
) -> Row | None:
    """The newest notification of a group (`ungrouped-<id>`: that one notification)."""
    where, where_args = selection.where("n")
    wanted_value: int | str
    if key.startswith("ungrouped-"):
        wanted = key.removeprefix("ungrouped-")
        if not wanted.isdigit() or len(wanted) > 19:
            return None
        sql, wanted_value = "n.id = ?", int(wanted)
    else:
        sql, wanted_value = "n.group_key = ?", key
    cursor = await conn.execute(
        f"SELECT {COLUMNS.format(a='n')} FROM notifications n"
        f" WHERE n.account_id = ? AND {sql}{where} ORDER BY n.id DESC LIMIT 1",
        (account_id, wanted_value, *where_args),
    )
    r = await cursor.fetchone()
    return (r[0], r[1], r[2], r[3], r[4], r[5]) if r else None


async def group_senders(
    conn: Reader, account_id: int, selection: Selection, key: str,
    max_id: int | None, since_id: int | None, limit: int,
) -> list[tuple[int, int]]:  # fmt: skip
    """(notification id, sender) of a group's notifications, newest first."""
    where, where_args = selection.where("n")
    cursor = await conn.execute(
        "SELECT n.id, n.from_account_id FROM notifications n"
        " WHERE n.account_id = ? AND n.group_key = ? AND (? IS NULL OR n.id < ?)"
        f" AND (? IS NULL OR n.id > ?){where} ORDER BY n.id DESC LIMIT ?",
        (account_id, key, max_id, max_id, since_id, since_id, *where_args, limit),
    )
    return [(r[0], r[1]) for r in await cursor.fetchall()]


def dismiss_group(conn: Connection, account_id: int, key: str) -> int:
    """Delete a group's notifications (`ungrouped-<id>`: that one)."""
    if key.startswith("ungrouped-"):
        wanted = key.removeprefix("ungrouped-")
        if not wanted.isdigit() or len(wanted) > 19:
            return 0
        return conn.execute(
            "DELETE FROM notifications WHERE account_id = ? AND id = ?", (account_id, int(wanted))
        ).rowcount
    return conn.execute(
        "DELETE FROM notifications WHERE account_id = ? AND group_key = ?", (account_id, key)
    ).rowcount


async def count_after(
    conn: Reader, account_id: int, selection: Selection, after_id: int | None,
    limit: int, *, groups: bool,
) -> int:  # fmt: skip
    """How many notifications (or groups of them) came after `after_id`, counted up to limit."""
    where, where_args = selection.where("n")
    key, key_args = selection.key("n") if groups else ("n.id", [])
    cursor = await conn.execute(
        f"SELECT count(*) FROM (SELECT DISTINCT {key} FROM notifications n"
        f" WHERE n.account_id = ? AND (? IS NULL OR n.id > ?){where} LIMIT ?)",
        (*key_args, account_id, after_id, after_id, *where_args, limit),
    )
    row = await cursor.fetchone()
    return int(row[0]) if row else 0
