"""The audit log of moderation: every action by an administrator or moderator (or by the
command line, or a blocklist subscription) is recorded in the same transaction as its effect,
with who, what, on what, when and why. Administrators read it."""

from __future__ import annotations

from typing import Any

from fedi.core.models import Account
from fedi.db import audit_log
from fedi.db.connection import Connection

# Actions, named as Mastodon's admin action log names them where one exists.
ACTIONS = (
    "create_domain_block", "update_domain_block", "destroy_domain_block",
    "create_domain_allow", "destroy_domain_allow", "change_federation_mode",
    "import_domain_blocks", "create_blocklist_subscription", "destroy_blocklist_subscription",
    "apply_blocklist_changes", "dismiss_blocklist_changes", "change_instance_setting",
    "assigned_to_self_report", "unassigned_report", "resolve_report", "reopen_report",
    "create_report_note", "forward_report", "update_report",
    "warn_account", "silence_account", "unsilence_account", "suspend_account",
    "unsuspend_account", "destroy_status", "change_role", "approve_user",
    "reject_user", "create_rule", "update_rule", "destroy_rule", "change_library_quota",
    "create_newsletter_issue", "update_newsletter_issue", "destroy_newsletter_issue",
    "publish_newsletter_issue",
)  # fmt: skip


def actor_label(actor: Account | None) -> str:
    """How the log names who acted: @name for a member, the command line otherwise."""
    if actor is None:
        return "command line"
    return f"@{actor.username}" if actor.domain is None else f"@{actor.username}@{actor.domain}"


def record(
    conn: Connection,
    actor: Account | None,
    action: str,
    *,
    target_type: str,
    target_id: int | None,
    target_label: str,
    now: str,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> int:
    """Write one entry inside the caller's transaction. `actor` None means the command line or
    the server itself (a subscription applying reviewed changes names its reviewer instead)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    return audit_log.insert(
        conn,
        account_id=actor.id if actor is not None else None,
        actor_label=actor_label(actor),
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label,
        reason=reason,
        details=details or {},
        now=now,
    )
