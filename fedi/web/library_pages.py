"""A space's library as pages: folders and documents (with the files shared in its posts below
them), search by name or title, a document's page with its versions, and the forms to upload a
document, make a folder and remove a document (CSRF-checked, working without JavaScript).

Who may read the space may read its library; a members-only space's answers everyone else the
404 of a space that does not exist. Only its members see the forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from fedi.activitypub.collections import PAGE_SIZE
from fedi.activitypub.library import LIBRARY_CONTEXT, document_to_ap
from fedi.activitypub.vocab import PUBLIC
from fedi.context import Context
from fedi.core.ids import parse_id
from fedi.core.models import Group, User
from fedi.db import accounts, group_pages
from fedi.db.library import Document, Version
from fedi.groups.groups import group_of
from fedi.library import documents, folders
from fedi.library.access import may_fetch
from fedi.library.documents import Upload
from fedi.library.rules import LibraryError, is_member, may_remove, quota_bytes, used_bytes
from fedi.library.spaces import space_for
from fedi.media.images import SIZE_LIMIT
from fedi.web.actors import load_actor, parse_max_id, remote_signer
from fedi.web.forms import TooLarge, check_csrf, read_file_form, read_form
from fedi.web.group_pages import NO_SUCH_ACCOUNT, find_group, library_views, page_viewer
from fedi.web.group_pages import standing_reads as may_read_space
from fedi.web.people import Person, people
from fedi.web.responses import ActivityResponse
from fedi.web.signin import viewer_of
from fedi.web.state import context_of, pages_of


@dataclass(frozen=True)
class DocumentView:
    document: Document
    url: str  # the newest version's download
    uploaded_by: Person | None


@dataclass(frozen=True)
class VersionView:
    version: Version
    url: str
    uploaded_by: Person | None


async def document_views(context: Context, found: list[Document]) -> list[DocumentView]:
    names = await people(context, {d.uploaded_by_id for d in found})
    return [
        DocumentView(d, documents.download_url(context, d.latest), names.get(d.uploaded_by_id or 0))
        for d in found
    ]


async def _remote_space(request: Request) -> tuple[Group, User | None]:
    """A remote space (`/@name@server/library`) for one of its members here: its documents as
    its server announced them (fedi.library.remote). A stand-in Group carries its account; it is
    never written to (only local spaces take uploads)."""
    viewer = await viewer_of(request)
    username, _, domain = request.path_params["username"].partition("@")
    context = context_of(request)
    async with context.db.read() as conn:
        account = await accounts.get_remote_by_acct(conn, username, domain.lower())
    space = (
        await space_for(context, account.id, viewer.account)
        if account is not None and viewer is not None
        else None
    )
    if space is None or viewer is None:
        raise HTTPException(404, NO_SUCH_ACCOUNT)
    stand_in = Group(space.account, space.account.is_locked, False, False, space.account.created_at)
    return stand_in, viewer


async def _space(request: Request) -> tuple[Group, User | None]:
    if "@" in request.path_params["username"]:
        return await _remote_space(request)
    group = await find_group(request)
    if group is None or group.account.is_suspended:
        raise HTTPException(404, NO_SUCH_ACCOUNT)
    viewer = await page_viewer(request, group)
    if not await may_read_space(context_of(request), group, viewer):
        raise HTTPException(404, NO_SUCH_ACCOUNT)
    return group, viewer


def _number(text: str | None) -> int | None:
    if not text:
        return None
    number = parse_id(text)
    if number is None:
        raise HTTPException(404, "no such folder")
    return number


async def _render_library(
    request: Request, group: Group, viewer: User | None, status: int = 200, **extra: Any
) -> Response:
    context = context_of(request)
    extra.setdefault("error", None)
    folder_id = _number(request.query_params.get("folder") or extra.pop("folder_id", None))
    query = request.query_params.get("q", "").strip()
    before = _number(request.query_params.get("before"))
    try:
        listing = await documents.listing(context, group, folder_id, query, before)
    except LibraryError:
        raise HTTPException(404, "no such folder") from None
    max_id = parse_max_id(request)
    items = []
    remote = group.account.domain is not None
    if folder_id is None and not query and not remote:  # the posts' files, at the top only
        async with context.db.read() as conn:
            items = await group_pages.library_page(
                conn, group.id, max_id, PAGE_SIZE + 1, members_view=group.is_private
            )
    home, base = _paths(group)
    member = not remote and viewer is not None and await is_member(context, group, viewer.account)
    return pages_of(request).render(
        request, "groups/library.html", status, group=group, home=home, base=base,
        group_name=group.account.display_name or group.account.username,
        listing=listing, documents=await document_views(context, listing.documents),
        query=query, items=await library_views(context, items[:PAGE_SIZE]),
        older_max_id=items[PAGE_SIZE - 1].id if len(items) > PAGE_SIZE else None,
        is_first_page=max_id is None, viewer=viewer, is_member=member,
        used=await used_bytes(context, group) if member else 0,
        quota=await quota_bytes(context, group) if member else 0,
        upload_limit=SIZE_LIMIT, **extra,
    )  # fmt: skip


async def library_page(request: Request) -> Response:
    group, viewer = await _space(request)
    return await _render_library(request, group, viewer)


def _paths(group: Group) -> tuple[str, str]:
    """The space's page and its library's, for a local space or a remote one."""
    account = group.account
    home = f"/@{account.username}" + (f"@{account.domain}" if account.domain else "")
    return home, f"{home}/library"


async def _member_form_space(request: Request) -> tuple[Group, User] | Response:
    if "@" in request.path_params["username"]:
        raise HTTPException(404, NO_SUCH_ACCOUNT)  # a remote space's library changes there
    viewer = await viewer_of(request)
    if viewer is None:
        path = f"/@{request.path_params['username']}/library"
        return RedirectResponse(f"/auth/sign_in?{urlencode({'next': path})}", 303)
    group, _ = await _space(request)
    return group, viewer


def _to(group: Group, document_id: int | None = None, folder_id: int | None = None) -> Response:
    path = f"/@{group.account.username}/library"
    if document_id is not None:
        path += f"/{document_id}"
    elif folder_id is not None:
        path += f"?folder={folder_id}"
    return RedirectResponse(path, 303)


async def upload(request: Request) -> Response:
    found = await _member_form_space(request)
    if isinstance(found, Response):
        return found
    group, viewer = found
    context = context_of(request)
    try:
        fields, files = await read_file_form(request, SIZE_LIMIT, 1)
    except TooLarge:
        return await _render_library(request, group, viewer, 413, error="file")
    check_csrf(request, fields, context.settings.base_url)
    chosen = files.get("file")
    folder_id = _number(fields.get("folder_id"))
    if chosen is None or not chosen.data:
        return await _render_library(request, group, viewer, 422, error="missing_file")
    try:
        document = await documents.upload_document(
            context, group, viewer.account,
            Upload(
                data=chosen.data, file_name=fields.get("name") or chosen.file_name,
                declared_type=chosen.declared_type,
                title=fields.get("title"), description=fields.get("description"),
                language=fields.get("language"), folder_id=folder_id,
            ),
        )  # fmt: skip
    except LibraryError as exc:
        return await _render_library(
            request, group, viewer, exc.status, error=exc.reason, folder_id=fields.get("folder_id")
        )
    return _to(group, document.id)


async def new_folder(request: Request) -> Response:
    found = await _member_form_space(request)
    if isinstance(found, Response):
        return found
    group, viewer = found
    context = context_of(request)
    form = await read_form(request)
    check_csrf(request, form, context.settings.base_url)
    parent_id = _number(form.get("parent_id"))
    try:
        folder = await folders.create_folder(
            context, group, viewer.account, form.get("name", ""), parent_id
        )
    except LibraryError as exc:
        return await _render_library(
            request, group, viewer, exc.status, error=exc.reason, folder_id=form.get("parent_id")
        )
    return _to(group, folder_id=folder.id)


async def document_page(request: Request) -> Response:
    group, viewer = await _space(request)
    context = context_of(request)
    try:
        document = await documents.get_document(
            context, group, _number(request.path_params["document_id"]) or 0
        )
    except LibraryError:
        raise HTTPException(404, "no such document") from None
    versions = await documents.versions_of(context, document)
    names = await people(context, {v.uploaded_by_id for v in versions})
    views = [
        VersionView(v, documents.download_url(context, v), names.get(v.uploaded_by_id or 0))
        for v in versions
    ]
    path = await documents.path_of(context, document.folder_id)
    home, base = _paths(group)
    removable = (
        document.is_local
        and viewer is not None
        and await may_remove(context, group, viewer, document.uploaded_by_id)
    )
    may_add = (
        document.is_local and viewer is not None and await is_member(context, group, viewer.account)
    )
    return pages_of(request).render(
        request, "groups/library_document.html", group=group, document=document, home=home,
        base=base, may_add=may_add,
        group_name=group.account.display_name or group.account.username, versions=views,
        path=path, viewer=viewer, may_remove=removable,
    )  # fmt: skip


async def delete(request: Request) -> Response:
    found = await _member_form_space(request)
    if isinstance(found, Response):
        return found
    group, viewer = found
    context = context_of(request)
    form = await read_form(request)
    check_csrf(request, form, context.settings.base_url)
    document_id = _number(request.path_params["document_id"]) or 0
    try:
        document = await documents.get_document(context, group, document_id)
        await documents.delete_document(context, group, viewer, document_id)
    except LibraryError:
        raise HTTPException(404, "no such document") from None
    return _to(group, folder_id=document.folder_id)


async def document_object(request: Request) -> Response:
    """A library document's ActivityStreams id: the Document as the space sent it; a
    members-only space's only to a signed fetch by one of its members (else the 404 of an
    object that does not exist, security.md V1, V2)."""
    account = await load_actor(request)
    context = context_of(request)
    group = await group_of(context, account)
    if group is None or account.is_suspended or group.is_local_only:
        raise HTTPException(404, "no such object")
    if group.is_private and not await may_fetch(context, group, await remote_signer(request)):
        raise HTTPException(404, "no such object")
    try:
        document = await documents.get_document(
            context, group, _number(request.path_params["document_id"]) or 0
        )
    except LibraryError:
        raise HTTPException(404, "no such object") from None
    followers = account.followers_uri or account.uri
    to, cc = ([followers], []) if group.is_private else ([PUBLIC], [followers])
    url = documents.download_url(context, document.latest)
    found = document_to_ap(document, document.latest, account, url, to, cc)
    return ActivityResponse({"@context": LIBRARY_CONTEXT, **found})


routes = [
    Route("/users/{username}/library/{document_id}", document_object, methods=["GET"]),
    Route("/@{username}/library", library_page, methods=["GET"]),
    Route("/@{username}/library/upload", upload, methods=["POST"]),
    Route("/@{username}/library/folders", new_folder, methods=["POST"]),
    Route("/@{username}/library/{document_id}", document_page, methods=["GET"]),
    Route("/@{username}/library/{document_id}/delete", delete, methods=["POST"]),
]
