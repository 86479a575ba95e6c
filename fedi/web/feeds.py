"""RSS feeds of public posts, as Mastodon serves them: a member's (/@user.rss), a public
space's (/@space.rss: the posts it shares) and a hashtag's (/tags/NAME.rss). Public posts only
(never unlisted, followers-only, direct, this-server-only or a members-only space's), without
replies or boosts of a member's own, judged as an anonymous visitor's page is (suspended and
limited authors); in allowlist mode, for signed-in members only, like the pages."""

from __future__ import annotations

from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.activitypub.actor import avatar_url
from fedi.context import Context
from fedi.core.html import tag_name
from fedi.core.models import Attachment, Status
from fedi.db import accounts, statuses, timelines
from fedi.db.timelines import TagQuery
from fedi.db.walk import Page
from fedi.groups.groups import group_of
from fedi.statuses.batch import Batch, load
from fedi.statuses.timeline_rules import moderated_away
from fedi.web.limited_federation import sign_in_required
from fedi.web.state import context_of

ITEMS = 20
RSS_TYPE = "application/rss+xml; charset=utf-8"


def _media(attachment: Attachment, context: Context, sensitive: bool) -> str:
    url = context.urls.media(attachment.file) if attachment.file else attachment.url
    if not url:
        return ""
    medium = attachment.media_type.split("/")[0]
    size = f" fileSize={quoteattr(str(attachment.size))}" if attachment.size else ""
    described = (
        f'<media:description type="plain">{escape(attachment.description)}</media:description>'
        if attachment.description
        else ""
    )
    return (
        f"<media:content url={quoteattr(url)} type={quoteattr(attachment.media_type)}{size}"
        f" medium={quoteattr(medium if medium in ('image', 'video', 'audio') else 'document')}>"
        f'<media:rating scheme="urn:simple">{"adult" if sensitive else "nonadult"}</media:rating>'
        f"{described}</media:content>"
    )


def _item(context: Context, batch: Batch, status: Status) -> str:
    details = batch.details_of(status)
    content = status.content
    if status.spoiler_text:  # the warning first, as a reader of the post would see it
        content = f"<p>{escape(status.spoiler_text)}</p><hr />{content}"
    link = status.url or status.uri
    return (
        "<item>"
        f'<guid isPermaLink="true">{escape(link)}</guid><link>{escape(link)}</link>'
        f"<pubDate>{format_datetime(status.created_at)}</pubDate>"
        f"<description>{escape(content)}</description>"
        + "".join(_media(a, context, status.is_sensitive) for a in details.attachments)
        + "".join(f"<category>{escape(name)}</category>" for name in details.tags)
        + "</item>"
    )


def _rss(context: Context, title: str, description: str, link: str, image: str | None,
         items: str, newest: Status | None) -> Response:  # fmt: skip
    built = format_datetime(newest.created_at) if newest else None
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>'
        f"<title>{escape(title)}</title><description>{escape(description)}</description>"
        f"<link>{escape(link)}</link>"
        + (
            f"<image><url>{escape(image)}</url><title>{escape(title)}</title>"
            f"<link>{escape(link)}</link></image>"
            if image
            else ""
        )
        + (f"<lastBuildDate>{built}</lastBuildDate>" if built else "")
        + f"<generator>{escape(context.settings.instance_title)}</generator>{items}"
        "</channel></rss>"
    )
    return Response(body, media_type=RSS_TYPE, headers={"Cache-Control": "public, max-age=60"})


async def _public(context: Context, found: list[Status]) -> tuple[Batch, list[Status]]:
    """The public posts among `found` (a boost stands for the post it boosts), judged as for an
    anonymous visitor, newest first, at most ITEMS."""
    batch = await load(context, found, None)
    kept: list[Status] = []
    for status in found:
        if moderated_away(batch, None, status, "public"):
            continue
        post = batch.original(status) if status.reblog_of_id else status
        if post is None or post.visibility != "public" or post.is_local_only:
            continue
        if batch.may_see_group_post(post) is False:
            continue
        kept.append(post)
    return batch, kept[:ITEMS]


async def account_feed(request: Request) -> Response:
    if gate := await sign_in_required(request):
        return gate
    context = context_of(request)
    username = request.path_params["username"]
    async with context.db.read() as conn:
        account = await accounts.get_local_actor(conn, username, federated=True)
    if account is None or account.is_suspended or account.actor_type not in ("Person", "Group"):
        raise HTTPException(404)
    group = await group_of(context, account)
    if group is not None and group.is_private:
        raise HTTPException(404)  # a members-only space has no public posts
    async with context.db.read() as conn:
        found = await statuses.public_page(
            conn, account.id, None, ITEMS * 2, without_replies=group is None,
            with_reblogs=group is not None,  # a space's posts are the ones it shares
        )  # fmt: skip
    batch, posts = await _public(context, found)
    title = account.display_name or account.username
    handle = f"@{account.username}@{context.settings.domain}"
    items = "".join(_item(context, batch, p) for p in posts)
    return _rss(context, title, f"Public posts from {handle}", account.url or account.uri,
                avatar_url(account, context.urls), items, posts[0] if posts else None)  # fmt: skip


async def tag_feed(request: Request) -> Response:
    if gate := await sign_in_required(request):
        return gate
    context = context_of(request)
    name = tag_name(request.path_params["name"])
    if name is None:
        raise HTTPException(404)
    async with context.db.read() as conn:
        found = await timelines.tag(conn, TagQuery(any=(name,)), Page(limit=ITEMS * 2), None)
    batch, posts = await _public(context, found)
    items = "".join(_item(context, batch, p) for p in posts)
    return _rss(context, f"#{name}", f"Public posts tagged #{name}", context.urls.tag(name),
                None, items, posts[0] if posts else None)  # fmt: skip


routes = [
    Route("/@{username}.rss", account_feed, methods=["GET"]),
    Route("/users/{username}.rss", account_feed, methods=["GET"]),
    Route("/tags/{name}.rss", tag_feed, methods=["GET"]),
]
