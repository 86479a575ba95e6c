"""Public web pages for visitors: the instance's home/about page, profiles and single posts."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from fedi.activitypub.actor import actor_to_ap
from fedi.activitypub.collections import PAGE_SIZE
from fedi.core.models import Status
from fedi.db import account_stats, accounts, statuses
from fedi.federation.serialize import note_document
from fedi.moderation.instance_rules import list_rules
from fedi.statuses.threads import thread_of
from fedi.web import group_pages
from fedi.web.actors import load_actor, parse_max_id, parse_status_id
from fedi.web.limited_federation import sign_in_required
from fedi.web.member import threads
from fedi.web.member.cards import cards
from fedi.web.member.profiles import member_profile
from fedi.web.negotiation import wants_activity_json
from fedi.web.responses import ActivityResponse, private_no_store
from fedi.web.signin import viewer_of
from fedi.web.state import context_of, pages_of
from fedi.web.views import post_view, profile_view

MEMBERS_ON_HOME = 40


async def home(request: Request) -> Response:
    viewer = await viewer_of(request)
    if viewer is not None and request.url.path == "/":
        # A signed-in member's front page is their home feed (/about stays the instance's).
        query = f"?{request.url.query}" if request.url.query else ""
        return private_no_store(RedirectResponse(f"/home{query}", 302))
    context = context_of(request)
    async with context.db.read() as conn:
        members = await accounts.list_public_members(conn, MEMBERS_ON_HOME)
        totals = await accounts.instance_totals(conn)
    settings = context.settings
    return pages_of(request).render(
        request,
        "pages/home.html",
        description=settings.instance_description,
        domain=settings.domain,
        registrations=settings.registrations,
        contact_email=settings.contact_email,
        member_count=totals.members,
        post_count=totals.local_posts,
        members=[profile_view(request, m) for m in members],
        rules=await list_rules(context),
        viewer=viewer,
    )


async def profile(request: Request) -> Response:
    if not wants_activity_json(request) and (gate := await sign_in_required(request)):
        return gate  # limited federation mode: pages for members only
    if not wants_activity_json(request) and (group := await group_pages.find_group(request)):
        return await group_pages.group_profile(request, group, profile_view(request, group.account))
    if not wants_activity_json(request) and (viewer := await viewer_of(request)) is not None:
        return await member_profile(request, viewer)  # with the member's buttons and cards
    account = await load_actor(request)
    context = context_of(request)
    if wants_activity_json(request):
        return ActivityResponse(actor_to_ap(account, context.urls))
    max_id = parse_max_id(request)
    posts: list[Status] = []
    async with context.db.read_now() as conn:
        counts = await account_stats.counts(conn, account.id)
        if not account.is_suspended:
            posts = await statuses.public_page(conn, account.id, max_id, PAGE_SIZE + 1)
    older = posts[PAGE_SIZE - 1].id if len(posts) > PAGE_SIZE else None
    return pages_of(request).render(
        request,
        "pages/profile.html",
        profile=profile_view(request, account),
        counts=counts,
        posts=[post_view(s) for s in posts[:PAGE_SIZE]],
        older_max_id=older,
        is_first_page=max_id is None,
        viewer=await viewer_of(request),
    )


async def status_page(request: Request) -> Response:
    if not wants_activity_json(request) and (gate := await sign_in_required(request)):
        return gate  # limited federation mode: pages for members only
    if not wants_activity_json(request) and (group := await group_pages.find_group(request)):
        # A group's posts keep the group's own page (its banner, its members' rules).
        view = profile_view(request, group.account)
        return await group_pages.group_status(request, group, view, parse_status_id(request))
    viewer = None if wants_activity_json(request) else await viewer_of(request)
    if viewer is not None:
        return await threads.thread_page(request, viewer)  # the whole thread, with its actions
    account = await load_actor(request)
    if account.is_suspended:
        raise HTTPException(404, "no such post")
    context = context_of(request)
    async with context.db.read_now() as conn:
        status = await statuses.get_public(conn, account.id, parse_status_id(request))
    if status is None or status.is_local_only:  # web pages are public: the same 404 as missing
        raise HTTPException(404, "no such post")
    if wants_activity_json(request):
        return ActivityResponse(await note_document(context, status, account))
    # The public replies below it, as anyone may see them (members get the whole thread).
    thread = await thread_of(context, status, None)
    replies = await cards(context, thread.descendants, None, "thread", batch=thread.batch)
    return pages_of(request).render(
        request,
        "pages/status.html",
        profile=profile_view(request, account),
        post=post_view(status),
        replies=replies,
        viewer=None,
    )


routes = [
    Route("/", home, methods=["GET"]),
    Route("/about", home, methods=["GET"]),
    Route("/@{username}", profile, methods=["GET"]),
    # A post: its ActivityStreams document, a group's post page, a signed-in member's thread
    # (fedi.web.member.threads), or the public page of a local post for visitors.
    Route("/@{username}/{status_id}", status_page, methods=["GET"]),
]
