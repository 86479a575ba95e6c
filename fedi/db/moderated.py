"""SQL conditions for what moderators took out of view: posts by suspended accounts (and boosts
of them) are shown nowhere (security.md M7, CVE-2026-23961), and a limited (silenced) account
is shown only to itself and to those who follow it (Mastodon's limited accounts). Each account
test is a primary-key lookup, and the follow test uses the follows_follower index."""

from __future__ import annotations

# Authors of a statuses row `s`: its own, and for a boost the boosted post's.
_AUTHORS = "s.account_id, (SELECT o.account_id FROM statuses o WHERE o.id = s.reblog_of_id)"


def _limited_unless_followed(alias: str) -> str:
    return (
        f"({alias}.silenced_at IS NOT NULL AND {alias}.id != ?"
        " AND NOT EXISTS (SELECT 1 FROM follows mf WHERE mf.follower_id = ?"
        f"   AND mf.followed_id = {alias}.id AND mf.state = 'accepted'))"
    )


def moderated_status_clause(
    viewer_id: int | None, *, public: bool = False
) -> tuple[str, list[object]]:
    """` AND NOT EXISTS (...)` leaving out statuses whose author or boosted author is
    suspended, or limited: on `public` timelines (public, local, hashtag) always, as Mastodon's
    PublicFeed leaves out silenced accounts; elsewhere unless it is the viewer or followed."""
    if public or viewer_id is None:
        return (
            f" AND NOT EXISTS (SELECT 1 FROM accounts ma WHERE ma.id IN ({_AUTHORS})"
            " AND (ma.suspended_at IS NOT NULL OR (ma.silenced_at IS NOT NULL AND ma.id != ?)))",
            [viewer_id if viewer_id is not None else -1],
        )
    return (
        f" AND NOT EXISTS (SELECT 1 FROM accounts ma WHERE ma.id IN ({_AUTHORS})"
        f" AND (ma.suspended_at IS NOT NULL OR {_limited_unless_followed('ma')}))",
        [viewer_id, viewer_id],
    )


def moderated_sender_clause(viewer_id: int) -> tuple[str, list[object]]:
    """For a notifications row: nothing from a suspended account, nor from a limited account
    the member does not follow (Mastodon filters those notifications)."""
    return (
        " AND NOT EXISTS (SELECT 1 FROM accounts ma WHERE ma.id = from_account_id"
        f" AND (ma.suspended_at IS NOT NULL OR {_limited_unless_followed('ma')}))",
        [viewer_id, viewer_id],
    )
