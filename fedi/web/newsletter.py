"""The newsletter for everyone: its archive (/newsletter), each published issue in the reader's
language when it was written in it (/newsletter/ID), and an Atom feed (/newsletter.atom). The
newsletter's account, @newsletter, is followable from any server (fedi.newsletter)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.context import Context
from fedi.core.config import SUPPORTED_LOCALES
from fedi.core.ids import parse_id
from fedi.core.models import User
from fedi.core.timeutil import to_ap
from fedi.db.newsletter import Issue
from fedi.newsletter.account import USERNAME
from fedi.newsletter.issues import (
    Gathered,
    archive,
    body_html,
    gather,
    get_issue,
    issue_url,
    text_in,
)
from fedi.web.signin import viewer_of
from fedi.web.state import context_of, pages_of

ARCHIVE_PAGE = 50
FEED_ENTRIES = 20


@dataclass(frozen=True)
class IssueView:
    id: int
    url: str
    language: str  # the language of the text shown
    title: str
    body: Markup
    published_at: datetime | None
    languages: tuple[str, ...]  # every language the issue was written in


def issue_view(context: Context, issue: Issue, wanted: str) -> IssueView | None:
    """The issue in the language wanted (or the server's, or the first it has)."""
    chosen = text_in(issue, wanted, context.settings.default_locale)
    if chosen is None:
        return None
    language, text = chosen
    return IssueView(
        id=issue.id, url=issue_url(context, issue.id), language=language, title=text.title,
        body=Markup(body_html(context, text)), published_at=issue.published_at,  # noqa: S704
        languages=tuple(sorted(issue.texts)),
    )  # fmt: skip


def render_issue(
    request: Request, view: IssueView, gathered: Gathered, viewer: User | None,
    *, preview: bool = False,
) -> Response:  # fmt: skip
    return pages_of(request).render(
        request, "newsletter/issue.html", issue=view, gathered=gathered, preview=preview,
        account_handle=f"@{USERNAME}@{context_of(request).settings.domain}", viewer=viewer,
    )  # fmt: skip


async def archive_page(request: Request) -> Response:
    context = context_of(request)
    viewer = await viewer_of(request)
    locale = pages_of(request).locale_for(request, viewer).code
    issues = await archive(context, ARCHIVE_PAGE)
    views = [v for v in (issue_view(context, i, locale) for i in issues) if v is not None]
    return pages_of(request).render(
        request, "newsletter/archive.html", issues=views, viewer=viewer,
        account_handle=f"@{USERNAME}@{context.settings.domain}",
    )  # fmt: skip


async def issue_page(request: Request) -> Response:
    context = context_of(request)
    issue_id = parse_id(request.path_params["issue_id"])
    issue = await get_issue(context, issue_id) if issue_id is not None else None
    if issue is None or issue.published_at is None:
        raise HTTPException(404)  # a draft is for staff, on its preview page
    viewer = await viewer_of(request)
    view = issue_view(context, issue, pages_of(request).locale_for(request, viewer).code)
    if view is None:
        raise HTTPException(404)
    return render_issue(request, view, await gather(context, issue.published_at), viewer)


def atom_feed(context: Context, views: list[IssueView]) -> str:
    """An Atom document (RFC 4287) of the published issues, each with its whole body."""
    base = context.urls.base
    updated = max((v.published_at for v in views if v.published_at), default=None)
    title = f"{context.settings.instance_title} newsletter"
    entries = "".join(
        "<entry>"
        f"<id>{escape(v.url)}</id><title>{escape(v.title)}</title>"
        f'<link rel="alternate" type="text/html" href={quoteattr(v.url)}/>'
        f"<updated>{to_ap(v.published_at) if v.published_at else ''}</updated>"
        f"<published>{to_ap(v.published_at) if v.published_at else ''}</published>"
        f'<content type="html" xml:lang={quoteattr(v.language)}>{escape(str(v.body))}</content>'
        "</entry>"
        for v in views
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>{escape(base)}/newsletter</id><title>{escape(title)}</title>"
        f'<link rel="self" type="application/atom+xml"'
        f" href={quoteattr(base + '/newsletter.atom')}/>"
        f'<link rel="alternate" type="text/html" href={quoteattr(base + "/newsletter")}/>'
        f"<updated>{to_ap(updated) if updated else '1970-01-01T00:00:00Z'}</updated>"
        f"<author><name>{escape(context.settings.instance_title)}</name></author>"
        f"{entries}</feed>"
    )


async def atom(request: Request) -> Response:
    """The feed in the language its address names (?lang=), else the server's: the same for
    every reader of one address, so that caches may keep it."""
    context = context_of(request)
    wanted = request.query_params.get("lang", "")
    locale = wanted if wanted in SUPPORTED_LOCALES else context.settings.default_locale
    issues = await archive(context, FEED_ENTRIES)
    views = [v for v in (issue_view(context, i, locale) for i in issues) if v is not None]
    return Response(
        atom_feed(context, views),
        media_type="application/atom+xml; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300"},
    )


routes = [
    Route("/newsletter", archive_page, methods=["GET"]),
    Route("/newsletter.atom", atom, methods=["GET"]),
    Route("/newsletter/{issue_id}", issue_page, methods=["GET"]),
]
