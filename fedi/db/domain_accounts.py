"""SQL applying a domain rule to the remote accounts it covers: suspending or limiting them all
when a domain is blocked (stamped with the block's time, so that lifting the block restores
exactly those, as Mastodon's UnblockDomainService does), and ending follows both ways."""

from __future__ import annotations

from typing import Literal

from fedi.db.connection import Connection

# accounts.domain may carry a port (alice.test:8001); a rule for d covers d, its ports, and
# every subdomain on a label boundary (compared exactly, never with LIKE and its wildcards).
_HOST = (
    "(CASE WHEN instr(a.domain, ':') > 0 THEN lower(substr(a.domain, 1, instr(a.domain, ':') - 1))"
    " ELSE lower(a.domain) END)"
)
# The host's last len(d) + 1 characters, counted from its start (PostgreSQL's substr does not
# count from the end as SQLite's does for a negative start).
_COVERS = f"({_HOST} = :d OR substr({_HOST}, length({_HOST}) - length(:d)) = '.' || :d)"


# The two effects a block puts on accounts: suspended (suspend) and limited (silence).
Effect = Literal["suspended_at", "silenced_at"]


def stamp_accounts(conn: Connection, effect: Effect, domain: str, at: str) -> int:
    """Put the effect, stamped `at`, on every covered account that does not have it yet."""
    return conn.execute(
        f"UPDATE accounts AS a SET {effect} = :at WHERE a.domain IS NOT NULL"
        f" AND a.{effect} IS NULL AND {_COVERS}",
        {"d": domain, "at": at},
    ).rowcount


def lift_stamp(conn: Connection, effect: Effect, domain: str, at: str) -> int:
    """Take the effect away from the covered accounts that carry exactly the stamp `at`."""
    return conn.execute(
        f"UPDATE accounts AS a SET {effect} = NULL WHERE a.domain IS NOT NULL"
        f" AND a.{effect} = :at AND {_COVERS}",
        {"d": domain, "at": at},
    ).rowcount


def sever_follows(conn: Connection, domain: str) -> int:
    """Delete every follow (and follow request) between an account of the domain and anyone."""
    return conn.execute(
        "DELETE FROM follows WHERE follower_id IN (SELECT a.id FROM accounts AS a WHERE"
        f" a.domain IS NOT NULL AND {_COVERS}) OR followed_id IN (SELECT a.id FROM accounts AS a"
        f" WHERE a.domain IS NOT NULL AND {_COVERS})",
        {"d": domain},
    ).rowcount


def stamp_new_account(
    conn: Connection, account_id: int, *, silenced_at: str | None, suspended_at: str | None
) -> None:
    """An account first stored while its domain is silenced or suspended takes the block's
    stamp, as if it had been there when the block was made (lifting it restores it too)."""
    conn.execute(
        "UPDATE accounts SET silenced_at = COALESCE(silenced_at, ?),"
        " suspended_at = COALESCE(suspended_at, ?) WHERE id = ?",
        (silenced_at, suspended_at, account_id),
    )
