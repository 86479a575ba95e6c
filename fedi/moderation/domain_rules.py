"""Changing the instance's domain rules: blocks (with their effects on the accounts and follows
they cover), allows, and the allowlist switch. Each change is audited in the same transaction
and takes effect in this process at once (the policy snapshot is reloaded); other processes
notice the bumped generation within seconds.

The admin API, the admin pages, CSV imports and blocklist subscriptions all come through here."""

from __future__ import annotations

from dataclasses import asdict

from fedi.context import Context
from fedi.core.models import Account, DomainAllow, DomainBlock
from fedi.core.timeutil import to_db, utcnow
from fedi.db import domain_accounts
from fedi.db import domain_rules as rules
from fedi.db.connection import Connection
from fedi.db.domain_rules import BlockFields
from fedi.moderation.audit import record
from fedi.transport.domains import DomainError, host_name, normalize_domain

SEVERITIES = ("noop", "silence", "suspend")
# What each severity puts on the accounts it covers (noop: nothing).
EFFECTS: dict[str, domain_accounts.Effect] = {"suspend": "suspended_at", "silence": "silenced_at"}
MAX_COMMENT = 1000


class DomainRuleError(Exception):
    """A rule that cannot be written; `code` names why (for pages), the message says it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def checked_domain(context: Context, text: str) -> str:
    try:
        domain = normalize_domain(text)
    except DomainError as exc:
        raise DomainRuleError("bad_domain", str(exc)) from None
    if domain == host_name(context.settings.domain):
        raise DomainRuleError("own_domain", "this server's own domain cannot be blocked")
    return domain


def checked_fields(fields: BlockFields) -> BlockFields:
    if fields.severity not in SEVERITIES:
        raise DomainRuleError("bad_severity", f"severity must be one of {', '.join(SEVERITIES)}")
    if max(len(fields.private_comment), len(fields.public_comment)) > MAX_COMMENT:
        raise DomainRuleError("comment_too_long", f"comments have at most {MAX_COMMENT} characters")
    return fields


def _apply_effects(
    conn: Connection, domain: str, old: DomainBlock | None, new: BlockFields | None, at: str
) -> None:
    """Move the covered accounts from the old rule's effect to the new one's."""
    old_severity = old.severity if old is not None else "noop"
    new_severity = new.severity if new is not None else "noop"
    if old_severity == new_severity:
        return
    if old is not None and (lifted := EFFECTS.get(old_severity)) is not None:
        domain_accounts.lift_stamp(conn, lifted, domain, to_db(old.severity_at))
    if (effect := EFFECTS.get(new_severity)) is not None:
        domain_accounts.stamp_accounts(conn, effect, domain, at)
    if new_severity == "suspend":
        domain_accounts.sever_follows(conn, domain)


async def block_domain(
    context: Context,
    actor: Account | None,
    text: str,
    fields: BlockFields,
    *,
    source: str = "manual",
    source_detail: str = "",
    reason: str = "",
) -> DomainBlock:
    """Block a domain, or change the existing block of exactly that domain."""
    domain = checked_domain(context, text)
    fields = checked_fields(fields)
    now = to_db(utcnow())

    def write(conn: Connection) -> int:
        old = rules.get_block_now(conn, domain)
        if old is None:
            block_id = rules.insert_block(
                conn,
                domain,
                fields,
                source=source,
                source_detail=source_detail,
                created_by_id=actor.id if actor else None,
                now=now,
            )
            action = "create_domain_block"
        else:
            block_id = old.id
            rules.update_block(conn, block_id, fields, now)
            action = "update_domain_block"
        _apply_effects(conn, domain, old, fields, now)
        record(
            conn,
            actor,
            action,
            target_type="domain_block",
            target_id=block_id,
            target_label=domain,
            reason=reason,
            details=asdict(fields) | {"source": source, "source_detail": source_detail},
            now=now,
        )
        return block_id

    block_id = await context.db.write(write)
    await context.policy.reload(context.db)
    async with context.db.read() as conn:
        block = await rules.get_block(conn, block_id)
    assert block is not None
    return block


async def update_block(
    context: Context, actor: Account | None, block: DomainBlock, fields: BlockFields
) -> DomainBlock:
    return await block_domain(
        context, actor, block.domain, fields, source=block.source, source_detail=block.source_detail
    )


async def unblock_domain(
    context: Context, actor: Account | None, block: DomainBlock, *, reason: str = ""
) -> None:
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        if not rules.delete_block(conn, block.id, now):
            return
        _apply_effects(conn, block.domain, block, None, now)
        record(
            conn,
            actor,
            "destroy_domain_block",
            target_type="domain_block",
            target_id=block.id,
            target_label=block.domain,
            reason=reason,
            now=now,
        )

    await context.db.write(write)
    await context.policy.reload(context.db)


async def allow_domain(
    context: Context,
    actor: Account | None,
    text: str,
    *,
    source: str = "manual",
    source_detail: str = "",
) -> DomainAllow:
    domain = checked_domain(context, text)
    now = to_db(utcnow())

    def write(conn: Connection) -> int:
        allow_id = rules.insert_allow(
            conn,
            domain,
            source=source,
            source_detail=source_detail,
            created_by_id=actor.id if actor else None,
            now=now,
        )
        record(
            conn,
            actor,
            "create_domain_allow",
            target_type="domain_allow",
            target_id=allow_id,
            target_label=domain,
            now=now,
        )
        return allow_id

    allow_id = await context.db.write(write)
    await context.policy.reload(context.db)
    async with context.db.read() as conn:
        allow = await rules.get_allow(conn, allow_id)
    assert allow is not None
    return allow


async def disallow_domain(context: Context, actor: Account | None, allow: DomainAllow) -> None:
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        if rules.delete_allow(conn, allow.id, now):
            record(
                conn,
                actor,
                "destroy_domain_allow",
                target_type="domain_allow",
                target_id=allow.id,
                target_label=allow.domain,
                now=now,
            )

    await context.db.write(write)
    await context.policy.reload(context.db)


async def set_allowlist_mode(context: Context, actor: Account | None, on: bool) -> None:
    """Switch limited federation on or off, at once, without a restart."""
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        rules.set_setting(conn, rules.ALLOWLIST_MODE, "on" if on else "off", now)
        record(
            conn,
            actor,
            "change_federation_mode",
            target_type="instance",
            target_id=None,
            target_label="allowlist" if on else "open",
            now=now,
        )

    await context.db.write(write)
    await context.policy.reload(context.db)


SHOW_DOMAIN_BLOCKS = "show_domain_blocks"
SHOW_CHOICES = ("all", "users", "none")
SEVERITY_RANK = {"noop": 0, "silence": 1, "suspend": 2}


def weakens(old: DomainBlock, new: BlockFields) -> bool:
    """Whether writing `new` over `old` would lift anything `old` imposes."""
    return (
        SEVERITY_RANK[new.severity] < SEVERITY_RANK[old.severity]
        or (old.reject_media and not new.reject_media)
        or (old.reject_reports and not new.reject_reports)
    )


async def show_domain_blocks(context: Context) -> str:
    """Who may read the public blocklist: 'all', 'users' (signed in) or 'none'."""
    async with context.db.read() as conn:
        value = await rules.get_setting(conn, SHOW_DOMAIN_BLOCKS)
    return value if value in SHOW_CHOICES else "all"


async def set_show_domain_blocks(context: Context, actor: Account | None, value: str) -> None:
    if value not in SHOW_CHOICES:
        raise DomainRuleError(
            "bad_setting", f"show_domain_blocks is one of {', '.join(SHOW_CHOICES)}"
        )
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        rules.set_setting(conn, SHOW_DOMAIN_BLOCKS, value, now)
        record(
            conn,
            actor,
            "change_instance_setting",
            target_type="instance",
            target_id=None,
            target_label=SHOW_DOMAIN_BLOCKS,
            details={"value": value},
            now=now,
        )

    await context.db.write(write)
