"""What a private group answers to a submission it does not share: a Reject to the author and,
for a member, a direct message from the group saying why (groups.md: "Reject{Create} + a
private message explaining the leak"). A stranger or a banned account gets the Reject only, so
the group cannot be made to message anyone who asks. The refused post itself is neither kept
nor relayed."""

from __future__ import annotations

import html
from typing import Literal

from fedi.activitypub.group_notes import reject_to_ap
from fedi.activitypub.notes import create_to_ap
from fedi.context import Context
from fedi.core import ids
from fedi.core.models import Account, Group, NewStatus
from fedi.core.timeutil import to_db, utcnow
from fedi.db import interactions, statuses
from fedi.db.connection import Connection
from fedi.federation.publish import Audience, enqueue
from fedi.federation.serialize import note_document

Reason = Literal["not_member", "addressed_beyond", "reply_outside"]

_WHY: dict[Reason, str] = {
    "addressed_beyond": (
        "it was addressed beyond the group (publicly, to your followers or to people who are"
        " not members). To post in the group, send a private mention to {handle} and nobody"
        " else."
    ),
    "reply_outside": "it replies to a post that is not in this group.",
}


def explanation(group: Group, author: Account, reason: Reason, domain: str) -> str:
    """The direct message's HTML: a mention of the author, then why the post was not shared."""
    name = html.escape(group.account.display_name or group.account.username)
    handle = html.escape(f"@{group.account.username}@{domain}")
    mention = (
        f'<span class="h-card"><a href="{html.escape(author.url or author.uri, quote=True)}"'
        f' class="u-url mention">@<span>{html.escape(author.username)}</span></a></span>'
    )
    why = _WHY.get(reason, "").format(handle=handle)
    return (
        f"<p>{mention} Your post was not shared with the members of {name}: {why}</p>"
        "<p>Nobody else has received it from the group.</p>"
    )


async def refuse(
    context: Context,
    group: Group,
    author: Account,
    *,
    activity_id: str,
    kind: str,
    object_uri: str,
    reason: Reason,
) -> None:
    """Reject{kind} of the author's activity, and the explaining message for a member."""
    now = utcnow()
    stamp = to_db(now)
    reject = reject_to_ap(
        group.account, f"{group.account.uri}#rejects/{ids.new_id()}", activity_id, kind,
        author.uri, object_uri,
    )  # fmt: skip
    await context.db.write(
        lambda conn: enqueue(conn, group.id, reject, Audience.personal(author), stamp)
    )
    context.wake.outbox.set()
    if reason == "not_member":
        return
    message_id = ids.new_id()
    name = group.account.username
    message = NewStatus(
        id=message_id, uri=context.urls.status(name, message_id),
        url=context.urls.status_page(name, message_id), account_id=group.id,
        visibility="direct",
        content=explanation(group, author, reason, context.settings.domain),
        spoiler_text="", is_sensitive=False, language="en", is_local=True, created_at=stamp,
        mentions=(author.id,),
    )  # fmt: skip

    def write(conn: Connection) -> None:
        statuses.insert_status(conn, message)
        interactions.notify(conn, [author.id], "mention", group.id, message_id, stamp)

    await context.db.write(write)
    async with context.db.read() as conn:
        stored = await statuses.get_by_id(conn, message_id)
    assert stored is not None
    document = await note_document(context, stored, group.account, with_context=False)
    activity = create_to_ap(document, group.account)
    await context.db.write(
        lambda conn: enqueue(conn, group.id, activity, Audience(account_ids=(author.id,)), stamp)
    )
    context.wake.outbox.set()
