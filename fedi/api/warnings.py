"""Mastodon 4.3's AccountWarning entity, carried by a `moderation_warning` notification."""

from __future__ import annotations

from typing import Any

from fedi.api.entities import account_json
from fedi.context import Context
from fedi.core.timeutil import to_api
from fedi.db import account_warnings, accounts
from fedi.db.account_warnings import AccountWarning


async def account_warning_json(context: Context, warning: AccountWarning) -> dict[str, Any]:
    async with context.db.read() as conn:
        target = await accounts.get_by_id(conn, warning.target_account_id)
    return {
        "id": str(warning.id),
        "action": warning.action,
        "text": warning.text,
        "status_ids": [str(s) for s in warning.status_ids] or None,
        "target_account": await account_json(context, target) if target else None,
        "appeal": None,
        "created_at": to_api(warning.created_at),
    }


async def warning_json(context: Context, notification_id: int) -> dict[str, Any] | None:
    async with context.db.read() as conn:
        warning = await account_warnings.of_notification(conn, notification_id)
    return await account_warning_json(context, warning) if warning else None
