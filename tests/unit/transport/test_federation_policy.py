from __future__ import annotations

from fedi.context import Context
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, domain_rules
from fedi.db.domain_rules import BlockFields
from fedi.moderation.domain_rules import (
    DomainRuleError,
    allow_domain,
    block_domain,
    set_allowlist_mode,
    unblock_domain,
    update_block,
)
from fedi.transport.federation_policy import FederationPolicy


async def test_suspend_refuses_domain_and_subdomains(context: Context) -> None:
    await block_domain(context, None, "evil.example", BlockFields(severity="suspend"))
    assert context.policy.refuses("evil.example")
    assert context.policy.refuses("a.b.evil.example:8443")
    assert not context.policy.refuses("notevil.example")
    assert not context.policy.refuses("evil.example.org")


async def test_silence_limits_without_refusing(context: Context) -> None:
    await block_domain(context, None, "loud.example", BlockFields(severity="silence"))
    snapshot = context.policy.current
    assert snapshot.limits("x.loud.example") and not snapshot.refuses("loud.example")


async def test_http_client_refuses_blocked_hosts(context: Context) -> None:
    await block_domain(context, None, "evil.example", BlockFields(severity="suspend"))
    from fedi.transport.netguard import FetchError

    try:
        await context.http.get("https://www.evil.example/actor")
    except FetchError as exc:
        assert "blocked" in str(exc)
    else:
        raise AssertionError("a blocked host was fetched")


async def test_allowlist_mode_switches_at_run_time(context: Context) -> None:
    await allow_domain(context, None, "partner.example")
    assert not context.policy.refuses("stranger.example")
    await set_allowlist_mode(context, None, True)
    assert context.policy.refuses("stranger.example")
    assert not context.policy.refuses("social.partner.example")
    await set_allowlist_mode(context, None, False)
    assert not context.policy.refuses("stranger.example")


async def test_another_process_change_is_noticed(context: Context) -> None:
    other = FederationPolicy(clock=lambda: 1e9)  # as if its last check were long ago
    await other.reload(context.db)
    await block_domain(context, None, "evil.example", BlockFields(severity="suspend"))
    other._checked_at = float("-inf")
    assert (await other.refresh(context.db)).refuses("evil.example")


async def test_own_domain_cannot_be_blocked(context: Context) -> None:
    try:
        await block_domain(context, None, context.settings.domain, BlockFields(severity="suspend"))
    except DomainRuleError as exc:
        assert exc.code == "own_domain"
    else:
        raise AssertionError("own domain blocked")


async def _remote(context: Context, uri: str, domain: str) -> int:
    from fedi.core.ids import new_id

    account_id = new_id()
    now = to_db(utcnow())
    await context.db.write(
        lambda conn: conn.execute(
            "INSERT INTO accounts (id, uri, username, domain, actor_type, display_name, note,"
            " fields, created_at, updated_at) VALUES (?, ?, 'x', ?, 'Person', '', '', '[]', ?, ?)",
            (account_id, uri, domain, now, now),
        )
    )
    return account_id


async def test_lifting_a_suspension_restores_only_what_it_suspended(context: Context) -> None:
    covered = await _remote(context, "https://a.evil.example/u/x", "a.evil.example")
    already = await _remote(context, "https://evil.example/u/y", "evil.example")
    await context.db.write(
        lambda conn: accounts.set_suspended(conn, already, "2020-01-01T00:00:00.000000+00:00")
    )
    block = await block_domain(context, None, "evil.example", BlockFields(severity="suspend"))
    block = await update_block(
        context, None, block, BlockFields(severity="suspend", public_comment="spam")
    )
    async with context.db.read() as conn:
        found = await accounts.get_by_id(conn, covered)
        assert found is not None and found.is_suspended
    await unblock_domain(context, None, block)
    async with context.db.read() as conn:
        lifted = await accounts.get_by_id(conn, covered)
        kept = await accounts.get_by_id(conn, already)
        entries = await domain_rules.all_blocks(conn)
    assert lifted is not None and not lifted.is_suspended
    assert kept is not None and kept.is_suspended
    assert entries == []
    async with (
        context.db.read() as conn,
        conn.execute("SELECT action FROM audit_log ORDER BY id") as cursor,
    ):
        actions = [row["action"] for row in await cursor.fetchall()]
    assert actions == ["create_domain_block", "update_domain_block", "destroy_domain_block"]


async def test_a_remembered_refusal_does_not_outlive_the_rules_it_came_from(
    context: Context,
) -> None:
    assert not context.policy.refuses("evil.example")  # asked, and remembered, once
    await block_domain(context, None, "evil.example", BlockFields(severity="suspend"))
    assert context.policy.refuses("evil.example")
    assert context.policy.refusal("evil.example") == "federation with evil.example is blocked"
