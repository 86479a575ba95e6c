"""SQL applying a domain rule to the remote accounts it covers: suspending or limiting them all
when a domain is blocked (stamped with the block's time, so that lifting the block restores
exactly those, as Mastodon's UnblockDomainService does), and ending follows both ways."""

from __future__ import annotations

import sqlite3

# accounts.domain may carry a port (alice.test:8001); a rule for d covers d, its ports, and
# every subdomain on a label boundary (compared exactly, never with LIKE and its wildcards).
_HOST = (
    "(CASE WHEN instr(a.domain, ':') > 0 THEN lower(substr(a.domain, 1, instr(a.domain, ':') - 1))"
    " ELSE lower(a.domain) END)"
)
_COVERS = f"({_HOST} = :d OR substr({_HOST}, -length(:d) - 1) = '.' || :d)"


def suspend_accounts(conn: sqlite3.Connection, domain: str, at: str) -> int:
    return conn.execute(
        f"UPDATE accounts AS a SET suspended_at = :at WHERE a.domain IS NOT NULL"
        f" AND a.suspended_at IS NULL AND {_COVERS}",
        {"d": domain, "at": at},
    ).rowcount


def unsuspend_accounts(conn: sqlite3.Connection, domain: str, at: str) -> int:
    return conn.execute(
        f"UPDATE accounts AS a SET suspended_at = NULL WHERE a.domain IS NOT NULL"
        f" AND a.suspended_at = :at AND {_COVERS}",
        {"d": domain, "at": at},
    ).rowcount


def silence_accounts(conn: sqlite3.Connection, domain: str, at: str) -> int:
    return conn.execute(
        f"UPDATE accounts AS a SET silenced_at = :at WHERE a.domain IS NOT NULL"
        f" AND a.silenced_at IS NULL AND {_COVERS}",
        {"d": domain, "at": at},
    ).rowcount


def unsilence_accounts(conn: sqlite3.Connection, domain: str, at: str) -> int:
    return conn.execute(
        f"UPDATE accounts AS a SET silenced_at = NULL WHERE a.domain IS NOT NULL"
        f" AND a.silenced_at = :at AND {_COVERS}",
        {"d": domain, "at": at},
    ).rowcount


def sever_follows(conn: sqlite3.Connection, domain: str) -> int:
    """Delete every follow (and follow request) between an account of the domain and anyone."""
    return conn.execute(
        "DELETE FROM follows WHERE follower_id IN (SELECT a.id FROM accounts AS a WHERE"
        f" a.domain IS NOT NULL AND {_COVERS}) OR followed_id IN (SELECT a.id FROM accounts AS a"
        f" WHERE a.domain IS NOT NULL AND {_COVERS})",
        {"d": domain},
    ).rowcount


def stamp_new_account(
    conn: sqlite3.Connection, account_id: int, *, silenced_at: str | None, suspended_at: str | None
) -> None:
    """An account first stored while its domain is silenced or suspended takes the block's
    stamp, as if it had been there when the block was made (lifting it restores it too)."""
    conn.execute(
        "UPDATE accounts SET silenced_at = COALESCE(silenced_at, ?),"
        " suspended_at = COALESCE(suspended_at, ?) WHERE id = ?",
        (silenced_at, suspended_at, account_id),
    )
