"""Rendering a feed page: the cards, the "older" link that continues it (a plain link without
JavaScript, a sentinel that htmx loads when it scrolls into view), the compose box, and the
fragment alone when htmx asks for the next page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from fedi.core.ids import parse_id
from fedi.core.models import Status, User
from fedi.db import events as event_rows
from fedi.db import preferences
from fedi.db.timelines import Page
from fedi.statuses.timeline_rules import Where
from fedi.web.enhance import is_fragment_request, vary_on_htmx
from fedi.web.member.cards import Card, cards
from fedi.web.state import context_of, pages_of

PAGE_SIZE = 20
# The languages a post can be marked with in the compose box: the interface's five first.
POST_LANGUAGES = ("en", "fr", "ar", "de", "pt", "es", "it", "ru", "tr", "fa", "uk", "zh")


def page_asked(request: Request) -> Page:
    """The page the query asks for: older than `max_id`, PAGE_SIZE long."""
    max_id = parse_id(request.query_params.get("max_id", ""))
    return Page(max_id=max_id, limit=PAGE_SIZE)


@dataclass(frozen=True)
class Compose:
    """What the compose box starts with."""

    visibility: str
    language: str
    languages: tuple[str, ...] = POST_LANGUAGES
    in_reply_to: Card | None = None
    text: str = ""
    group: str | None = None  # the group's username when posting in a group
    group_is_private: bool = False  # its posts reach its members alone: no poll, no visibility
    time_zone: str | None = None  # the member's own, for "schedule for later"
    scheduled_at: str = ""  # as written, when a scheduled post comes back refused


async def compose_for(request: Request, viewer: User, **extra: Any) -> Compose:
    context = context_of(request)
    async with context.db.read() as conn:
        defaults = await preferences.posting_defaults(conn, viewer.account.id)
        zone = await event_rows.time_zone_of(conn, viewer.account.id)
    language = defaults.language or pages_of(request).locale_for(request).code
    return Compose(visibility=defaults.visibility, language=language, time_zone=zone, **extra)


def older_url(request: Request, ids: Sequence[int]) -> str | None:
    """The next page's address, below the last of the page's ids (None after a short page)."""
    if len(ids) < PAGE_SIZE:
        return None
    params = {k: v for k, v in request.query_params.items() if k != "max_id"}
    params["max_id"] = str(ids[-1])
    return f"{request.url.path}?{urlencode(params)}"


async def feed_page(
    request: Request,
    viewer: User,
    items: Sequence[Status],
    where: Where | None,
    *,
    title: str,
    compose: Compose | None = None,
    template: str = "member/feed.html",
    page_ids: Sequence[int] | None = None,
    **params: Any,
) -> Response:
    """A feed's page (or, for htmx, its next cards and sentinel alone). `page_ids`: what the
    page is paged by when it is not the statuses' ids (a bookmark's, a favourite's); `where`
    as fedi.web.member.cards.cards takes it."""
    context = context_of(request)
    shown = await cards(context, items, viewer, where)
    older = older_url(request, [s.id for s in items] if page_ids is None else page_ids)
    pages = pages_of(request)
    if is_fragment_request(request):
        response = pages.render(
            request, "member/_feed_more.html", cards=shown, older=older, viewer=viewer,
            here=request.url.path,
        )  # fmt: skip
    else:
        response = pages.render(
            request, template, cards=shown, older=older, viewer=viewer, title=title,
            compose=compose, here=request.url.path, **params,
        )  # fmt: skip
    return vary_on_htmx(response)  # rendered for the member: private already
