"""A member's notifications in groups, as Mastodon 4.3 pages them: favourites and boosts of one
post, and follows, that came within hours of each other make one group; the rest stand alone.
What a group shows is what the plain list shows (fedi.statuses.notifications), in a fixed
number of queries whatever the page's length."""

from __future__ import annotations

from dataclasses import dataclass

from fedi.context import Context
from fedi.core.models import Account, User
from fedi.db import bookmarks
from fedi.db import notifications as groups_sql
from fedi.db.notifications import GROUPABLE, Details, Row, Selection
from fedi.statuses.batch import Batch, load
from fedi.statuses.notifications import Shown, hidden_senders, shown
from fedi.statuses.timeline_rules import ViewerRules, moderated_in

__all__ = ["GROUPABLE", "Group", "GroupPage", "Query"]


@dataclass(frozen=True)
class Query:
    """What a page asks for: Mastodon's max_id, since_id, min_id, limit, types[],
    exclude_types[], account_id and grouped_types[]."""

    max_id: int | None = None
    since_id: int | None = None
    min_id: int | None = None
    limit: int = 40
    types: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    from_account_id: int | None = None
    grouped: tuple[str, ...] = GROUPABLE


def selection_of(me: int, query: Query) -> Selection:
    hidden, args = hidden_senders(me)
    return Selection(
        types=query.types, exclude=query.exclude, from_account_id=query.from_account_id,
        grouped=query.grouped, hidden=(hidden, tuple(args)),
    )  # fmt: skip


@dataclass(frozen=True)
class Group:
    """A group on a page: the notification that stands for it (its type, status, warning),
    how many it holds, its newest, the senders of its newest, and the page's part of it."""

    key: str
    head: Shown
    count: int
    most_recent_id: int
    sample_account_ids: tuple[int, ...]
    page_min_id: int
    page_max_id: int
    latest_at: str


@dataclass(frozen=True)
class GroupPage:
    batch: Batch
    groups: list[Group]
    cursors: list[int]  # the heads' ids, newest first, for the Link header


def _range(heads: list[tuple[Row, str]], query: Query) -> tuple[int | None, int | None]:
    """The ids a page's groups are counted within, as Mastodon bounds them: from the oldest to
    the newest head, or, for a page that came short (the last one), up to the cursor."""
    begin: int | None = heads[-1][0][0]
    end: int | None = heads[0][0][0]
    if len(heads) < query.limit:
        if query.min_id is not None:
            end = query.max_id - 1 if query.max_id is not None else None
        else:
            begin = query.since_id + 1 if query.since_id is not None else None
    return begin, end


def _group(key: str, head: Shown, details: Details | None) -> Group:
    if details is None:  # a notification of its own
        return Group(key, head, 1, head.id, (head.row[2],), head.id, head.id, head.row[4])
    return Group(
        key, head, details.count, details.most_recent_id, details.sample_account_ids,
        details.page_min_id, details.most_recent_id, details.latest_at,
    )  # fmt: skip


async def page_of_groups(
    context: Context, user: User, query: Query, rules: ViewerRules
) -> GroupPage:
    """A page of groups, newest first. A group whose notification the plain list would leave
    out is left out (its post filtered away, or a private group's the member left)."""
    me = user.account.id
    selection = selection_of(me, query)
    async with context.db.read_now() as conn:
        heads = await groups_sql.group_heads(
            conn, me, selection, query.max_id, query.since_id, query.min_id, query.limit
        )
        details: dict[str, Details] = {}
        if heads:
            begin, end = _range(heads, query)
            keys = [key for _, key in heads if not key.startswith("ungrouped-")]
            details = await groups_sql.group_details(conn, me, selection, keys, begin, end)
    samples = tuple({i for d in details.values() for i in d.sample_account_ids})
    batch, kept = await shown(context, user, [row for row, _ in heads], rules, samples)
    by_id = {s.id: s for s in kept}
    groups = [_group(key, by_id[row[0]], details.get(key)) for row, key in heads if row[0] in by_id]
    return GroupPage(batch, groups, [row[0] for row, _ in heads])


async def one_group(
    context: Context, user: User, key: str, rules: ViewerRules
) -> tuple[Batch, Group] | None:
    """A group by its key, counted whole; None when it is not there or not shown."""
    me = user.account.id
    selection = selection_of(me, Query())
    async with context.db.read_now() as conn:
        row = await groups_sql.newest_of_group(conn, me, selection, key)
        details = None
        if row is not None and row[5] and not key.startswith("ungrouped-"):
            found = await groups_sql.group_details(conn, me, selection, [key], None, None)
            details = found.get(key)
    if row is None:
        return None
    samples = details.sample_account_ids if details else ()
    batch, kept = await shown(context, user, [row], rules, samples)
    if not kept:
        return None
    return batch, _group(key, kept[0], details)


async def group_accounts(
    context: Context, user: User, key: str, max_id: int | None, since_id: int | None,
    limit: int,
) -> tuple[Batch, list[Account], list[int]]:  # fmt: skip
    """The senders of a group's notifications, newest first, with the notifications' ids for
    paging; those the list leaves out are left out here too."""
    me = user.account.id
    selection = selection_of(me, Query())
    async with context.db.read_now() as conn:
        if key.startswith("ungrouped-"):
            row = await groups_sql.newest_of_group(conn, me, selection, key)
            found = [(row[0], row[2])] if row else []
        else:
            found = await groups_sql.group_senders(
                conn, me, selection, key, max_id, since_id, limit
            )
    batch = await load(context, [], user.account, with_accounts=[s for _, s in found])
    senders = [batch.accounts.get(sender) for _, sender in found]
    shown_senders = [
        a for a in senders if a is not None and not moderated_in(batch, me, [a], "notifications")
    ]
    return batch, shown_senders, [n for n, _ in found]


async def dismiss_group(context: Context, me: int, key: str) -> None:
    await context.db.write(lambda conn: groups_sql.dismiss_group(conn, me, key))


async def unread_count(context: Context, me: int, query: Query, *, groups: bool) -> int:
    """How many notifications (or groups) came after the member's notifications marker,
    counted up to query.limit, as Mastodon counts them."""
    selection = selection_of(me, query)
    async with context.db.read_now() as conn:
        markers = await bookmarks.markers(conn, me)
        last = next((m[1] for m in markers if m[0] == "notifications"), None)
        after = int(last) if last and last.isdigit() and len(last) <= 19 else None
        return await groups_sql.count_after(conn, me, selection, after, query.limit, groups=groups)
