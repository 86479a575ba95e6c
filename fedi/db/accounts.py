"""SQL for the accounts table: local members' and remote actors' profiles, the instance actor,
and the counts shown with them (the users table, a member's sign-in side, is in db.users)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from fedi.core.ids import new_id
from fedi.core.models import Account, ActorType, ProfileField, RemoteActor
from fedi.db.account_rows import _ACCOUNT_COLUMNS
from fedi.db.account_rows import ACCOUNT_COLUMNS as ACCOUNT_COLUMNS
from fedi.db.account_rows import account_from_row as account_from_row
from fedi.db.account_rows import versioned as versioned
from fedi.db.connection import Connection, Reader


@dataclass(frozen=True)
class NewLocalAccount:
    """Everything needed to insert a local actor; URIs are minted by the caller (fedi.core.urls)."""

    id: int
    uri: str
    username: str
    actor_type: ActorType
    url: str
    inbox_uri: str
    shared_inbox_uri: str
    outbox_uri: str | None
    followers_uri: str | None
    following_uri: str | None
    featured_uri: str | None
    public_key_id: str
    public_key_pem: str
    display_name: str
    is_locked: bool
    is_bot: bool
    is_discoverable: bool
    created_at: str


def insert_local_account(conn: Connection, new: NewLocalAccount) -> None:
    conn.execute(
        "INSERT INTO accounts (id, uri, username, domain, actor_type, display_name, url,"
        " inbox_uri, shared_inbox_uri, outbox_uri, followers_uri, following_uri, featured_uri,"
        " public_key_id, public_key_pem, is_locked, is_bot, is_discoverable,"
        " created_at, updated_at)"
        " VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            new.id, new.uri, new.username, new.actor_type, new.display_name, new.url,
            new.inbox_uri, new.shared_inbox_uri, new.outbox_uri, new.followers_uri,
            new.following_uri, new.featured_uri, new.public_key_id, new.public_key_pem,
            int(new.is_locked), int(new.is_bot), int(new.is_discoverable),
            new.created_at, new.created_at,
        ),
    )  # fmt: skip


def local_username_taken(conn: Connection, username: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM accounts WHERE domain IS NULL AND lower(username) = lower(?)", (username,)
    ).fetchone()
    return row is not None


def set_silenced(conn: Connection, account_id: int, silenced_at: str | None) -> None:
    conn.execute("UPDATE accounts SET silenced_at = ? WHERE id = ?", (silenced_at, account_id))


def set_suspended(conn: Connection, account_id: int, suspended_at: str | None) -> None:
    conn.execute(
        "UPDATE accounts SET suspended_at = ?, updated_at = COALESCE(?, updated_at) WHERE id = ?",
        (suspended_at, suspended_at, account_id),
    )


def update_profile(
    conn: Connection,
    account_id: int,
    *,
    display_name: str,
    note: str,
    fields: Iterable[ProfileField],
    updated_at: str,
    note_source: str | None = None,
    is_locked: bool | None = None,
    is_bot: bool | None = None,
    is_discoverable: bool | None = None,
) -> None:
    flags = (None if f is None else int(f) for f in (is_locked, is_bot, is_discoverable))
    conn.execute(
        "UPDATE accounts SET display_name = ?, note = ?, fields = ?, updated_at = ?,"
        " note_source = COALESCE(?, note_source), is_locked = COALESCE(?, is_locked),"
        " is_bot = COALESCE(?, is_bot), is_discoverable = COALESCE(?, is_discoverable)"
        " WHERE id = ?",
        (
            display_name,
            note,
            json.dumps([{"name": f.name, "value": f.value} for f in fields]),
            updated_at,
            note_source,
            *flags,
            account_id,
        ),
    )


async def note_source(conn: Reader, account_id: int) -> str:
    cursor = await conn.execute("SELECT note_source FROM accounts WHERE id = ?", (account_id,))
    row = await cursor.fetchone()
    return str(row[0]) if row else ""


async def get_local_actor(
    conn: Reader,
    username: str,
    *,
    include_pending: bool = False,
    federated: bool = False,
) -> Account | None:
    """A local actor by username: a member (with a users row), a group or the instance actor. A
    sign-up waiting for approval does not exist to anyone (WebFinger, actor, inbox, API) unless
    include_pending (for the uniqueness of usernames). With federated (what other servers
    ask for), a local-only group does not exist either."""
    pending = (
        ""
        if include_pending
        else " AND NOT EXISTS (SELECT 1 FROM users u WHERE u.account_id = a.id"
        " AND u.is_approved = 0)"
    )
    if federated:
        pending += (
            " AND NOT EXISTS (SELECT 1 FROM groups g WHERE g.account_id = a.id"
            " AND g.is_local_only = 1)"
        )
    cursor = await conn.execute(
        f"SELECT {_ACCOUNT_COLUMNS} FROM accounts a"
        f" WHERE a.domain IS NULL AND lower(a.username) = lower(?){pending}",
        (username,),
    )
    row = await cursor.fetchone()
    return account_from_row(row) if row else None


async def get_by_uri(conn: Reader, uri: str) -> Account | None:
    cursor = await conn.execute(
        f"SELECT {_ACCOUNT_COLUMNS} FROM accounts a WHERE a.uri = ?", (uri,)
    )
    row = await cursor.fetchone()
    return account_from_row(row) if row else None


async def get_instance_actor(conn: Reader) -> Account | None:
    cursor = await conn.execute(
        f"SELECT {_ACCOUNT_COLUMNS} FROM accounts a"
        " WHERE a.domain IS NULL AND a.actor_type = 'Application' ORDER BY a.id LIMIT 1"
    )
    row = await cursor.fetchone()
    return account_from_row(row) if row else None


async def list_public_members(conn: Reader, limit: int) -> list[Account]:
    """Local members who chose to be discoverable and are in good standing, newest first."""
    cursor = await conn.execute(
        f"SELECT {_ACCOUNT_COLUMNS} FROM accounts a JOIN users u ON u.account_id = a.id"
        " WHERE a.is_discoverable = 1 AND a.suspended_at IS NULL AND u.is_approved = 1"
        " ORDER BY a.id DESC LIMIT ?",
        (limit,),
    )
    return [account_from_row(row) for row in await cursor.fetchall()]


async def get_many(conn: Reader, account_ids: Iterable[int]) -> dict[int, Account]:
    """The accounts with these ids (those that exist), by id."""
    ids = list(dict.fromkeys(account_ids))
    if not ids:
        return {}
    cursor = await conn.execute(
        f"SELECT a.id, a.row_version FROM accounts a WHERE a.id IN ({', '.join('?' for _ in ids)})",
        ids,
    )
    return await versioned(conn, [(row[0], row[1]) for row in await cursor.fetchall()])


@dataclass(frozen=True)
class Totals:
    members: int
    local_posts: int


async def instance_totals(conn: Reader) -> Totals:
    """Members in good standing and posts written here, for the home page."""
    cursor = await conn.execute(
        "SELECT"
        " (SELECT count(*) FROM users u JOIN accounts a ON a.id = u.account_id"
        "   WHERE a.suspended_at IS NULL AND u.is_approved = 1),"
        " (SELECT count(*) FROM statuses WHERE is_local = 1)"
    )
    row = await cursor.fetchone()
    assert row is not None
    return Totals(members=row[0], local_posts=row[1])


@dataclass(frozen=True)
class UsageStats:
    users_total: int
    users_active_month: int
    users_active_halfyear: int
    local_posts: int


async def usage(conn: Reader, month_ago: str, halfyear_ago: str) -> UsageStats:
    """NodeInfo usage: members in good standing, by last activity, and local posts."""
    cursor = await conn.execute(
        "SELECT"
        " (SELECT count(*) FROM users u JOIN accounts a ON a.id = u.account_id"
        "   WHERE a.suspended_at IS NULL AND u.is_approved = 1),"
        " (SELECT count(*) FROM users u JOIN accounts a ON a.id = u.account_id"
        "   WHERE a.suspended_at IS NULL AND u.is_approved = 1"
        "   AND max(u.created_at, COALESCE(u.last_active_at, '')) >= :month),"
        " (SELECT count(*) FROM users u JOIN accounts a ON a.id = u.account_id"
        "   WHERE a.suspended_at IS NULL AND u.is_approved = 1"
        "   AND max(u.created_at, COALESCE(u.last_active_at, '')) >= :halfyear),"
        " (SELECT count(*) FROM statuses WHERE is_local = 1)",
        {"month": month_ago, "halfyear": halfyear_ago},
    )
    row = await cursor.fetchone()
    assert row is not None
    return UsageStats(row[0], row[1], row[2], row[3])


def upsert_remote(conn: Connection, actor: RemoteActor, now: str, *, accept_new_key: bool) -> int:
    """Insert or refresh a remote actor; returns its local id. A changed public key replaces the
    stored one only when accept_new_key (security.md S13): a routine refetch cannot swap keys."""
    row = conn.execute(
        "SELECT id, public_key_pem FROM accounts WHERE uri = ?", (actor.uri,)
    ).fetchone()
    fields = json.dumps([{"name": f.name, "value": f.value} for f in actor.fields])
    also_known_as = json.dumps(list(actor.also_known_as))
    profile = (
        actor.username, actor.domain, actor.actor_type, actor.display_name, actor.note, fields,
        actor.url, actor.inbox_uri, actor.shared_inbox_uri, actor.outbox_uri,
        actor.followers_uri, actor.following_uri, actor.featured_uri, actor.avatar_remote_url,
        actor.header_remote_url, int(actor.is_locked), int(actor.is_bot),
        int(actor.is_discoverable), also_known_as, now, now,
    )  # fmt: skip
    columns = (
        "username = ?, domain = ?, actor_type = ?, display_name = ?, note = ?, fields = ?,"
        " url = ?, inbox_uri = ?, shared_inbox_uri = ?, outbox_uri = ?, followers_uri = ?,"
        " following_uri = ?, featured_uri = ?, avatar_remote_url = ?, header_remote_url = ?,"
        " is_locked = ?, is_bot = ?, is_discoverable = ?, also_known_as = ?, fetched_at = ?,"
        " updated_at = ?"
    )
    if row is None:
        account_id = new_id()
        conn.execute(
            "INSERT INTO accounts (id, uri, public_key_id, public_key_pem, created_at, username,"
            " domain, actor_type, display_name, note, fields, url, inbox_uri, shared_inbox_uri,"
            " outbox_uri, followers_uri, following_uri, featured_uri, avatar_remote_url,"
            " header_remote_url, is_locked, is_bot, is_discoverable, also_known_as, fetched_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?, ?, ?)",
            (account_id, actor.uri, actor.public_key_id, actor.public_key_pem, now, *profile),
        )
        return account_id
    account_id = int(row["id"])
    conn.execute(f"UPDATE accounts SET {columns} WHERE id = ?", (*profile, account_id))
    if accept_new_key and row["public_key_pem"] != actor.public_key_pem:
        conn.execute(
            "UPDATE accounts SET public_key_id = ?, public_key_pem = ? WHERE id = ?",
            (actor.public_key_id, actor.public_key_pem, account_id),
        )
    return account_id


def set_moved_to(conn: Connection, account_id: int, target_id: int | None) -> None:
    conn.execute("UPDATE accounts SET moved_to_id = ? WHERE id = ?", (target_id, account_id))


def mark_key_refetched(conn: Connection, account_id: int, at: str) -> None:
    conn.execute("UPDATE accounts SET key_refetched_at = ? WHERE id = ?", (at, account_id))


def delete_account(conn: Connection, account_id: int) -> None:
    """A remote actor deleted itself: its posts, follows and interactions go with it."""
    conn.execute("DELETE FROM accounts WHERE id = ? AND domain IS NOT NULL", (account_id,))


async def get_by_id(conn: Reader, account_id: int) -> Account | None:
    cursor = await conn.execute(
        f"SELECT {_ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = ?", (account_id,)
    )
    row = await cursor.fetchone()
    return account_from_row(row) if row else None


async def get_kept(conn: Reader, account_id: int) -> Account | None:
    """get_by_id through the models kept by version (fedi.db.row_memo): the account's version
    is read, its columns only when that version is not kept. For the account a page is about,
    asked for on every request."""
    cursor = await conn.execute("SELECT id, row_version FROM accounts WHERE id = ?", (account_id,))
    row = await cursor.fetchone()
    if row is None:
        return None
    return (await versioned(conn, [(row[0], row[1])])).get(account_id)


async def get_by_key_id(conn: Reader, key_id: str) -> Account | None:
    cursor = await conn.execute(
        f"SELECT {_ACCOUNT_COLUMNS} FROM accounts a WHERE a.public_key_id = ? LIMIT 1", (key_id,)
    )
    row = await cursor.fetchone()
    return account_from_row(row) if row else None


async def get_remote_by_acct(conn: Reader, username: str, domain: str) -> Account | None:
    cursor = await conn.execute(
        f"SELECT {_ACCOUNT_COLUMNS} FROM accounts a WHERE lower(a.username) = lower(?)"
        " AND a.domain = ? ORDER BY a.updated_at DESC LIMIT 1",
        (username, domain.lower()),
    )
    row = await cursor.fetchone()
    return account_from_row(row) if row else None


def set_public_key(conn: Connection, account_id: int, public_pem: str, now: str) -> None:
    conn.execute(
        "UPDATE accounts SET public_key_pem = ?, updated_at = ? WHERE id = ? AND domain IS NULL",
        (public_pem, now, account_id),
    )


async def an_inbox_on(conn: Reader, domain: str) -> str | None:
    """The shared inbox (else an inbox) of some account known on `domain` (accounts.domain)."""
    cursor = await conn.execute(
        "SELECT coalesce(shared_inbox_uri, inbox_uri) FROM accounts"
        " WHERE domain = ? AND coalesce(shared_inbox_uri, inbox_uri) IS NOT NULL"
        " AND suspended_at IS NULL ORDER BY shared_inbox_uri IS NULL, id LIMIT 1",
        (domain,),
    )
    row = await cursor.fetchone()
    return str(row[0]) if row else None
