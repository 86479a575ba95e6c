"""security.md V11: a QuoteRequest (FEP-044f) for one of our posts is answered with a Reject from
the post's author, so no quoting server ever inlines our text; nothing is answered for a post
that does not exist or is not ours."""

from __future__ import annotations

from fedi.groups.groups import create_group
from fedi.statuses.posting import post_status
from tests.testrig.groups import activity, queued
from tests.testrig.rig import BASE, Rig

SHARED_INBOX = f"{BASE}/inbox"


async def test_v11_quote_requests_are_rejected_by_the_author(rig: Rig) -> None:
    group = await create_group(rig.context, "casework", "alice", is_private=True)
    private = await post_status(rig.context, "alice", "Followers only", visibility="private")
    public = await post_status(rig.context, "alice", "Public")
    mallory = rig.evil.actor("mallory")
    quoting = f"{mallory.uri}/statuses/1"
    requests = [
        activity(mallory, "QuoteRequest", private.uri, 1, instrument=quoting),
        activity(mallory, "QuoteRequest", public.uri, 2, instrument=quoting),
        activity(mallory, "QuoteRequest", f"{BASE}/users/alice/statuses/404", 3),
        activity(mallory, "QuoteRequest", "https://elsewhere.example/notes/1", 4),
    ]
    before = len(await queued(rig.context))
    for request in requests:
        await rig.post(mallory, request, url=SHARED_INBOX)
    await rig.process()
    sent = (await queued(rig.context))[before:]
    rejects = [a for a in sent if a["type"] == "Reject"]
    # In either order: the worker handles a batch's activities concurrently.
    assert sorted(r["object"]["id"] for r in rejects) == [requests[0]["id"], requests[1]["id"]]
    for reject in rejects:
        assert reject["actor"] == f"{BASE}/users/alice"
        assert reject["to"] == [mallory.uri]
    assert all(a["type"] == "Reject" for a in sent)
    assert group.account.uri not in str(sent)
