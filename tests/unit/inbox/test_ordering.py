"""Which activities of a batch wait for which: the keys the inbox worker orders them by."""

from __future__ import annotations

from inbox.worker import ordering_keys

ACTOR = "https://remote.example/users/ann"
NOTE = "https://remote.example/notes/1"
ALICE = "https://fedi.example/users/alice"


def test_a_post_and_its_edits_and_deletion_share_the_post() -> None:
    create = {"id": f"{ACTOR}/c", "actor": ACTOR, "object": {"id": NOTE, "type": "Note"}}
    update = {"id": f"{ACTOR}/u", "actor": ACTOR, "object": {"id": NOTE, "type": "Note"}}
    delete = {"id": f"{ACTOR}/d", "actor": ACTOR, "object": NOTE}
    for activity in (create, update, delete):
        keys, on_actor = ordering_keys(activity, ACTOR)
        assert NOTE in keys and not on_actor


def test_an_undo_shares_the_undone_activity_by_id_or_embedded() -> None:
    follow = {"id": f"{ACTOR}/f", "type": "Follow", "actor": ACTOR, "object": ALICE}
    by_id = {"id": f"{ACTOR}/u1", "type": "Undo", "actor": ACTOR, "object": follow["id"]}
    embedded = {"id": f"{ACTOR}/u2", "type": "Undo", "actor": ACTOR, "object": follow}
    followed, _ = ordering_keys(follow, ACTOR)
    assert followed == {follow["id"], ALICE}
    assert ordering_keys(by_id, ACTOR)[0] & followed == {follow["id"]}
    assert ordering_keys(embedded, ACTOR)[0] & followed == {follow["id"], ALICE}


def test_an_activity_on_the_actor_itself_holds_the_actor() -> None:
    update = {"id": f"{ACTOR}#updates/1", "actor": ACTOR, "object": {"id": ACTOR}}
    delete = {"id": f"{ACTOR}#delete", "actor": ACTOR, "object": ACTOR}
    move = {"id": f"{ACTOR}#move", "actor": ACTOR, "object": ACTOR, "target": ALICE}
    for activity in (update, delete, move):
        keys, on_actor = ordering_keys(activity, ACTOR)
        assert on_actor and ACTOR not in keys
    assert ALICE in ordering_keys(move, ACTOR)[0]


def test_a_long_list_of_objects_is_bounded() -> None:
    flag = {"id": f"{ACTOR}/flag", "actor": ACTOR, "object": [f"{NOTE}/{n}" for n in range(500)]}
    keys, _ = ordering_keys(flag, ACTOR)
    assert len(keys) <= 17
