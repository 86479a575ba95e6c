"""SQL for push_subscriptions: one Web Push subscription per access token (fedi.push)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from fedi.db.connection import Connection, Reader, Row


@dataclass(frozen=True)
class Subscription:
    id: int
    token_id: int
    account_id: int
    endpoint: str
    p256dh: str
    auth: str
    is_standard: bool
    alerts: dict[str, bool]
    policy: str
    sealed_token: bytes


_COLUMNS = (
    "id, token_id, account_id, endpoint, p256dh, auth, is_standard, alerts, policy, sealed_token"
)


def _subscription(row: Row) -> Subscription:
    alerts = json.loads(str(row[7]))
    return Subscription(
        int(row[0]), int(row[1]), int(row[2]), str(row[3]), str(row[4]), str(row[5]),
        bool(row[6]), {str(k): bool(v) for k, v in alerts.items()}, str(row[8]),
        bytes(row[9]),
    )  # fmt: skip


def replace(conn: Connection, subscription: Subscription, now: str) -> None:
    """The token's subscription, in place of any it had (Mastodon: one per token)."""
    conn.execute("DELETE FROM push_subscriptions WHERE token_id = ?", (subscription.token_id,))
    conn.execute(
        f"INSERT INTO push_subscriptions ({_COLUMNS}, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (subscription.id, subscription.token_id, subscription.account_id, subscription.endpoint,
         subscription.p256dh, subscription.auth, int(subscription.is_standard),
         json.dumps(subscription.alerts, sort_keys=True), subscription.policy,
         subscription.sealed_token, now),
    )  # fmt: skip


async def of_token(conn: Reader, token_id: int) -> Subscription | None:
    cursor = await conn.execute(
        f"SELECT {_COLUMNS} FROM push_subscriptions WHERE token_id = ?", (token_id,)
    )
    row = await cursor.fetchone()
    return _subscription(row) if row else None


async def get(conn: Reader, subscription_id: int) -> Subscription | None:
    cursor = await conn.execute(
        f"SELECT {_COLUMNS} FROM push_subscriptions WHERE id = ?", (subscription_id,)
    )
    row = await cursor.fetchone()
    return _subscription(row) if row else None


async def get_many(conn: Reader, ids: list[int]) -> dict[int, Subscription]:
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    cursor = await conn.execute(
        f"SELECT {_COLUMNS} FROM push_subscriptions WHERE id IN ({marks})", ids
    )
    return {row[0]: _subscription(row) for row in await cursor.fetchall()}


def update_data(conn: Connection, token_id: int, alerts: dict[str, bool], policy: str) -> int:
    return conn.execute(
        "UPDATE push_subscriptions SET alerts = ?, policy = ? WHERE token_id = ?",
        (json.dumps(alerts, sort_keys=True), policy, token_id),
    ).rowcount


def delete_of_token(conn: Connection, token_id: int) -> int:
    return conn.execute("DELETE FROM push_subscriptions WHERE token_id = ?", (token_id,)).rowcount


def delete(conn: Connection, subscription_id: int) -> int:
    """The push service says the subscription is gone: it goes, with its queued pushes."""
    return conn.execute("DELETE FROM push_subscriptions WHERE id = ?", (subscription_id,)).rowcount
