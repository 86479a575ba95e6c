"""A group's page as a signed-in reader sees it: the group's posts as member cards (with the
actions on each), and, for a member who may post, the compose box that posts in the group
(fedi.web.member.compose gives the post the group's mention, as an app's post has it)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from fedi.core.models import Group, Status, User
from fedi.groups.posting import may_post
from fedi.web.member.cards import Card, cards
from fedi.web.member.feeds import Compose, compose_for
from fedi.web.state import context_of


@dataclass(frozen=True)
class MemberView:
    cards: list[Card]
    compose: Compose | None
    older: str | None
    here: str


async def member_view(
    request: Request, group: Group, viewer: User, posts: list[Status], older_max_id: int | None
) -> MemberView:
    context = context_of(request)
    here = f"/@{group.account.username}"
    compose = None
    if not group.account.is_suspended and await may_post(context, group.account, viewer.account):
        compose = await compose_for(
            request, viewer, group=group.account.username, group_is_private=group.is_private
        )
    return MemberView(
        cards=await cards(context, posts, viewer, "account"),
        compose=compose,
        older=f"{here}?max_id={older_max_id}" if older_max_id is not None else None,
        here=here,
    )
