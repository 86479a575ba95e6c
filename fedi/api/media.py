"""Media: upload of images and documents (v2 and the legacy v1), show, describe and delete one's
unattached uploads; the MediaAttachment entity; avatar and header files for update_credentials
and their removal."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fedi.accounts.members import get_member
from fedi.accounts.profiles import update_profile
from fedi.api.attachments import attachment_json
from fedi.api.base import (
    APIError,
    Caller,
    Params,
    ValidationFailed,
    authorized,
    owned_by_caller,
    routes,
)  # fmt: skip
from fedi.api.entities import credential_account_json
from fedi.context import Context
from fedi.core.ids import parse_id
from fedi.core.models import Attachment
from fedi.core.validation import BASE
from fedi.db import media as media_db
from fedi.media import images, media
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of


async def _file_of(params: Params, name: str) -> bytes | None:
    found = await _upload_of(params, name)
    return found[0] if found else None


async def _upload_of(params: Params, name: str) -> tuple[bytes, str | None, str | None] | None:
    """The bytes of a file field, with the client's file name and type for it."""
    upload = params.get_file(name)
    if upload is None:
        return None
    try:
        # One byte over the limit is enough to know it is too large.
        data = await upload.read(images.SIZE_LIMIT + 1)
    finally:
        await upload.close()
    return data, upload.filename, upload.content_type


def media_ids_param(params: Params) -> list[int]:
    """`media_ids[]` of a post: ids as strings (or JSON numbers); more than four is refused
    later, a malformed one now."""
    raw = params.get_list("media_ids")
    if len(raw) > 2 * media.MAX_ATTACHMENTS:
        raise ValidationFailed.of(
            BASE, "ERR_TOO_LONG", f"Cannot attach more than {media.MAX_ATTACHMENTS} files"
        )
    found = [parse_id(str(v)) if isinstance(v, str | int) and not isinstance(v, bool) else None
             for v in raw]  # fmt: skip
    if any(v is None for v in found):
        raise ValidationFailed.of("media_ids", "ERR_INVALID", "must be ids")
    return [v for v in found if v is not None]


def _media_error(exc: media.MediaError) -> APIError:
    if exc.status != 422:  # too large (413): no field is wrong, the whole request is
        return APIError(exc.status, f"Validation failed: {exc}")
    return ValidationFailed(exc.problem)


@authorized("write:media")
async def create(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    found = await _upload_of(caller.params, "file")
    if found is None:
        raise ValidationFailed.of("file", "ERR_BLANK", "must be an uploaded image or document")
    data, file_name, declared_type = found
    try:
        attachment = await media.upload(
            context, caller.user.account.id, data, caller.params.get("description"),
            media.parse_focus(caller.params.get("focus")), file_name, declared_type,
        )  # fmt: skip
    except media.MediaError as exc:
        raise _media_error(exc) from None
    return JSONResponse(attachment_json(context.urls, attachment))


async def _own(request: Request, caller: Caller) -> Attachment:
    return await owned_by_caller(request, caller, "media_id", media_db.get_unattached)


@authorized("write:media")
async def show(request: Request, caller: Caller) -> Response:
    return JSONResponse(attachment_json(context_of(request).urls, await _own(request, caller)))


@authorized("write:media")
async def update(request: Request, caller: Caller) -> Response:
    context = context_of(request)
    found = await _own(request, caller)
    try:
        updated = await media.update(
            context, caller.user.account.id, found.id, caller.params.get("description"),
            media.parse_focus(caller.params.get("focus")),
        )  # fmt: skip
    except media.MediaError as exc:
        raise _media_error(exc) from None
    if updated is None:
        raise APIError(404, "Record not found")
    return JSONResponse(attachment_json(context.urls, updated))


@authorized("write:media")
async def destroy(request: Request, caller: Caller) -> Response:
    """Mastodon 4.4: an upload no post holds can be deleted at once."""
    context = context_of(request)
    found = await _own(request, caller)
    await context.db.write(lambda conn: media_db.delete_uploads(conn, [found.id]))
    media.delete_files(context.settings.media_dir, [found.file, found.preview_file])
    return JSONResponse({})


async def store_profile_images(context: Context, account_id: int, params: Params) -> None:
    """update_credentials' `avatar` and `header` files: both checked before either is stored."""
    uploads: dict[media.ProfileImage, bytes] = {}
    which: media.ProfileImage
    for which in ("avatar", "header"):
        data = await _file_of(params, which)
        if data is not None:
            uploads[which] = data
    try:
        await media.store_profile_images(context, account_id, uploads)
    except media.MediaError as exc:
        raise _media_error(exc) from None


async def _remove_profile_image(
    request: Request, caller: Caller, which: media.ProfileImage
) -> Response:
    context = context_of(request)
    account = caller.user.account
    if (account.avatar_file if which == "avatar" else account.header_file) is not None:
        await media.set_profile_image(context, account.id, which, None)
        await update_profile(context, account.username)  # federates the change as Update
    user = await get_member(context, account.username)
    return JSONResponse(await credential_account_json(context, user))


@authorized("write:accounts")
async def remove_avatar(request: Request, caller: Caller) -> Response:
    return await _remove_profile_image(request, caller, "avatar")


@authorized("write:accounts")
async def remove_header(request: Request, caller: Caller) -> Response:
    return await _remove_profile_image(request, caller, "header")


media_routes = [
    *routes("/api/v2/media", create, ["POST"]),
    *routes("/api/v1/media", create, ["POST"]),
    *routes("/api/v1/media/{media_id}", show, ["GET"]),
    *routes("/api/v1/media/{media_id}", update, ["PUT"]),
    *routes("/api/v1/media/{media_id}", destroy, ["DELETE"]),
    *routes("/api/v1/profile/avatar", remove_avatar, ["DELETE"]),
    *routes("/api/v1/profile/header", remove_header, ["DELETE"]),
]
