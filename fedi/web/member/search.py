"""The search page (/search?q=): people by name or handle, ours and those this server knows, a
full handle (@name@server) looked up through WebFinger as the client API's search does with
resolve=true; hashtags by name (public ones only); posts by their words, and a post by its
address, each shown only to a member who may see it. The finding is fedi.accounts.search and
fedi.statuses.search, which the client API calls too."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.accounts.search import find_accounts
from fedi.activitypub.actor import avatar_url
from fedi.core.models import Account, User
from fedi.db import follows
from fedi.statuses.search import (
    PostQuery,
    find_hashtags,
    find_statuses,
    is_address,
    kinds_of,
    status_at,
)
from fedi.web.member.cards import Card, cards
from fedi.web.member.gate import member_or_sign_in
from fedi.web.member.profiles import acct_of
from fedi.web.member.spaces import excerpt
from fedi.web.state import context_of, pages_of

MAX_QUERY = 200
PEOPLE = 20
POSTS = 20


@dataclass(frozen=True)
class Found:
    """A person (or group) found, and where the member stands with them."""

    name: str
    handle: str
    acct: str
    avatar: str
    excerpt: str
    is_group: bool
    is_self: bool
    follow: str | None  # accepted, pending or None
    is_locked: bool


@dataclass(frozen=True)
class Results:
    people: list[Found]
    hashtags: list[tuple[str, int]]
    posts: list[Card]


def is_full_handle(query: str) -> bool:
    username, at, domain = query.strip().lstrip("@").partition("@")
    return bool(at and username and domain and "@" not in domain and " " not in query.strip())


async def _people(request: Request, viewer: User, query: str) -> list[Found]:
    context = context_of(request)
    found = await find_accounts(
        context, query, resolve=is_full_handle(query), viewer=viewer.account, limit=PEOPLE
    )
    async with context.db.read_now() as conn:
        states = await follows.states_among(conn, viewer.account.id, [a.id for a in found])
    return [_found(request, viewer, account, states.get(account.id)) for account in found]


def _found(request: Request, viewer: User, account: Account, state: str | None) -> Found:
    context = context_of(request)
    return Found(
        name=account.display_name or account.username,
        handle=f"@{account.username}@{account.domain or context.settings.domain}",
        acct=acct_of(account),
        avatar=avatar_url(account, context.urls),
        excerpt=excerpt(account.note),
        is_group=account.actor_type == "Group",
        is_self=account.id == viewer.account.id,
        follow=state,
        is_locked=account.is_locked,
    )


async def search(request: Request, viewer: User, query: str) -> Results:
    context = context_of(request)
    if is_address(query):
        status = await status_at(context, query, viewer, resolve=True)
        shown = await cards(context, [status], viewer, "public") if status else []
        return Results([], [], shown)
    kinds = kinds_of(query)
    posts = (
        await find_statuses(context, PostQuery(query, limit=POSTS), viewer) if kinds.posts else []
    )
    return Results(
        await _people(request, viewer, query) if kinds.people else [],
        await find_hashtags(context, query) if kinds.hashtags else [],
        await cards(context, posts, viewer, "public") if posts else [],
    )


async def search_page(request: Request) -> Response:
    viewer = await member_or_sign_in(request)
    if isinstance(viewer, Response):
        return viewer
    query = request.query_params.get("q", "").strip()
    locale = pages_of(request).locale_for(request)
    too_long = len(query) > MAX_QUERY
    results = await search(request, viewer, query) if query and not too_long else None
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return pages_of(request).render(
        request, "member/search.html", status_code=422 if too_long else 200, viewer=viewer,
        query=query, results=results, too_long=too_long, here=here,
        title=locale.gettext("Search"),
    )  # fmt: skip


routes = [Route("/search", search_page, methods=["GET"])]
