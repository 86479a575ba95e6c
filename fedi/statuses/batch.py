"""Everything a page of statuses shows, for one viewer, loaded at once: the posts they boost,
the authors and their counts, mentions, hashtags, attachments and polls, how often each was
favourited, boosted and answered, what the viewer did to each, which authors the viewer follows,
and which private groups' posts the viewer may still read. A fixed number of queries whatever
the page's length (a few more when the viewer is another server's actor); the API, the live
streams and the pages judge and render from it without asking the database again."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from fedi.context import Context
from fedi.core.models import Account, Counts, Group, Status, StatusDetails
from fedi.db import account_stats, groups, status_details, status_stats, statuses
from fedi.groups.access import is_copy, is_submission, may_see_submission
from fedi.groups.groups import may_read

NO_DETAILS = StatusDetails()


@dataclass(frozen=True)
class Batch:
    viewer: Account | None
    statuses: dict[int, Status]  # the page's statuses and the posts they boost
    accounts: dict[int, Account]
    counts: dict[int, Counts]
    details: dict[int, StatusDetails]
    favourites: dict[int, int] = field(default_factory=dict)
    reblogs: dict[int, int] = field(default_factory=dict)
    replies: dict[int, int] = field(default_factory=dict)
    favourited: frozenset[int] = frozenset()
    reblogged: frozenset[int] = frozenset()
    bookmarked: frozenset[int] = frozenset()
    pinned: frozenset[int] = frozenset()
    poll_choices: dict[int, list[int]] = field(default_factory=dict)
    followed: frozenset[int] = frozenset()  # the authors the viewer follows (accepted)
    private_groups: dict[int, Group] = field(default_factory=dict)
    readable_groups: frozenset[int] = frozenset()  # private groups the viewer may read

    def original(self, status: Status) -> Status | None:
        """The post a boost boosts (None for a post, or a boost of a post now gone)."""
        return self.statuses.get(status.reblog_of_id) if status.reblog_of_id else None

    def authors(self, status: Status) -> list[Account | None]:
        """The status's author and, for a boost, the boosted post's author."""
        found = [self.accounts.get(status.account_id)]
        original = self.original(status)
        if original is not None:
            found.append(self.accounts.get(original.account_id))
        return found

    def counts_of(self, account: Account) -> Counts:
        return self.counts.get(account.id, account_stats.NO_COUNTS)

    def details_of(self, status: Status) -> StatusDetails:
        return self.details.get(status.id, NO_DETAILS)

    def may_see_group_post(self, status: Status) -> bool | None:
        """fedi.groups.access.may_see_group_post for the batch's viewer, from what is loaded:
        a submission is for its author and the group; a local private group's copy for whoever
        may read the group now; None when neither (the ordinary rules decide)."""
        reader = self.viewer
        if is_submission(status):
            return may_see_submission(status, reader)
        if not is_copy(status) or status.group_id not in self.private_groups:
            return None
        return status.group_id in self.readable_groups


async def load(
    context: Context,
    items: Sequence[Status],
    viewer: Account | None,
    *,
    with_accounts: Iterable[int] = (),
) -> Batch:
    """The batch for a page of statuses seen by `viewer` (None: anyone); `with_accounts` adds
    accounts the page names besides the authors (a notification's sender)."""
    async with context.db.read_now() as conn:
        known = {s.id: s for s in items}
        wanted = {s.reblog_of_id for s in items if s.reblog_of_id and s.reblog_of_id not in known}
        known |= await statuses.get_many(conn, wanted)
        ids = list(known)
        account_ids = list(dict.fromkeys([*(s.account_id for s in known.values()),
                                          *with_accounts]))  # fmt: skip
        found, counts = await account_stats.accounts_with_counts(conn, account_ids)
        # A boost shows nothing of its own, as on Mastodon: no media, mentions, tags or poll,
        # and no counts (favourites and boosts of a boost go to the post it boosts).
        own = [i for i, s in known.items() if s.reblog_of_id is None]
        details = await status_details.details_of(conn, own)
        group_ids = [s.group_id for s in known.values() if is_copy(s) and s.group_id]
        private = {
            i: g for i, g in (await groups.get_many(conn, group_ids)).items() if g.is_private
        }
        if viewer is None:
            stats = await status_stats.counts_of(conn, own, with_local_only=False)
            return Batch(None, known, found, counts, details, stats.favourites, stats.reblogs,
                         stats.replies, private_groups=private)  # fmt: skip
        seen = await status_stats.seen_by(
            conn, viewer.id, ids, account_ids, counted=own,
            authored=[i for i, s in known.items() if s.account_id == viewer.id],
            polled=[i for i in own if details.get(i, NO_DETAILS).poll is not None],
        )  # fmt: skip
        stats, did = seen.counts, seen.did
        batch = Batch(
            viewer, known, found, counts, details, stats.favourites, stats.reblogs, stats.replies,
            favourited=did.favourited,
            reblogged=did.reblogged,
            bookmarked=did.bookmarked,
            pinned=did.pinned,
            poll_choices={
                i: chosen for i, chosen in seen.poll_choices.items()
                if details.get(i, NO_DETAILS).poll is not None
            },
            followed=seen.followed,
            private_groups=private,
            readable_groups=frozenset(
                await groups.joined_among(conn, viewer.id, list(private))
                if private and not viewer.is_suspended
                else ()
            ),
        )  # fmt: skip
    if viewer.domain is not None and not viewer.is_suspended:
        # Another server's actor (a signed fetch): what may_read grants an instance actor of a
        # member's server, one private group at a time (pages of statuses rarely hold many).
        readable = {i for i, g in private.items() if await may_read(context, g, viewer)}
        batch = replace(batch, readable_groups=frozenset(readable))
    return batch
