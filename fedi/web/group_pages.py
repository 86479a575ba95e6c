"""Group pages: a group's profile (a public group's posts for everyone; a private group's only
for its members, others see its description and nothing else), joining and leaving, and the
shared library of files from the group's posts, as a page and as an ActivityPub collection.

A local-only group exists only for members of this server who are signed in; anyone else, like
a non-member asking for a private group's library, gets the same 404 as for a missing account."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from fedi.accounts.members import MemberError
from fedi.activitypub.collections import PAGE_SIZE, ordered_collection, ordered_page
from fedi.activitypub.library import file_url, library_item_to_ap
from fedi.context import Context
from fedi.core.html import sanitized_kept
from fedi.core.models import Group, GroupModerator, Status, User
from fedi.db import accounts, group_pages, statuses
from fedi.db import groups as group_rows
from fedi.db.group_pages import LibraryItem
from fedi.groups.groups import may_read
from fedi.groups.moderation import may_moderate
from fedi.relationships.relationships import follow, unfollow
from fedi.web.actors import is_page_request, load_actor, parse_max_id, remote_signer
from fedi.web.enhance import is_fragment_request, vary_on_htmx
from fedi.web.forms import check_csrf, read_form, safe_next
from fedi.web.member.group_feed import member_view
from fedi.web.people import Person, people, person
from fedi.web.responses import ActivityResponse
from fedi.web.signin import viewer_of
from fedi.web.state import context_of, pages_of
from fedi.web.views import ProfileView

NO_SUCH_ACCOUNT = "no such account"


@dataclass(frozen=True)
class GroupPostView:
    status: Status
    content: Markup
    author: Person | None


@dataclass(frozen=True)
class LibraryView:
    item: LibraryItem
    url: str
    is_image: bool
    shared_by: Person | None


@dataclass(frozen=True)
class Standing:
    """The signed-in visitor's place in a group."""

    membership: str | None  # accepted, pending or None
    is_banned: bool
    is_moderator: bool
    may_read: bool


async def find_group(request: Request) -> Group | None:
    """The local group named in the path, local-only ones included."""
    async with context_of(request).db.read_now() as conn:
        return await group_rows.get_group_by_name(conn, request.path_params["username"])


async def page_viewer(request: Request, group: Group) -> User | None:
    """The signed-in visitor; a local-only group does not exist for anyone else."""
    viewer = await viewer_of(request)
    if group.is_local_only and viewer is None:
        raise HTTPException(404, NO_SUCH_ACCOUNT)
    return viewer


async def standing(context: Context, group: Group, viewer: User | None) -> Standing:
    if viewer is None:
        return Standing(None, False, False, await may_read(context, group, None))
    async with context.db.read_now() as conn:
        state = await group_rows.membership(conn, group.id, viewer.account.id)
        banned = await group_rows.is_banned(conn, group.id, viewer.account.id)
    return Standing(
        membership=None if banned else state,
        is_banned=banned,
        is_moderator=await may_moderate(context, group, viewer),
        may_read=await may_read(context, group, viewer.account),
    )


POST = "groups/_post.html"  # one post, the same for everyone but the group's moderators


async def post_views(context: Context, posts: list[Status]) -> list[GroupPostView]:
    """Posts with their authors; a private group's copy names the member who wrote it."""
    authors = await people(context, {s.submitted_by_id or s.account_id for s in posts})
    return [
        GroupPostView(
            status=s,
            content=Markup(sanitized_kept(s.content)),  # noqa: S704 - sanitised by nh3
            author=authors.get(s.submitted_by_id or s.account_id),
        )
        for s in posts
    ]


async def group_profile(request: Request, group: Group, profile: ProfileView) -> Response:
    """The HTML profile of a group (pages.profile hands groups over to here)."""
    context = context_of(request)
    viewer = await page_viewer(request, group)
    place = await standing(context, group, viewer)
    max_id = parse_max_id(request)
    posts: list[Status] = []
    moderators: list[GroupModerator] = []
    async with context.db.read_now() as conn:
        count = await group_rows.member_count(conn, group.id)
        if place.may_read and not group.account.is_suspended:
            posts = await group_pages.posts_page(
                conn, group.id, max_id, PAGE_SIZE + 1, members_view=group.is_private
            )
            moderators = await group_rows.moderators(conn, group.id)
    older = posts[PAGE_SIZE - 1].id if len(posts) > PAGE_SIZE else None
    member = None
    if viewer is not None and place.may_read:  # the member app: cards with their actions
        member = await member_view(request, group, viewer, posts[:PAGE_SIZE], older)
        if is_fragment_request(request):
            fragment = pages_of(request).render(
                request, "groups/_member_posts_more.html", cards=member.cards, older=member.older,
                viewer=viewer, here=member.here, standing=place, group=group,
            )  # fmt: skip
            return vary_on_htmx(fragment)
    views = [] if member else await post_views(context, posts[:PAGE_SIZE])
    pages = pages_of(request)
    response = pages.render(
        request,
        "groups/profile.html",
        profile=profile,
        group=group,
        member_count=count,
        standing=place,
        posts=views,
        post_cards=None if place.is_moderator else pages.fragments(request, POST, views),
        moderators=[person(m.account, context) for m in moderators],
        older_max_id=older,
        is_first_page=max_id is None,
        viewer=viewer,
        member=member,
    )
    # A member's page (kept private by render) may come as a fragment too.
    return vary_on_htmx(response) if viewer is not None else response


async def group_status(
    request: Request, group: Group, profile: ProfileView, status_id: int
) -> Response:
    """One post of the group: public ones for everyone, a private group's for its members."""
    context = context_of(request)
    viewer = await page_viewer(request, group)
    async with context.db.read_now() as conn:
        status = await statuses.get_of_account(conn, group.id, status_id)
    visible = (
        status is not None
        and not group.account.is_suspended
        and (
            status.visibility in ("public", "unlisted")
            or (
                status.visibility == "private"
                and group.is_private
                and await standing_reads(context, group, viewer)
            )
        )
    )
    if status is None or not visible:
        raise HTTPException(404, "no such post")
    view = (await post_views(context, [status]))[0]
    return pages_of(request).render(
        request, "groups/status.html", profile=profile, post=view, viewer=viewer
    )


async def standing_reads(context: Context, group: Group, viewer: User | None) -> bool:
    return await may_read(context, group, viewer.account if viewer else None)


async def _membership_change(request: Request, joining: bool) -> Response:
    context = context_of(request)
    name = request.path_params["username"]
    form = await read_form(request)
    check_csrf(request, form, context.settings.base_url)
    viewer = await viewer_of(request)
    if viewer is None:
        return RedirectResponse(f"/auth/sign_in?next=/@{name}", 303)
    group = await find_group(request)
    if group is None or group.account.is_suspended:
        raise HTTPException(404, NO_SUCH_ACCOUNT)
    async with context.db.read() as conn:
        banned = await group_rows.is_banned(conn, group.id, viewer.account.id)
    try:
        if joining and not banned:
            await follow(context, viewer.account.username, group.account)
        elif not joining:
            await unfollow(context, viewer.account.username, group.account)
    except MemberError:
        pass  # the page shows where the visitor stands
    # Back to the page the form was on (the group's, or the directory of spaces).
    return RedirectResponse(safe_next(form.get("next") or f"/@{group.account.username}"), 303)


async def join(request: Request) -> Response:
    return await _membership_change(request, joining=True)


async def leave(request: Request) -> Response:
    return await _membership_change(request, joining=False)


async def library_views(context: Context, items: list[LibraryItem]) -> list[LibraryView]:
    sharers = await people(context, {i.shared_by_id for i in items})
    return [
        LibraryView(
            item=i,
            url=file_url(i, context.urls),
            is_image=i.media_type.startswith("image/"),
            shared_by=sharers.get(i.shared_by_id),
        )
        for i in items
    ]


async def library_collection(request: Request) -> Response:
    """The library as an OrderedCollection of Documents; a private group's only for a signed
    fetch by a reader groups.may_read allows (a member, or its server's instance actor)."""
    account = await load_actor(request)
    context = context_of(request)
    async with context.db.read() as conn:
        group = await group_rows.get_group(conn, account.id)
    if group is None or account.is_suspended:
        raise HTTPException(404, NO_SUCH_ACCOUNT)
    if group.is_private and not await may_read(context, group, await remote_signer(request)):
        raise HTTPException(404, NO_SUCH_ACCOUNT)
    uri = f"{account.uri}/library"
    max_id = parse_max_id(request)
    async with context.db.read() as conn:
        total = await group_pages.library_count(conn, group.id, members_view=group.is_private)
        if not is_page_request(request):
            return ActivityResponse(ordered_collection(uri, total))
        items = await group_pages.library_page(
            conn, group.id, max_id, PAGE_SIZE + 1, members_view=group.is_private
        )
        sharers = {i.shared_by_id: await accounts.get_by_id(conn, i.shared_by_id) for i in items}
    documents = [
        library_item_to_ap(i, sharers.get(i.shared_by_id), context.urls) for i in items[:PAGE_SIZE]
    ]
    last = items[PAGE_SIZE - 1].id if len(items) > PAGE_SIZE else None
    return ActivityResponse(
        ordered_page(uri, max_id, total, documents, last, len(items) > PAGE_SIZE)
    )


routes = [
    Route("/@{username}/join", join, methods=["POST"]),
    Route("/@{username}/leave", leave, methods=["POST"]),
    Route("/users/{username}/library", library_collection, methods=["GET"]),
]
