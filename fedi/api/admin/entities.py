"""Mastodon's AdminAccount and AdminReport entities, as the admin API answers them."""

from __future__ import annotations

from typing import Any

from fedi.api.entities import account_json, status_entity
from fedi.api.reports import report_fields
from fedi.context import Context
from fedi.core.models import User
from fedi.core.timeutil import to_api
from fedi.db import admin_accounts, statuses
from fedi.db.admin_accounts import StaffView
from fedi.db.reports import Report
from fedi.statuses.batch import load

# Mastodon's built-in roles (ids and permission bits of 4.x's UserRole defaults).
ROLE_ENTITIES = {
    "member": {"id": "-99", "name": "", "color": "", "permissions": "65536", "highlighted": False},
    "moderator": {"id": "1", "name": "Moderator", "color": "", "permissions": "1308",
                  "highlighted": True},
    "admin": {"id": "2", "name": "Admin", "color": "", "permissions": "983036",
              "highlighted": True},
}  # fmt: skip


async def admin_account_json(context: Context, view: StaffView) -> dict[str, Any]:
    account = view.account
    return {
        "id": str(account.id),
        "username": account.username,
        "domain": account.domain,
        "created_at": to_api(account.created_at),
        "email": view.email or "",
        "ip": None,
        "ips": [],
        "locale": view.locale or "",
        "invite_request": view.sign_up_reason or None,
        "role": ROLE_ENTITIES[view.role or "member"] if account.is_local else None,
        "confirmed": view.is_confirmed,
        "approved": view.is_approved,
        "disabled": False,
        "silenced": account.silenced_at is not None,
        "suspended": account.is_suspended,
        "sensitized": False,
        "account": await account_json(context, account),
        "created_by_application_id": (
            str(view.created_by_app_id) if view.created_by_app_id else None
        ),
        "invited_by_account_id": None,
    }


async def admin_account_by_id(context: Context, account_id: int | None) -> dict[str, Any] | None:
    if account_id is None:
        return None
    async with context.db.read() as conn:
        view = await admin_accounts.get(conn, account_id)
    return await admin_account_json(context, view) if view else None


async def admin_report_json(context: Context, report: Report, viewer: User) -> dict[str, Any]:
    async with context.db.read() as conn:
        known = await statuses.get_many(conn, report.status_ids)
    found = [known[s] for s in report.status_ids if s in known]
    batch = await load(context, found, viewer.account)
    return report_fields(report) | {
        "updated_at": to_api(report.updated_at),
        "account": await admin_account_by_id(context, report.account_id),
        "target_account": await admin_account_by_id(context, report.target_account_id),
        "assigned_account": await admin_account_by_id(context, report.assigned_account_id),
        "action_taken_by_account": await admin_account_by_id(
            context, report.action_taken_by_account_id
        ),
        # Moderators see the reported posts whatever their visibility: that is their job.
        "statuses": [status_entity(context, batch, s, viewer) for s in found],
        "rules": [],
    }
