"""Mastodon members post to one of our private groups (captured payloads, tests/testrig/payloads,
readdressed to the group): a private mention of the group becomes the group's copy; a post that
also reaches the author's followers or the public (leak pitfalls 1 and 2), or a stranger's post,
is refused with a Reject (and, for a member, a message saying why), and kept nowhere."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fedi.accounts.members import add_member
from fedi.core.models import Account
from fedi.db import group_posts as group_post_rows
from fedi.db import outbox_activities, statuses
from fedi.federation.remote_accounts import get_actor
from fedi.groups.groups import create_group
from tests.testrig.fake_remote import RemoteActor
from tests.testrig.groups import accept_follow
from tests.testrig.rig import BASE, Rig

PAYLOADS = Path(__file__).resolve().parents[1] / "testrig" / "payloads" / "mastodon"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@dataclass
class Setting:
    rig: Rig
    group: Account
    member: RemoteActor
    stranger: RemoteActor

    def payload(self, name: str, actor: RemoteActor, **note: Any) -> dict[str, Any]:
        """A captured Mastodon Create, sent by `actor` and addressed to the group."""
        text = (PAYLOADS / name).read_text()
        text = text.replace("https://mastodon.example/users/alice", actor.uri)
        text = text.replace("https://mastodon.example", self.rig.evil.base)
        text = text.replace(f"{BASE}/users/alice", self.group.uri)
        text = text.replace(f"{BASE}/@alice", self.group.url or "")
        text = text.replace("@alice@fedi.test", "@casework@fedi.test")
        activity: dict[str, Any] = json.loads(text)
        activity["object"].update(note)
        activity["to"], activity["cc"] = activity["object"]["to"], activity["object"]["cc"]
        return activity

    async def send(self, actor: RemoteActor, activity: dict[str, Any]) -> None:
        response = await self.rig.post(actor, activity, url=f"{BASE}/inbox")
        assert response.status_code == 202, response.text
        while await self.rig.process():
            pass

    async def outgoing(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(activity, audience) of everything the server is about to send."""
        async with self.rig.context.db.read() as conn:
            rows = await outbox_activities.pending(conn, 100)
        return [(json.loads(row.body), row.audience) for row in rows]


@pytest.fixture
async def setting(rig: Rig) -> AsyncIterator[Setting]:
    await add_member(rig.context, "olga", "olga-password")
    group = await create_group(rig.context, "casework", "olga", is_private=True)
    member = rig.evil.actor("mia")
    stranger = rig.evil.actor("sam")
    account = await get_actor(rig.context, member.uri)
    await accept_follow(rig.context, account, group.account)
    yield Setting(rig, group.account, member, stranger)


async def test_a_private_mention_of_the_group_becomes_its_copy(setting: Setting) -> None:
    activity = setting.payload(
        "create_note_direct.json", setting.member, inReplyTo=None, inReplyToAtomUri=None
    )
    await setting.send(setting.member, activity)
    async with setting.rig.context.db.read() as conn:
        copy = await group_post_rows.copy_of_submission(conn, activity["object"]["id"])
    assert copy is not None and copy.visibility == "private"
    # Attributed to the member; Mastodon's leading "@casework" is not repeated in the copy.
    assert copy.content.startswith(f'<p><a href="{setting.member.uri}"')
    assert "casework" not in copy.content and "osefioesp" in copy.content
    [(sent, audience)] = await setting.outgoing()
    assert sent["type"] == "Create" and sent["object"]["id"] == copy.uri
    assert audience["members_of"] == setting.group.id


@pytest.mark.parametrize(
    "addressing",
    [
        # Mastodon's default for a reply to a followers-only post (pitfall 1).
        "followers",
        # A public post "to" the group (pitfall 2, mastodon#26690).
        "public",
        # A private mention of the group and of someone who is not a member.
        "outsider",
    ],
)
async def test_a_post_reaching_beyond_the_group_is_refused_and_explained(
    setting: Setting, addressing: str
) -> None:
    followers = f"{setting.member.uri}/followers"
    to, cc = {
        "followers": ([followers], [setting.group.uri]),
        "public": ([PUBLIC], [followers, setting.group.uri]),
        "outsider": ([setting.group.uri, "https://example.org/users/bob"], []),
    }[addressing]
    activity = setting.payload(
        "create_note_followers_only.json", setting.member, to=to, cc=cc,
        tag=[{"type": "Mention", "href": setting.group.uri}],
    )  # fmt: skip
    await setting.send(setting.member, activity)
    async with setting.rig.context.db.read() as conn:
        note_id = activity["object"]["id"]
        assert await group_post_rows.copy_of_submission(conn, note_id) is None
        assert await statuses.get_by_uri(conn, note_id) is None
    outgoing = await setting.outgoing()
    assert [a["type"] for a, _ in outgoing] == ["Reject", "Create"]
    (reject, reject_to), (message, message_to) = outgoing
    assert reject["object"]["id"] == activity["id"] and reject["to"] == [setting.member.uri]
    assert reject_to["inboxes"] == [setting.member.document["inbox"]]
    assert message["object"]["to"] == [setting.member.uri] and message["object"]["cc"] == []
    assert "addressed beyond the group" in message["object"]["content"]
    assert message_to["members_of"] is None and message_to["followers_of"] is None


async def test_a_strangers_post_gets_a_reject_only(setting: Setting) -> None:
    activity = setting.payload(
        "create_note_direct.json", setting.stranger, inReplyTo=None, inReplyToAtomUri=None
    )
    await setting.send(setting.stranger, activity)
    outgoing = await setting.outgoing()
    assert [a["type"] for a, _ in outgoing] == ["Reject"]
    async with setting.rig.context.db.read() as conn:
        assert await group_post_rows.copy_of_submission(conn, activity["object"]["id"]) is None


async def test_a_reply_outside_the_group_is_refused(setting: Setting) -> None:
    activity = setting.payload(
        "create_note_direct.json", setting.member, inReplyTo="https://example.org/notes/1"
    )
    await setting.send(setting.member, activity)
    outgoing = await setting.outgoing()
    assert [a["type"] for a, _ in outgoing] == ["Reject", "Create"]
    assert "not in this group" in outgoing[1][0]["object"]["content"]


async def test_a_local_only_group_does_not_answer_other_servers(rig: Rig) -> None:
    await add_member(rig.context, "olga", "olga-password")
    group = await create_group(rig.context, "shelter", "olga", is_private=True, is_local_only=True)
    actor = rig.evil.actor("mia")
    setting = Setting(rig, group.account, actor, actor)
    activity = setting.payload(
        "create_note_direct.json", actor, inReplyTo=None, inReplyToAtomUri=None,
        to=[group.account.uri],
    )  # fmt: skip
    await setting.send(actor, activity)
    assert await setting.outgoing() == []
    async with rig.context.db.read() as conn:
        assert await statuses.get_by_uri(conn, activity["object"]["id"]) is None


async def test_an_edit_that_widens_the_audience_is_refused(setting: Setting) -> None:
    activity = setting.payload(
        "create_note_direct.json", setting.member, inReplyTo=None, inReplyToAtomUri=None
    )
    await setting.send(setting.member, activity)
    note = {**activity["object"], "to": [PUBLIC], "content": "<p>now for everyone</p>"}
    update = {
        "@context": activity["@context"], "id": f"{note['id']}#updates/1", "type": "Update",
        "actor": setting.member.uri, "to": note["to"], "cc": [], "object": note,
    }  # fmt: skip
    await setting.send(setting.member, update)
    async with setting.rig.context.db.read() as conn:
        copy = await group_post_rows.copy_of_submission(conn, note["id"])
    assert copy is not None and "everyone" not in copy.content and copy.edited_at is None
    kinds = [(a["type"], a["object"].get("type")) for a, _ in await setting.outgoing()]
    assert kinds == [("Create", "Note"), ("Reject", "Update"), ("Create", "Note")]
