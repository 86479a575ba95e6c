"""Nothing confidential leaves in a push (push.md section 5): a direct message, a followers-only
post and a mention in a members-only space give the kind and the sender only, with a fixed body
(no text, no content warning, no space name), padded to the very length of any other push; the
push is written in the member's own language."""

from __future__ import annotations

import json

from fedi.groups.groups import create_group
from fedi.push.payload import FULL_SIZE
from tests.push.conftest import PushRig
from tests.testrig.groups import join

SECRET = "witness-address-Kx7"
WARNING = "case-file-Qz9"


def leaks(rig: PushRig, *words: str) -> list[str]:
    everything = json.dumps(rig.service.payloads(), ensure_ascii=False)
    return [word for word in words if word.lower() in everything.lower()]


async def test_a_direct_message_says_who_and_nothing_else(rig: PushRig) -> None:
    alice, bob = await rig.token(), await rig.token("bob")
    await rig.subscribe(alice, "phone", standard=True)
    await rig.post(bob, f"@alice {SECRET}", visibility="direct", spoiler_text=WARNING)
    await rig.post(bob, "@alice in public")
    await rig.settle()
    assert rig.service.errors == []
    direct, public = rig.service.payloads()
    assert direct["title"] == "bob sent you a message"
    assert direct["body"] == "Open the app to read it."
    assert direct["notification_type"] == "mention"
    assert leaks(rig, SECRET, WARNING) == []
    assert set(direct) == set(public)
    assert len({len(r.body) for r in rig.service.received}) == 1
    assert len(rig.service.received[0].body) == 86 + FULL_SIZE + 16


async def test_a_followers_only_post_keeps_its_text_and_warning(rig: PushRig) -> None:
    alice, bob = await rig.token(), await rig.token("bob")
    await rig.subscribe(alice, "phone")
    await rig.post(bob, f"@alice {SECRET}", visibility="private", spoiler_text=WARNING)
    await rig.settle()
    (pushed,) = rig.service.payloads()
    assert pushed["title"] == "bob mentioned you"
    assert pushed["body"] == "Open the app to read it."
    assert leaks(rig, SECRET, WARNING) == []


async def test_a_mention_in_a_members_only_space_names_no_space_and_quotes_nothing(
    rig: PushRig,
) -> None:
    alice, bob = await rig.token(), await rig.token("bob")
    await create_group(rig.context, "casework", "carol", is_private=True)
    for name in ("alice", "bob"):
        await join(rig.context, "casework", rig.context, name)
    await rig.subscribe(alice, "phone")
    await rig.post(bob, f"@casework {SECRET} @alice", spoiler_text=WARNING)
    await rig.settle()
    assert rig.service.errors == []
    pushed = rig.service.payloads()
    assert pushed, "the member is told something happened"
    assert leaks(rig, SECRET, WARNING, "casework") == []
    for payload in pushed:
        assert payload["body"] == "Open the app to read it."
        assert payload["icon"].endswith("/static/avatar.png")


async def test_the_push_is_written_in_the_members_language(rig: PushRig) -> None:
    alice, bob = await rig.token(), await rig.token("bob")
    await rig.context.db.write(
        lambda conn: conn.execute(
            "UPDATE users SET locale = 'fr' WHERE account_id ="
            " (SELECT id FROM accounts WHERE username = 'alice')"
        )
    )
    await rig.subscribe(alice, "phone")
    await rig.post(bob, f"@alice {SECRET}", visibility="direct")
    await rig.settle()
    (pushed,) = rig.service.payloads()
    assert pushed["preferred_locale"] == "fr"
    assert pushed["title"] != "bob sent you a message" and "bob" in pushed["title"]
    assert pushed["body"] != "Open the app to read it."
