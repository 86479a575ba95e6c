"""QuoteRequest (FEP-044f, Mastodon 4.5 quote posts): someone asks to quote one of our posts.
fedi issues no QuoteAuthorization, so every request is answered at once with a Reject from the
quoted post's author: the quoting server then never shows our text inside its post — what
matters for followers-only, direct, local-only and private-group posts (security.md V11)."""

from __future__ import annotations

import hashlib

from fedi.activitypub.notes import wrap
from fedi.context import Context
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts
from fedi.federation.publish import Audience, enqueue
from fedi.federation.remote_posts import is_ours, status_by_uri
from inbox.handlers.common import Incoming


async def handle_quote_request(context: Context, incoming: Incoming) -> None:
    if not is_ours(context, incoming.object_uri):
        return  # a request about another server's post is that server's to answer
    status = await status_by_uri(context, incoming.object_uri)
    if status is None or status.reblog_of_id is not None:
        return  # nothing to quote: a missing post is not confirmed by an answer
    async with context.db.read() as conn:
        author = await accounts.get_by_id(conn, status.account_id)
    if author is None or not author.is_local:
        return
    request = {k: v for k, v in incoming.activity.items() if k != "@context"}
    suffix = hashlib.sha256(incoming.id.encode()).hexdigest()[:16]
    reject = wrap(
        "Reject", f"{author.uri}#rejects/quotes/{suffix}", author, request,
        [incoming.actor.uri], [],
    )  # fmt: skip
    now = to_db(utcnow())
    await context.db.write(
        lambda conn: enqueue(conn, author.id, reject, Audience.personal(incoming.actor), now)
    )
    context.wake.outbox.set()
