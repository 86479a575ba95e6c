"""Mastodon 4.3's AccountWarning entity, carried by a `moderation_warning` notification."""

from __future__ import annotations

from typing import Any

from fedi.api.entities import account_json
from fedi.context import Context
from fedi.core.timeutil import to_api
from fedi.db import accounts
from fedi.db.account_warnings import AccountWarning


async def account_warning_json(context: Context, warning: AccountWarning) -> dict[str, Any]:
    async with context.db.read() as conn:
        target = await accounts.get_by_id(conn, warning.target_account_id)
    return account_warning_entity(warning, await account_json(context, target) if target else None)


def account_warning_entity(
    warning: AccountWarning, target: dict[str, Any] | None
) -> dict[str, Any]:
    """The AccountWarning entity, its target account rendered already."""
    return {
        "id": str(warning.id),
        "action": warning.action,
        "text": warning.text,
        "status_ids": [str(s) for s in warning.status_ids] or None,
        "target_account": target,
        "appeal": None,
        "created_at": to_api(warning.created_at),
    }
