"""Moderating a group: answering join requests, removing and banning members, naming moderators
and changing settings, through the functions and through the moderators' pages (signed in, with
CSRF); and with a member on another server, over real signed HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from fedi.accounts.members import add_member, get_member
from fedi.context import Context
from fedi.core.models import Group, User
from fedi.db import accounts, follows, interactions, outbox_activities
from fedi.db import groups as group_rows
from fedi.groups import moderation
from fedi.groups import settings as group_settings
from fedi.groups.groups import create_group, get_group
from fedi.groups.moderation import ModerationError, NotAllowed
from fedi.relationships.relationships import follow
from tests.testrig.group_web import (
    BROWSER,
    assert_translated,
    remote_account,
    remote_join_request,
    sign_in,
    submit,
)
from tests.testrig.instances import Instance, federation, settle

SECTIONS = ("", "/requests", "/members", "/bans", "/moderators", "/log")


@pytest.fixture
async def olga(context: Context) -> User:
    return await add_member(context, "olga", "password-olga")


@pytest.fixture
async def mia(context: Context) -> User:
    return await add_member(context, "mia", "password-mia")


@pytest.fixture
async def nils(context: Context) -> User:
    return await add_member(context, "nils", "password-nils")


@pytest.fixture
async def casework(context: Context, olga: User) -> Group:
    return await create_group(context, "casework", "olga", is_private=True)


async def state_of(context: Context, group: Group, account_id: int) -> str | None:
    async with context.db.read() as conn:
        return await group_rows.membership(conn, group.id, account_id)


async def queued(context: Context) -> list[dict[str, Any]]:
    async with context.db.read() as conn:
        return [json.loads(row.body) for row in await outbox_activities.pending(conn, 100)]


async def log_actions(context: Context, group: Group) -> list[str]:
    async with context.db.read() as conn:
        return [e.action for e in reversed(await group_rows.log_entries(conn, group.id))]


# -- the functions -----------------------------------------------------------------------------


async def test_approving_a_local_request_makes_a_member_and_tells_them(
    context: Context, casework: Group, olga: User, mia: User
) -> None:
    assert await follow(context, "mia", casework.account) == "pending"
    result = await moderation.approve(context, casework, olga, mia.account.id)
    assert result.first_on_domain is False and result.activity is None
    assert await state_of(context, casework, mia.account.id) == "accepted"
    async with context.db.read() as conn:
        notes = await interactions.notifications_of(conn, mia.account.id)
        log = await group_rows.log_entries(conn, casework.id)
    assert (moderation.JOIN_ACCEPTED, casework.id) in notes
    assert log[0].action == "approve" and log[0].actor_id == olga.account.id
    assert log[0].target_account_id == mia.account.id
    with pytest.raises(ModerationError) as again:
        await moderation.approve(context, casework, olga, mia.account.id)
    assert again.value.code == "no_request"
    assert await queued(context) == []  # nothing leaves the server for a local member


async def test_first_member_from_a_server_is_flagged_and_accepted_by_activity(
    context: Context, casework: Group, olga: User
) -> None:
    ana = await remote_account(context, "ana", "partner.example.org")
    ben = await remote_account(context, "ben", "partner.example.org")
    follow_uri = await remote_join_request(context, ana, casework)
    await remote_join_request(context, ben, casework)
    first = await moderation.approve(context, casework, olga, ana.id)
    second = await moderation.approve(context, casework, olga, ben.id)
    assert first.first_on_domain and not second.first_on_domain
    accept = next(a for a in await queued(context) if a["type"] == "Accept")
    assert accept["actor"] == casework.account.uri
    assert accept["to"] == [ana.uri]
    assert isinstance(accept["object"], dict)
    assert accept["object"]["id"] == follow_uri
    assert accept["object"]["object"] == casework.account.uri
    async with context.db.read() as conn:
        entries = await group_rows.log_entries(conn, casework.id)
    assert [(e.action, e.target_domain) for e in entries[:2]] == [
        ("approve", "partner.example.org"),
        ("approve_new_domain", "partner.example.org"),
    ]


async def test_rejecting_removing_and_banning_end_the_follow_with_reject(
    context: Context, casework: Group, olga: User
) -> None:
    ana = await remote_account(context, "ana", "partner.example.org")
    ben = await remote_account(context, "ben", "partner.example.org")
    cy = await remote_account(context, "cy", "partner.example.org")
    for account in (ana, ben, cy):
        await remote_join_request(context, account, casework)
    await moderation.reject(context, casework, olga, ana.id)
    await moderation.approve(context, casework, olga, ben.id)
    await moderation.remove_member(context, casework, olga, ben.id, "off topic")
    banned = await moderation.ban(context, casework, olga, cy.id, "spam")
    assert banned.activity is None  # a private group's moderation is not announced
    for account in (ana, ben, cy):
        assert await state_of(context, casework, account.id) is None
    rejects = [a for a in await queued(context) if a["type"] == "Reject"]
    assert sorted(r["to"][0] for r in rejects) == sorted([ana.uri, ben.uri, cy.uri])
    async with context.db.read() as conn:
        bans = await group_rows.bans(conn, casework.id)
        entries = await group_rows.log_entries(conn, casework.id)
    assert [(b.account.id, b.reason) for b in bans] == [(cy.id, "spam")]
    assert [(e.action, e.detail) for e in entries[:3]] == [
        ("ban", "spam"), ("remove", "off topic"), ("approve_new_domain", ""),
    ]  # fmt: skip
    # A banned account's later request cannot be approved; unbanning lets it ask again.
    await remote_join_request(context, cy, casework)
    with pytest.raises(ModerationError) as refused:
        await moderation.approve(context, casework, olga, cy.id)
    assert refused.value.code == "banned"
    await moderation.unban(context, casework, olga, cy.id)
    await moderation.approve(context, casework, olga, cy.id)
    assert await state_of(context, casework, cy.id) == "accepted"


async def test_only_moderators_and_server_staff_may_act(
    context: Context, casework: Group, olga: User, mia: User, nils: User
) -> None:
    await follow(context, "mia", casework.account)
    with pytest.raises(NotAllowed):
        await moderation.approve(context, casework, nils, mia.account.id)
    with pytest.raises(NotAllowed):
        await group_settings.update_settings(
            context, casework, nils, display_name="Taken over", description=""
        )
    with pytest.raises(NotAllowed):
        await moderation.add_moderator(context, casework, nils, "nils")
    admin = await add_member(context, "ada", "password-ada", role="admin")
    await moderation.approve(context, casework, admin, mia.account.id)
    assert await state_of(context, casework, mia.account.id) == "accepted"


async def test_moderators_are_named_by_the_owner_or_an_admin(
    context: Context, casework: Group, olga: User, mia: User, nils: User
) -> None:
    ana = await remote_account(context, "ana", "partner.example.org")
    added = await moderation.add_moderator(context, casework, olga, "@mia")
    assert added.activity is None
    await moderation.add_moderator(context, casework, olga, "@ana@partner.example.org")
    for handle, code in [
        ("@ghost@unknown.example.org", "unknown_account"),  # not fetched: unknown stays unknown
        ("casework", "unknown_account"),  # a group is not a moderator
        ("@mia@fedi.test", "already_moderator"),
        ("not a handle@", "bad_handle"),
    ]:
        with pytest.raises(ModerationError) as refused:
            await moderation.add_moderator(context, casework, olga, handle)
        assert refused.value.code == code, handle
    # A moderator (not the owner) moderates, but does not name moderators.
    with pytest.raises(ModerationError) as owner_only:
        await moderation.add_moderator(context, casework, mia, "nils")
    assert owner_only.value.code == "owner_only"
    with pytest.raises(ModerationError) as is_owner:
        await moderation.remove_moderator(context, casework, olga, olga.account.id)
    assert is_owner.value.code == "is_owner"
    with pytest.raises(ModerationError) as is_moderator:
        await moderation.ban(context, casework, mia, olga.account.id, "coup")
    assert is_moderator.value.code == "is_moderator"
    await moderation.remove_moderator(context, casework, olga, ana.id)
    admin = await add_member(context, "ada", "password-ada", role="admin")
    await moderation.remove_moderator(context, casework, admin, mia.account.id)
    async with context.db.read() as conn:
        mods = await group_rows.moderators(conn, casework.id)
    assert [(m.account.username, m.role) for m in mods] == [("olga", "owner")]
    assert (await log_actions(context, casework))[-4:] == [
        "add_moderator", "add_moderator", "remove_moderator", "remove_moderator",
    ]  # fmt: skip


async def test_public_group_keeps_the_activities_to_announce(
    context: Context, olga: User, mia: User, nils: User
) -> None:
    forum = await create_group(context, "forum", "olga")
    await follow(context, "mia", forum.account)
    banned = await moderation.ban(context, forum, olga, mia.account.id, "spam")
    assert banned.activity is not None and banned.activity["type"] == "Block"
    assert banned.activity["target"] == forum.account.uri
    assert banned.activity["object"] == mia.account.uri
    added = await moderation.add_moderator(context, forum, olga, "nils")
    assert added.activity is not None and added.activity["type"] == "Add"
    assert added.activity["target"] == f"{forum.account.uri}/moderators"
    settings = await group_settings.update_settings(
        context, forum, olga, display_name="Forum", description=""
    )
    assert settings.activity is not None and settings.activity["type"] == "Update"


async def test_settings_are_checked_sanitised_and_sent_as_update(
    context: Context, casework: Group, olga: User
) -> None:
    ana = await remote_account(context, "ana", "partner.example.org")
    await remote_join_request(context, ana, casework)
    await moderation.approve(context, casework, olga, ana.id)
    with pytest.raises(ModerationError) as too_long:
        await group_settings.update_settings(
            context, casework, olga, display_name="x" * 101, description=""
        )
    assert too_long.value.code == "name_too_long"
    await group_settings.update_settings(
        context, casework, olga, display_name="Casework", partners_only=False,
        description="Case files <script>alert(1)</script> https://example.org/x",
    )  # fmt: skip
    fresh = await get_group(context, "casework")
    assert fresh.account.display_name == "Casework" and not fresh.partners_only
    assert "<script>" not in fresh.account.note
    assert "&lt;script&gt;" in fresh.account.note
    assert 'href="https://example.org/x"' in fresh.account.note
    update = next(a for a in await queued(context) if a["type"] == "Update")
    assert update["object"]["type"] == "Group" and update["object"]["name"] == "Casework"
    for bad in ("not a host", "https://x.example/path", "", "a..b"):
        with pytest.raises(ModerationError):
            await group_settings.add_partner_domain(context, casework, olga, bad)
    await group_settings.add_partner_domain(context, casework, olga, "Partner.Example.org")
    async with context.db.read() as conn:
        assert await group_rows.partner_domains(conn, casework.id) == ["partner.example.org"]
    await group_settings.remove_partner_domain(context, casework, olga, "partner.example.org")
    with pytest.raises(ModerationError):
        await group_settings.remove_partner_domain(context, casework, olga, "partner.example.org")


# -- the pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["en", "fr", "ar", "de", "pt"])
async def test_every_manage_page_renders_for_a_moderator_in_each_language(
    client: httpx.AsyncClient, context: Context, casework: Group, olga: User, code: str
) -> None:
    ana = await remote_account(context, "ana", "partner.example.org")
    await remote_join_request(context, ana, casework)
    await sign_in(client, "olga", "password-olga")
    for section in SECTIONS:
        page = await client.get(f"/@casework/manage{section}?lang={code}", headers=BROWSER)
        assert page.status_code == 200, section
        assert f'<html lang="{code}" dir="{"rtl" if code == "ar" else "ltr"}">' in page.text
        assert 'name="csrf_token"' in page.text or section == "/log"
        assert_translated(page.text, code)


async def test_manage_pages_need_a_moderator_and_hide_the_group_from_others(
    client: httpx.AsyncClient, context: Context, casework: Group, nils: User
) -> None:
    anonymous = await client.get("/@casework/manage/requests", headers=BROWSER)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/auth/sign_in?next=")
    await sign_in(client, "nils", "password-nils")
    for section in SECTIONS:
        hidden = await client.get(f"/@casework/manage{section}", headers=BROWSER)
        missing = await client.get(f"/@nogroupx/manage{section}", headers=BROWSER)
        assert hidden.status_code == missing.status_code == 404
        assert hidden.text == missing.text.replace("nogroupx", "casework")
        as_json = await client.get(f"/@casework/manage{section}")
        assert as_json.json() == (await client.get(f"/@nogroupx/manage{section}")).json()
    post = await client.post(
        "/@casework/manage/requests/approve", data={"account_id": "1"},
        headers=BROWSER,
    )  # fmt: skip
    assert post.status_code in (403, 404)


async def test_requests_page_warns_of_a_new_server_and_approves_with_csrf(
    client: httpx.AsyncClient, context: Context, casework: Group, olga: User
) -> None:
    ana = await remote_account(context, "ana", "partner.example.org")
    await remote_join_request(context, ana, casework)
    await sign_in(client, "olga", "password-olga")
    page = await client.get("/@casework/manage/requests?lang=en", headers=BROWSER)
    assert "the administrators of partner.example.org will be able to read everything" in page.text
    assert "@ana@partner.example.org" in page.text
    forged = await client.post(
        "/@casework/manage/requests/approve",
        data={"csrf_token": "forged-token-forged-token", "account_id": str(ana.id)},
        headers=BROWSER,
    )  # fmt: skip
    assert forged.status_code == 403
    assert await state_of(context, casework, ana.id) == "pending"
    done = await submit(client, "/@casework/manage/requests/approve", {"account_id": str(ana.id)})
    assert done.status_code == 303
    assert done.headers["location"] == "/@casework/manage/requests?done=approved_new_domain"
    assert await state_of(context, casework, ana.id) == "accepted"
    after = await client.get(done.headers["location"] + "&lang=de", headers=BROWSER)
    assert "partner.example.org" not in after.text  # no longer waiting
    members = await client.get("/@casework/manage/members?lang=en", headers=BROWSER)
    assert "@ana@partner.example.org" in members.text


async def test_members_bans_and_moderators_pages_act(
    client: httpx.AsyncClient, context: Context, casework: Group, olga: User, mia: User
) -> None:
    await follow(context, "mia", casework.account)
    await moderation.approve(context, casework, olga, mia.account.id)
    await sign_in(client, "olga", "password-olga")
    ban = await submit(
        client, "/@casework/manage/members/ban",
        {"account_id": str(mia.account.id), "reason": "leaked a document"},
    )  # fmt: skip
    assert ban.status_code == 303
    bans = await client.get("/@casework/manage/bans?lang=en", headers=BROWSER)
    assert "leaked a document" in bans.text and "@mia@fedi.test" in bans.text
    log = await client.get("/@casework/manage/log?lang=fr", headers=BROWSER)
    assert "leaked a document" in log.text
    unban = await submit(
        client, "/@casework/manage/bans/unban", {"account_id": str(mia.account.id)}
    )
    assert unban.headers["location"].endswith("?done=unbanned")
    added = await submit(client, "/@casework/manage/moderators/add", {"handle": "mia"})
    assert added.status_code == 303
    refused = await submit(
        client, "/@casework/manage/moderators/remove",
        {"account_id": str(olga.account.id)},
    )  # fmt: skip
    assert refused.status_code == 400
    # The lang cookie from the French log page still holds.
    assert "La personne propriétaire du groupe ne peut pas être retirée." in refused.text
    bad = await submit(client, "/@casework/manage/members/explode", {})
    assert bad.status_code == 404


async def test_settings_page_saves_and_keeps_typed_values_on_error(
    client: httpx.AsyncClient, context: Context, casework: Group, olga: User
) -> None:
    await sign_in(client, "olga", "password-olga")
    too_long = await submit(
        client, "/@casework/manage/settings/save",
        {"display_name": "N" * 150, "description": "kept text"},
    )  # fmt: skip
    assert too_long.status_code == 400
    assert "kept text" in too_long.text and "at most 100 characters" in too_long.text
    saved = await submit(
        client, "/@casework/manage/settings/save",
        {"display_name": "Case work", "description": "About cases"},
    )  # fmt: skip
    assert saved.status_code == 303
    group = await get_group(context, "casework")
    assert group.account.display_name == "Case work"
    assert not group.partners_only  # the box was not ticked
    partner = await submit(client, "/@casework/manage/settings/add_partner", {"domain": "bad host"})
    assert partner.status_code == 400
    assert "Write a server name like social.example.org." in partner.text


# -- across servers ----------------------------------------------------------------------------


async def follow_state(instance: Instance, username: str, followed_uri: str) -> str | None:
    async with instance.ctx.db.read() as conn:
        member = await accounts.get_local_actor(conn, username)
        target = await accounts.get_by_uri(conn, followed_uri)
        if member is None or target is None:
            return None
        found = await follows.get_follow(conn, member.id, target.id)
    return found[2] if found else None


async def test_remote_member_is_accepted_then_removed_over_signed_http(tmp_path: Path) -> None:
    async with federation(tmp_path, "groups", "home") as (g, h):
        olga = await add_member(g.ctx, "olga", "password-olga")
        await add_member(h.ctx, "bob", "password-bob")
        group = await create_group(g.ctx, "casework", "olga", is_private=True)
        await group_settings.add_partner_domain(g.ctx, group, olga, h.domain)
        assert await follow(h.ctx, "bob", g.handle("casework")) == "pending"
        await settle(g, h)
        async with g.ctx.db.read() as conn:
            requests = await group_rows.members(conn, group.id, "pending")
        assert [a.username for a in requests] == ["bob"]
        remote_bob = requests[0]
        approved = await moderation.approve(g.ctx, group, olga, remote_bob.id)
        assert approved.first_on_domain
        await settle(g, h)
        accept = next(r for r in h.received if r.activity.get("type") == "Accept")
        assert accept.activity["actor"] == group.account.uri
        assert f'keyId="{group.account.uri}#main-key"' in accept.headers["signature"]
        assert await follow_state(h, "bob", group.account.uri) == "accepted"
        # The members' servers hear of new settings.
        await group_settings.update_settings(
            g.ctx, group, olga, display_name="Casework team", description="Cases"
        )
        await settle(g, h)
        assert any(r.activity.get("type") == "Update" for r in h.received)
        await moderation.remove_member(g.ctx, group, olga, remote_bob.id, "left the project")
        await settle(g, h)
        reject = next(r for r in h.received if r.activity.get("type") == "Reject")
        assert reject.activity["object"]["actor"] == (await get_member(h.ctx, "bob")).account.uri
        assert await follow_state(h, "bob", group.account.uri) is None
