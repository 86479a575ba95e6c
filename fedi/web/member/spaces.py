"""The directory of spaces (/groups): every group of this server a member may know of (public,
members-only, and those for this server only), with its description, member count and kind, and
where the member stands in each, with the join and leave forms of the group pages; the member's
own spaces first (remote groups they follow among them). Two statements whatever the number of
groups (fedi.db.group_directory)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.activitypub.actor import avatar_url
from fedi.core.html import plain_text
from fedi.core.models import Account
from fedi.db import group_directory
from fedi.web.member.gate import member_or_sign_in
from fedi.web.state import context_of, pages_of

EXCERPT = 200  # characters of a description shown in the list


@dataclass(frozen=True)
class Space:
    name: str
    handle: str
    url: str
    avatar: str
    excerpt: str
    member_count: int | None  # None for a remote group: its server counts them
    kind: str  # public, private or local (members-only, for this server only)
    state: str  # member, pending, banned or none
    is_moderator: bool
    is_local: bool
    username: str  # the path of the join and leave forms, for a group of ours


def excerpt(note: str) -> str:
    text = " ".join(plain_text(note).split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


def _kind(is_private: bool, is_local_only: bool) -> str:
    if is_local_only:
        return "local"
    return "private" if is_private else "public"


def _state(membership: str | None, is_banned: bool) -> str:
    if is_banned:
        return "banned"
    if membership == "accepted":
        return "member"
    return "pending" if membership == "pending" else "none"


async def directory(request: Request, viewer_id: int) -> tuple[list[Space], list[Space]]:
    """(the member's spaces, the others)."""
    context = context_of(request)
    domain = context.settings.domain
    async with context.db.read_now() as conn:
        local = await group_directory.local_groups(conn, viewer_id, with_local_only=True)
        remote = await group_directory.followed_remote_groups(conn, viewer_id)
    spaces = [
        Space(
            name=g.account.display_name or g.account.username,
            handle=f"@{g.account.username}@{domain}",
            url=f"/@{g.account.username}",
            avatar=avatar_url(g.account, context.urls),
            excerpt=excerpt(g.account.note),
            member_count=listed.member_count,
            kind=_kind(g.is_private, g.is_local_only),
            state=_state(listed.membership, listed.is_banned),
            is_moderator=listed.moderator_role is not None,
            is_local=True,
            username=g.account.username,
        )
        for listed in local
        for g in (listed.group,)
    ]
    theirs = [_remote(request, account, state) for account, state in remote]
    mine = [s for s in spaces if s.state in ("member", "pending") or s.is_moderator]
    mine += [s for s in theirs if s.state in ("member", "pending")]
    others = [s for s in spaces if s not in mine]
    return mine, others


def _remote(request: Request, account: Account, follow_state: str) -> Space:
    context = context_of(request)
    return Space(
        name=account.display_name or account.username,
        handle=f"@{account.username}@{account.domain}",
        url=f"/@{account.username}@{account.domain}",
        avatar=avatar_url(account, context.urls),
        excerpt=excerpt(account.note),
        member_count=None,
        kind="private" if account.is_locked else "public",
        state="member" if follow_state == "accepted" else "pending",
        is_moderator=False,
        is_local=False,
        username=f"{account.username}@{account.domain}",
    )


async def spaces_page(request: Request) -> Response:
    viewer = await member_or_sign_in(request)
    if isinstance(viewer, Response):
        return viewer
    mine, others = await directory(request, viewer.account.id)
    locale = pages_of(request).locale_for(request)
    return pages_of(request).render(
        request,
        "member/spaces.html",
        viewer=viewer,
        mine=mine,
        others=others,
        title=locale.gettext("Spaces"),
    )


routes = [Route("/groups", spaces_page, methods=["GET"])]
