"""A space's library through the client API (our own extension; a space is named by its group
account's id, as everywhere in the API): list a folder or search (`folder_id`, `q`, paged by
`max_id` with a Link header), upload a document (multipart), show one with its versions, remove
it, make a folder. Reading needs `read`, changing needs `write`; a space the caller may not read
is the 404 of one that does not exist."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.base import APIError, Caller, ValidationFailed, authorized, routes
from fedi.api.paging import id_param, limit_of, link_header
from fedi.context import Context
from fedi.core.ids import parse_id
from fedi.core.models import Group
from fedi.core.timeutil import to_api
from fedi.core.validation import BASE, Code, Problem
from fedi.db.library import Document, Folder, Version
from fedi.library import documents, folders
from fedi.library.documents import Upload
from fedi.library.rules import LibraryError
from fedi.library.spaces import Space, space_for
from fedi.media import images
from fedi.web.responses import JSONResponse, private_no_store
from fedi.web.state import context_of

NOT_FOUND = "Record not found"
# Which field each refusal is about, for Mastodon-style `details`.
_FIELDS = {"file": "file", "name": "file", "quota": "file", "details": "title",
           "missing": "folder_id", "exists": "name", "depth": "parent_id"}  # fmt: skip


def folder_json(folder: Folder) -> dict[str, Any]:
    return {
        "id": str(folder.id),
        "name": folder.name,
        "parent_id": str(folder.parent_id) if folder.parent_id else None,
        "created_at": to_api(folder.created_at),
    }


def version_json(context: Context, version: Version) -> dict[str, Any]:
    return {
        "id": str(version.id),
        "url": documents.download_url(context, version),
        "media_type": version.media_type,
        "size": version.size,
        "uploaded_by": str(version.uploaded_by_id) if version.uploaded_by_id else None,
        "created_at": to_api(version.created_at),
    }


def document_json(
    context: Context, document: Document, versions: list[Version] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(document.id),
        "uri": document.uri,
        "name": document.name,
        "title": document.title,
        "description": document.description,
        "language": document.language,
        "folder_id": str(document.folder_id) if document.folder_id else None,
        "media_type": document.latest.media_type,
        "size": document.latest.size,
        "url": documents.download_url(context, document.latest),
        "version_count": document.version_count,
        "uploaded_by": str(document.uploaded_by_id) if document.uploaded_by_id else None,
        "created_at": to_api(document.created_at),
        "updated_at": to_api(document.updated_at),
    }
    if versions is not None:
        body["versions"] = [version_json(context, v) for v in versions]
    return body


def _refusal(exc: LibraryError) -> APIError:
    if exc.status == 404:
        return APIError(404, NOT_FOUND)
    if exc.status == 403:
        return APIError(403, "This action is not allowed")
    field = _FIELDS.get(exc.reason, BASE)
    code: Code = "ERR_TOO_LARGE" if exc.reason == "quota" or exc.status == 413 else "ERR_INVALID"
    return ValidationFailed(Problem(field, code, str(exc), is_sentence=True), status=exc.status)


async def _space(request: Request, caller: Caller) -> Space:
    space_id = parse_id(request.path_params["group_id"])
    space = (
        await space_for(context_of(request), space_id, caller.user.account)
        if space_id is not None
        else None
    )
    if space is None:
        raise APIError(404, NOT_FOUND)
    return space


def _local(space: Space) -> Group:
    if space.group is None:
        raise ValidationFailed.of(
            BASE, "ERR_UNSUPPORTED", "a remote space's library is changed on its server"
        )
    return space.group


def _private(response: Response) -> Response:
    return private_no_store(response)


@authorized("read")
async def index(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    space = await _space(request, caller)
    params = caller.params
    limit = limit_of(params, documents.PAGE_SIZE, 80)
    try:
        found = await documents.listing(
            context, space.account, id_param(params, "folder_id"), params.get("q"),
            id_param(params, "max_id"), limit,
        )  # fmt: skip
    except LibraryError as exc:
        raise _refusal(exc) from None
    body = {
        "folder": folder_json(found.folder) if found.folder else None,
        "path": [folder_json(f) for f in found.path],
        "folders": [folder_json(f) for f in found.folders],
        "documents": [document_json(context, d) for d in found.documents],
    }
    headers = link_header(request, [d.id for d in found.documents]) if found.older_max_id else {}
    return _private(JSONResponse(body, headers=headers))


@authorized("write")
async def create(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    params = caller.params
    upload = params.get_file("file")
    data = None
    if upload is not None:
        try:  # read (and let go of) the file before anything else can refuse the request
            data = await upload.read(images.SIZE_LIMIT + 1)
        finally:
            await upload.close()
    group = _local(await _space(request, caller))
    if upload is None or data is None:
        raise ValidationFailed.of("file", "ERR_BLANK", "must be an uploaded file")
    try:
        document = await documents.upload_document(
            context, group, caller.user.account,
            Upload(
                data=data, file_name=upload.filename, declared_type=upload.content_type,
                title=params.get("title"), description=params.get("description"),
                language=params.get("language"), folder_id=id_param(params, "folder_id"),
            ),
        )  # fmt: skip
    except LibraryError as exc:
        raise _refusal(exc) from None
    versions = await documents.versions_of(context, document)
    return _private(JSONResponse(document_json(context, document, versions)))


async def _document(request: Request, caller: Caller) -> tuple[Space, Document]:
    space = await _space(request, caller)
    document_id = parse_id(request.path_params["document_id"])
    try:
        found = await documents.get_document(context_of(request), space.account, document_id or 0)
    except LibraryError:
        raise APIError(404, NOT_FOUND) from None
    return space, found


@authorized("read")
async def show(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    _, document = await _document(request, caller)
    versions = await documents.versions_of(context, document)
    return _private(JSONResponse(document_json(context, document, versions)))


@authorized("write")
async def delete(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    space, document = await _document(request, caller)
    try:
        await documents.delete_document(context, _local(space), caller.user, document.id)
    except LibraryError as exc:
        raise _refusal(exc) from None
    return _private(JSONResponse(document_json(context, document)))


@authorized("write")
async def create_folder(request: Request, caller: Caller) -> Response:
    space = await _space(request, caller)
    params = caller.params
    try:
        folder = await folders.create_folder(
            context_of(request), _local(space), caller.user.account, params.get("name") or "",
            id_param(params, "parent_id"),
        )  # fmt: skip
    except LibraryError as exc:
        raise _refusal(exc) from None
    return _private(JSONResponse(folder_json(folder)))


library_routes = [
    *routes("/api/v1/groups/{group_id}/library", index, ["GET"]),
    *routes("/api/v1/groups/{group_id}/library", create, ["POST"]),
    *routes("/api/v1/groups/{group_id}/library/folders", create_folder, ["POST"]),
    *routes("/api/v1/groups/{group_id}/library/{document_id}", show, ["GET"]),
    *routes("/api/v1/groups/{group_id}/library/{document_id}", delete, ["DELETE"]),
]
