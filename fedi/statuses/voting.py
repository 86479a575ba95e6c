"""Votes on polls: a member's vote (counted here for our polls, sent to the author's server for
remote ones), a remote actor's vote on one of our polls, and refreshed counts of remote polls.
Counts and votes change in one transaction; the Update{Question} that tells others follows from
the poll loop (fedi.statuses.poll_loop)."""

from __future__ import annotations

import logging
from datetime import datetime

from fedi.activitypub.parse import InvalidActivity, host_of
from fedi.activitypub.remote_note import ParsedNote
from fedi.activitypub.votes import ParsedVote, vote_to_ap
from fedi.context import Context
from fedi.core.ids import new_id
from fedi.core.models import Account, Status, is_expired
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, follows, interactions, statuses
from fedi.db import polls as db_polls
from fedi.db.connection import Connection, Reader
from fedi.db.polls import NewVote, VoteConflict
from fedi.federation.publish import Audience, enqueue
from fedi.federation.remote_posts import is_ours

log = logging.getLogger(__name__)


class VoteError(ValueError):
    """The vote is refused; the message says why (a 422 for apps, worded as Mastodon's)."""


async def may_see(conn: Reader, status: Status, account_id: int) -> bool:
    """Whether an account may see (and so vote in) a post, as the API and delivery decide."""
    if await interactions.is_blocked(conn, status.account_id, account_id):
        return False
    if status.account_id == account_id or status.visibility in ("public", "unlisted"):
        return True
    if account_id in await statuses.mentioned_account_ids(conn, status.id):
        return True
    if status.visibility == "private":
        follow = await follows.get_follow(conn, account_id, status.account_id)
        return follow is not None and follow[2] == "accepted"
    return False


async def vote(
    context: Context, voter: Account, status: Status, choices: list[int],
    now: datetime | None = None,
) -> None:  # fmt: skip
    """A member votes (the caller checked that they may see the post). For a remote poll, one
    Create{Note} per choice goes to its author, as Mastodon sends them."""
    now = now or utcnow()
    choices = list(dict.fromkeys(choices))
    async with context.db.read() as conn:
        poll = await db_polls.get(conn, status.id)
        author = await accounts.get_by_id(conn, status.account_id)
        blocked = await interactions.is_blocked(conn, voter.id, status.account_id)
    if poll is None or author is None:
        raise VoteError("This post has no poll")
    if status.account_id == voter.id:
        raise VoteError("You cannot vote in your own polls")
    if blocked:
        raise VoteError("You cannot vote in this poll")
    if is_expired(poll, now):
        raise VoteError("The poll has already ended")
    if not choices:
        raise VoteError("A vote needs at least one choice")
    if any(c < 0 or c >= len(poll.options) for c in choices):
        raise VoteError("The chosen vote option does not exist")
    if len(choices) > 1 and not poll.is_multiple:
        raise VoteError("This poll allows only one choice")
    votes = [NewVote(new_id(), c) for c in choices]
    if not status.is_local:
        votes = [NewVote(v.id, v.choice, f"{voter.uri}#votes/{v.id}") for v in votes]
    creates = [
        vote_to_ap(str(v.uri), voter, status.uri, author, poll.options[v.choice].title)
        for v in votes
        if v.uri
    ]
    stamp = to_db(now)

    def write(conn: Connection) -> None:
        try:
            new_voter = db_polls.add_votes(
                conn, status.id, voter.id, votes, is_multiple=poll.is_multiple, now=stamp
            )
        except VoteConflict:
            raise VoteError("You have already voted on this poll") from None
        if status.is_local:
            db_polls.recount(conn, status.id, pending_update=not poll.hide_totals)
            return
        db_polls.add_to_counts(conn, status.id, choices, new_voter)
        for create in creates:
            enqueue(conn, voter.id, create, Audience.personal(author), stamp)

    await context.db.write(write)
    if creates:
        context.wake.outbox.set()


async def receive_vote(context: Context, vote_note: ParsedVote, actor: Account) -> None:
    """A remote actor's vote on one of our polls, counted once per option (once in all for a
    single-choice poll), only while the poll runs and only from someone who may see it. A
    refused vote raises InvalidActivity: the inbox row keeps the reason; nothing is stored."""
    if vote_note.author_uri != actor.uri or host_of(vote_note.uri) != host_of(actor.uri):
        raise InvalidActivity("the vote was not cast by the actor")
    if not is_ours(context, vote_note.in_reply_to_uri):
        raise InvalidActivity("a vote on a poll that is not ours")
    async with context.db.read() as conn:
        status = await statuses.get_by_uri(conn, vote_note.in_reply_to_uri)
        poll = await db_polls.get(conn, status.id) if status and status.is_local else None
        # A local-only poll is for members here: no other server's actor sees it.
        allowed = (
            status is not None
            and not status.is_local_only
            and await may_see(conn, status, actor.id)
        )
    if status is None or poll is None:
        raise InvalidActivity("the vote answers no poll of ours")
    now = utcnow()
    if is_expired(poll, now):
        raise InvalidActivity("the poll has ended")
    titles = [o.title for o in poll.options]
    if vote_note.name not in titles:
        raise InvalidActivity("the vote names no option of the poll")
    if not allowed:
        raise InvalidActivity("the voter may not see the poll")
    choice = NewVote(new_id(), titles.index(vote_note.name), vote_note.uri)
    stamp = to_db(now)

    def write(conn: Connection) -> bool:
        try:
            db_polls.add_votes(
                conn, status.id, actor.id, [choice], is_multiple=poll.is_multiple, now=stamp
            )
        except VoteConflict:
            return False
        # Mastodon sends no count updates for a poll with hidden totals; its end sends them.
        db_polls.recount(conn, status.id, pending_update=not poll.hide_totals)
        return True

    if not await context.db.write(write):
        raise InvalidActivity("the actor already voted in this poll")
    log.info("vote %s by %s counted on %s", vote_note.uri, actor.uri, status.uri)


async def refresh_counts(context: Context, status: Status, note: ParsedNote) -> bool:
    """An Update of a remote Question that changes only its counts or end: refresh them with no
    edit in the post's history. False when the post itself changed (an edit)."""
    if note.poll is None or status.is_local:
        return False
    async with context.db.read() as conn:
        current = await db_polls.get(conn, status.id)
    if (
        current is None
        or status.content != note.content
        or status.spoiler_text != note.spoiler_text
        or current.is_multiple != note.poll.is_multiple
        or [o.title for o in current.options] != [o.title for o in note.poll.options]
    ):
        return False
    poll = note.poll
    await context.db.write(lambda conn: db_polls.set_counts(conn, status.id, poll))
    return True
