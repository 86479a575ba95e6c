"""Blocklist subscriptions: following a partner server's published blocklist (Mastodon's public
/api/v1/instance/domain_blocks JSON, or a CSV in Mastodon's export format) by URL.

Each fetch (regularly, or when a moderator asks) compares the partner's list with what
moderators already decided about this subscription; the differences wait as pending changes
(add, update, remove) until a moderator applies or dismisses them. Applied blocks carry source
'subscription' and the URL. A partner lifting a domain only ever proposes removing a block this
subscription wrote: manual and imported blocks are never touched. Entries the partner publishes
obfuscated (digest only) are listed as not importable. Every step is audited."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from fedi.context import Context
from fedi.core.models import Account
from fedi.core.timeutil import to_db, utcnow
from fedi.db import blocklists as db
from fedi.db import domain_rules as rules
from fedi.db.blocklists import Listed, Pending, Subscription
from fedi.db.connection import Connection
from fedi.moderation.audit import record
from fedi.moderation.blocklist_format import BlocklistError, parse_published
from fedi.moderation.blocklist_import import fields_of
from fedi.moderation.domain_rules import DomainRuleError, block_domain, unblock_domain
from fedi.transport.netguard import FetchError

log = logging.getLogger(__name__)
REFRESH_EVERY = "blocklist_refresh_hours"
DEFAULT_HOURS = 24.0
MIN_HOURS, MAX_HOURS = 1.0, 168.0
MAX_URL = 2000


class SubscriptionError(Exception):
    """A subscription that cannot be made or fetched; the message says why."""


@dataclass(frozen=True)
class Refreshed:
    pending: int
    error: str = ""


def checked_url(text: str) -> str:
    url = text.strip()
    parts = urlsplit(url)
    if len(url) > MAX_URL or parts.scheme not in ("http", "https") or not parts.hostname:
        raise SubscriptionError("the blocklist address must be an http(s) URL")
    return url


async def subscribe(context: Context, actor: Account | None, text: str) -> int:
    url = checked_url(text)
    now = to_db(utcnow())

    def write(conn: Connection) -> int | None:
        sub_id = db.insert_subscription(conn, url, actor.id if actor else None, now)
        if sub_id is not None:
            record(conn, actor, "create_blocklist_subscription", target_type="blocklist",
                   target_id=sub_id, target_label=url, now=now)  # fmt: skip
        return sub_id

    sub_id = await context.db.write(write)
    if sub_id is None:
        raise SubscriptionError("this blocklist is already followed")
    return sub_id


async def unsubscribe(context: Context, actor: Account | None, sub: Subscription) -> None:
    """Stop following; the blocks it wrote stay (they are listed with their source)."""
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        if db.delete_subscription(conn, sub.id):
            record(conn, actor, "destroy_blocklist_subscription", target_type="blocklist",
                   target_id=sub.id, target_label=sub.url, now=now)  # fmt: skip

    await context.db.write(write)


def _changes(
    published: list[Listed], seen: dict[str, tuple[Listed, bool]]
) -> list[tuple[str, Listed]]:
    changes: list[tuple[str, Listed]] = []
    listed_now = {entry.domain: entry for entry in published}
    for domain, entry in listed_now.items():
        before = seen.get(domain)
        if before is None:
            changes.append(("add", entry))
        elif before[0] != entry:
            changes.append(("update" if before[1] else "add", entry))
    for domain, (entry, applied) in seen.items():
        if domain not in listed_now and applied:
            changes.append(("remove", entry))
    return changes


async def refresh(context: Context, sub: Subscription) -> Refreshed:
    """Fetch the partner's list once and turn its differences into pending changes."""
    now = to_db(utcnow())
    try:
        response = await context.http.get(sub.url, {"Accept": "application/json, text/csv"})
        response.raise_for_status()
        published, hidden = parse_published(response.body)
    except (FetchError, BlocklistError) as exc:
        error = str(exc)[:500] or "the blocklist could not be fetched"
        await context.db.write(lambda conn: db.set_fetched(conn, sub.id, now, error, []))
        return Refreshed(0, error)

    def write(conn: Connection) -> int:
        seen = db.entries_now(conn, sub.id)
        for domain, (_, applied) in list(seen.items()):
            if not applied and domain not in {e.domain for e in published}:
                db.delete_entry(conn, sub.id, domain)  # a dismissed entry the partner dropped
        changes = _changes(published, db.entries_now(conn, sub.id))
        db.replace_pending(conn, sub.id, changes, now)
        db.set_fetched(conn, sub.id, now, "", hidden)
        return len(changes)

    return Refreshed(await context.db.write(write))


async def refresh_all(context: Context) -> None:
    async with context.db.read() as conn:
        found = await db.subscriptions(conn)
    for sub in found:
        result = await refresh(context, sub)
        if result.error:
            log.warning("blocklist %s: %s", sub.url, result.error)


async def refresh_hours(context: Context) -> float:
    async with context.db.read() as conn:
        setting = await rules.get_setting(conn, REFRESH_EVERY)
    try:
        return min(max(float(setting or DEFAULT_HOURS), MIN_HOURS), MAX_HOURS)
    except ValueError:
        return DEFAULT_HOURS


async def set_refresh_hours(context: Context, actor: Account | None, text: str) -> None:
    """How often subscriptions are fetched, in hours (1 to 168); takes effect after the next."""
    try:
        hours = float(text)
    except ValueError:
        raise SubscriptionError("the interval is a number of hours") from None
    if not MIN_HOURS <= hours <= MAX_HOURS:
        raise SubscriptionError(f"the interval is {MIN_HOURS:g} to {MAX_HOURS:g} hours")
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        rules.set_setting(conn, REFRESH_EVERY, f"{hours:g}", now)
        record(conn, actor, "change_instance_setting", target_type="instance", target_id=None,
               target_label=REFRESH_EVERY, details={"value": hours}, now=now)  # fmt: skip

    await context.db.write(write)


async def refresh_regularly(context: Context, stop: asyncio.Event) -> None:
    """The background fetch of every subscription, every `blocklist_refresh_hours` (24)."""
    while not stop.is_set():
        hours = DEFAULT_HOURS
        try:
            hours = await refresh_hours(context)
            await refresh_all(context)
        except Exception:  # a worker's top level: log it and try again next time
            log.exception("refreshing blocklist subscriptions failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), hours * 3600)


async def apply(context: Context, actor: Account | None, pending_id: int) -> str:
    """Apply one pending change; what was done ('blocked', 'kept', 'unblocked', 'gone')."""
    change = await context.db.write(lambda conn: db.take_pending(conn, pending_id))
    if change is None:
        return "gone"
    async with context.db.read() as conn:
        sub = await db.get_subscription(conn, change.subscription_id)
        existing = await rules.block_of(conn, change.listed.domain)
    assert sub is not None  # the pending row cascades with its subscription
    ours = existing is not None and (existing.source, existing.source_detail) == (
        "subscription", sub.url,
    )  # fmt: skip
    done = "kept"
    if change.kind == "remove":
        if existing is not None and ours:
            await unblock_domain(context, actor, existing, reason=f"lifted by {sub.url}")
            done = "unblocked"
        await context.db.write(lambda conn: db.delete_entry(conn, sub.id, change.listed.domain))
    else:
        if existing is None or ours:
            try:
                await block_domain(
                    context, actor, change.listed.domain, fields_of(change.listed, existing),
                    source="subscription", source_detail=sub.url, reason=f"listed by {sub.url}",
                )  # fmt: skip
                done = "blocked"
            except DomainRuleError:
                done = "kept"
        await context.db.write(lambda conn: db.set_entry(conn, sub.id, change.listed, True))
    await _audit(context, actor, "apply_blocklist_changes", sub, change, done)
    return done


async def dismiss(context: Context, actor: Account | None, pending_id: int) -> bool:
    """Dismiss one pending change: it is not proposed again until the partner changes it."""
    change = await context.db.write(lambda conn: db.take_pending(conn, pending_id))
    if change is None:
        return False
    async with context.db.read() as conn:
        sub = await db.get_subscription(conn, change.subscription_id)
    assert sub is not None

    def write(conn: Connection) -> None:
        if change.kind == "remove":
            db.delete_entry(conn, sub.id, change.listed.domain)
        elif change.kind == "add":
            db.set_entry(conn, sub.id, change.listed, False)
        else:  # an update dismissed: the applied block stays as it is, the new values are seen
            db.set_entry(conn, sub.id, change.listed, True)

    await context.db.write(write)
    await _audit(context, actor, "dismiss_blocklist_changes", sub, change, "dismissed")
    return True


async def _audit(
    context: Context, actor: Account | None, action: str, sub: Subscription, change: Pending,
    done: str,
) -> None:  # fmt: skip
    now = to_db(utcnow())
    details = {"url": sub.url, "kind": change.kind, "severity": change.listed.severity,
               "result": done}  # fmt: skip
    await context.db.write(
        lambda conn: record(conn, actor, action, target_type="blocklist", target_id=sub.id,
                            target_label=change.listed.domain, details=details, now=now)
    )  # fmt: skip
