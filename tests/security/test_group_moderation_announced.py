"""FEP-1b12: a public group announces its moderators' bans and moderator changes to its
followers (Lemmy's Block{target: group}, Add/Remove on the moderators collection); a private
group announces nothing of its moderation."""

from __future__ import annotations

from typing import Any

from fedi.accounts.members import add_member, get_member
from fedi.groups import moderation
from fedi.groups.groups import create_group
from tests.testrig.groups import account_of, follow_of, queued
from tests.testrig.rig import BASE, Rig

SHARED_INBOX = f"{BASE}/inbox"


def announced(sent: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [a for a in sent if a["type"] == "Announce" and a["object"]["type"] == kind]


async def test_public_group_announces_bans_and_moderator_changes(rig: Rig) -> None:
    group = await create_group(rig.context, "forum", "alice")
    await add_member(rig.context, "nina", "password-nina")
    ana = rig.other.actor("ana")
    await rig.post(ana, follow_of(ana, group.account.uri), url=SHARED_INBOX)
    await rig.process()
    owner = await get_member(rig.context, "alice")
    member = await account_of(rig.context, ana)
    before = len(await queued(rig.context))
    await moderation.add_moderator(rig.context, group, owner, "nina")
    await moderation.ban(rig.context, group, owner, member.id, "spam")
    sent = (await queued(rig.context))[before:]
    [ban] = announced(sent, "Block")
    assert ban["actor"] == group.account.uri
    assert ban["object"]["object"] == ana.uri and ban["object"]["target"] == group.account.uri
    assert ban["object"]["summary"] == "spam"
    [added] = announced(sent, "Add")
    assert added["object"]["target"] == f"{group.account.uri}/moderators"
    assert "https://www.w3.org/ns/activitystreams#Public" in ban["to"]


async def test_private_group_announces_no_moderation(rig: Rig) -> None:
    group = await create_group(rig.context, "casework", "alice", is_private=True)
    await add_member(rig.context, "nina", "password-nina")
    owner = await get_member(rig.context, "alice")
    before = len(await queued(rig.context))
    await moderation.add_moderator(rig.context, group, owner, "nina")
    sent = (await queued(rig.context))[before:]
    assert [a for a in sent if a["type"] == "Announce"] == []
