"""Publishing: a local action writes its activity to outbox_activities in the same transaction as
its own rows; the outbox worker later expands the audience into one delivery per inbox."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from fedi.core.ids import new_id
from fedi.core.models import Account
from fedi.db import outbox_activities, statuses
from fedi.db.connection import Connection

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Audience:
    """Who receives an activity, resolved when the outbox worker fans it out:
    the remote followers of `followers_of`, the remote `account_ids`, explicit `inboxes`, and
    the current remote members of the private group `members_of` (each delivery with its
    FEP-8fcf Collection-Synchronization header)."""

    followers_of: int | None = None
    account_ids: tuple[int, ...] = ()
    inboxes: tuple[str, ...] = ()
    members_of: int | None = None

    @classmethod
    def personal(cls, account: Account) -> Audience:
        """To one account's own inbox, as Mastodon sends Follow, Accept, Like and Block."""
        if account.is_local or not account.inbox_uri:
            return cls()
        return cls(inboxes=(account.inbox_uri,))

    def as_json(self) -> dict[str, Any]:
        return {
            "followers_of": self.followers_of,
            "account_ids": list(self.account_ids),
            "inboxes": list(self.inboxes),
            "members_of": self.members_of,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        followers_of = data.get("followers_of")
        members_of = data.get("members_of")
        return cls(
            followers_of=int(followers_of) if followers_of is not None else None,
            account_ids=tuple(int(a) for a in data.get("account_ids", [])),
            inboxes=tuple(str(i) for i in data.get("inboxes", [])),
            members_of=int(members_of) if members_of is not None else None,
        )


def _uris_in(activity: dict[str, Any]) -> list[str]:
    """The ids an activity is about: itself, its object, and an Undo's object's object."""
    found: list[str] = []
    current: Any = activity
    for _ in range(3):
        if isinstance(current, str):
            found.append(current)
            break
        if not isinstance(current, dict):
            break
        if isinstance(current.get("id"), str):
            found.append(current["id"])
        current = current.get("object")
    return found


def enqueue(
    conn: Connection, actor_id: int, activity: dict[str, Any], audience: Audience, now: str
) -> None:
    if not (
        audience.followers_of or audience.account_ids or audience.inboxes or audience.members_of
    ):
        return  # nobody elsewhere to tell
    if statuses.any_local_only(conn, _uris_in(activity)):
        # The callers already send nothing about local-only posts; this is the last check
        # that nothing about one leaves, whatever path built the activity.
        log.warning("not sending %s: it concerns a local-only post", activity.get("id"))
        return
    outbox_activities.insert(
        conn,
        row_id=new_id(),
        activity_uri=str(activity["id"]),
        actor_id=actor_id,
        body=activity,
        audience=audience.as_json(),
        now=now,
    )
