"""Members' media: uploads (images checked and re-encoded by fedi.media.images, documents
recognised by fedi.media.documents) stored under random names in the media directory, their
description and focal point, attaching them to posts, avatars and headers, and the clean-up of
uploads nobody used. The files are served by fedi.web.media."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import re
import secrets
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from fedi.context import Context
from fedi.core import ids
from fedi.core.models import Attachment
from fedi.core.timeutil import to_db, utcnow
from fedi.core.validation import BASE, Code, Problem, too_long
from fedi.db import media as media_db
from fedi.db.connection import Connection
from fedi.media import documents, images

log = logging.getLogger(__name__)
MAX_ATTACHMENTS = 4
DESCRIPTION_LIMIT = 1500
UNATTACHED_LIFETIME = timedelta(days=1)
# The names we give files: 32 random URL-safe characters and our own extension. The server
# serves nothing whose name does not match, so a name can never leave the media directory.
MEDIA_TYPES = {
    **{ext: media_type for media_type, ext in images.EXTENSIONS.items()},
    **{t.extension: t.media_type for t in documents.TYPES},
}
FILE_NAME = re.compile(rf"\A[A-Za-z0-9_-]{{32}}\.({'|'.join(MEDIA_TYPES)})\Z")
ProfileImage = Literal["avatar", "header"]
# Decoding a large image takes hundreds of megabytes for a second or two: at most two at a time,
# whatever the number of uploads arriving together.
_DECODING = threading.BoundedSemaphore(2)


class MediaError(ValueError):
    """The upload or the request about it is refused; the message says why, and `problem` which
    parameter and what is wrong with it (Mastodon's ERR_ codes, for apps)."""

    def __init__(
        self, message: str, status: int = 422, field: str = BASE, code: Code = "ERR_INVALID"
    ) -> None:
        super().__init__(message)
        self.status = status
        self.problem = Problem(field, code, message)


def _new_name(extension: str) -> str:
    return f"{secrets.token_urlsafe(24)}.{extension}"


def _write_files(directory: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        temporary = directory / f".{name}.part"
        temporary.write_bytes(data)
        temporary.replace(directory / name)


def delete_files(directory: Path, names: Sequence[str | None]) -> None:
    for name in names:
        if name and FILE_NAME.match(name):
            (directory / name).unlink(missing_ok=True)


def _process_attachment(data: bytes) -> images.ProcessedImage:
    with _DECODING:
        return images.process_attachment(data)


def _process_profile_image(data: bytes, box: tuple[int, int]) -> images.Encoded:
    with _DECODING:
        return images.process_profile_image(data, box)


async def _processed(data: bytes) -> images.ProcessedImage:
    try:
        return await asyncio.to_thread(_process_attachment, data)
    except images.ImageTooLarge as exc:
        raise MediaError(str(exc), 413) from None
    except images.ImageError as exc:
        raise MediaError(str(exc)) from None


def check_description(description: str | None) -> str | None:
    if description is not None and len(description) > DESCRIPTION_LIMIT:
        raise MediaError(too_long(DESCRIPTION_LIMIT), field="description", code="ERR_TOO_LONG")
    return description


def parse_focus(text: str | None) -> tuple[float, float] | None:
    """Mastodon's focus parameter "x,y", each from -1.0 to 1.0 (kept within those bounds)."""
    if text is None or text == "":
        return None
    parts = text.split(",")
    try:
        if len(parts) != 2:
            raise ValueError(text)
        x, y = (float(p) for p in parts)
    except ValueError:
        raise MediaError("must be two numbers: x,y", field="focus") from None
    if x != x or y != y:  # NaN
        raise MediaError("must be two numbers: x,y", field="focus")
    return max(-1.0, min(1.0, x)), max(-1.0, min(1.0, y))


async def _image_upload(
    template: media_db.NewUpload, data: bytes
) -> tuple[media_db.NewUpload, dict[str, bytes]]:
    processed = await _processed(data)
    original, preview = processed.original, processed.preview
    names = (_new_name(original.extension), _new_name(preview.extension))
    new = dataclasses.replace(
        template, media_type=original.media_type, file=names[0], size=len(original.data),
        preview_file=names[1], width=original.width, height=original.height,
        preview_width=preview.width, preview_height=preview.height, blurhash=processed.blurhash,
    )  # fmt: skip
    return new, {names[0]: original.data, names[1]: preview.data}


async def _document_upload(
    template: media_db.NewUpload, data: bytes, file_name: str | None, declared_type: str | None
) -> tuple[media_db.NewUpload, dict[str, bytes]]:
    """A document is kept as it came (nothing in it is run or shown by us), with no preview."""
    try:
        found = await asyncio.to_thread(documents.detect, data, file_name, declared_type)
    except documents.DocumentError as exc:
        raise MediaError(str(exc)) from None
    name = _new_name(found.extension)
    new = dataclasses.replace(
        template, media_type=found.media_type, file=name, size=len(data),
        file_name=documents.clean_file_name(file_name), focus=(0.0, 0.0),
    )  # fmt: skip
    return new, {name: data}


async def upload(
    context: Context,
    account_id: int,
    data: bytes,
    description: str | None = None,
    focus: tuple[float, float] | None = None,
    file_name: str | None = None,
    declared_type: str | None = None,
) -> Attachment:
    """Store an uploaded image or document for the member; it waits unattached until a post
    takes it. What it is comes from its bytes: file_name and declared_type (the client's) only
    tell plain text from CSV, and give a document the name it is downloaded under."""
    check_description(description)
    if len(data) > images.SIZE_LIMIT:
        raise MediaError(f"uploads are limited to {images.SIZE_LIMIT // (1024 * 1024)} MiB", 413)
    template = media_db.NewUpload(
        id=ids.new_id(), account_id=account_id, media_type="", file="", size=0,
        description=description or "", focus=focus or (0.0, 0.0), created_at=to_db(utcnow()),
    )  # fmt: skip
    if images.is_image(data):
        new, files = await _image_upload(template, data)
    else:
        new, files = await _document_upload(template, data, file_name, declared_type)
    directory = context.settings.media_dir
    await asyncio.to_thread(_write_files, directory, files)
    try:
        await context.db.write(lambda conn: media_db.insert_upload(conn, new))
    except BaseException:
        delete_files(directory, list(files))
        raise
    log.info("upload %d by account %d: %s, %d bytes", new.id, account_id, new.media_type,
             new.size)  # fmt: skip
    found = await own_upload(context, account_id, new.id)
    assert found is not None
    return found


@dataclasses.dataclass(frozen=True)
class StoredFile:
    name: str
    media_type: str
    size: int


async def store_file(
    context: Context, data: bytes, file_name: str | None, declared_type: str | None
) -> StoredFile:
    """A file kept for itself, with no upload row (a library document's version): checked as
    any upload is, an image re-encoded without its metadata and kept without a preview. The
    caller records it, or deletes it with delete_files if that fails."""
    if len(data) > images.SIZE_LIMIT:
        raise MediaError(f"uploads are limited to {images.SIZE_LIMIT // (1024 * 1024)} MiB", 413)
    template = media_db.NewUpload(
        id=0, account_id=0, media_type="", file="", size=0, description="", focus=(0.0, 0.0),
        created_at="",
    )  # fmt: skip
    if images.is_image(data):
        new, files = await _image_upload(template, data)
    else:
        new, files = await _document_upload(template, data, file_name, declared_type)
    await asyncio.to_thread(_write_files, context.settings.media_dir, {new.file: files[new.file]})
    return StoredFile(new.file, new.media_type, new.size)


async def own_upload(context: Context, account_id: int, media_id: int) -> Attachment | None:
    async with context.db.read() as conn:
        return await media_db.get_unattached(conn, account_id, media_id)


async def update(
    context: Context,
    account_id: int,
    media_id: int,
    description: str | None,
    focus: tuple[float, float] | None,
) -> Attachment | None:
    """Change the description or focal point of an unattached upload; None if there is none."""
    check_description(description)
    await context.db.write(
        lambda conn: media_db.update_upload(conn, account_id, media_id, description, focus)
    )
    return await own_upload(context, account_id, media_id)


async def check_attachable(
    context: Context, account_id: int, media_ids: Sequence[int], status_id: int | None = None,
    scheduled_id: int | None = None,
) -> tuple[int, ...]:  # fmt: skip
    """The ids a post may take, in order, without repeats: at most four of the member's own
    uploads, free or already on this post (an edit). Anything else is refused, as Mastodon does."""
    wanted = tuple(dict.fromkeys(media_ids))
    if len(wanted) > MAX_ATTACHMENTS:
        raise MediaError(f"a post has at most {MAX_ATTACHMENTS} attachments")
    async with context.db.read() as conn:
        found = await media_db.attachable(conn, account_id, wanted, status_id, scheduled_id)
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise MediaError(f"media not found or already in use: {', '.join(missing)}")
    return wanted


def attach(
    conn: Connection, account_id: int, status_id: int, media_ids: Sequence[int], now: str
) -> None:
    """Inside the post's own write: its uploads become exactly media_ids."""
    if not media_db.attach(conn, account_id, status_id, media_ids, now):
        raise MediaError("media already in use by another post")


def detach(conn: Connection, status_id: int, now: str) -> None:
    """Inside a deletion's write: the post's uploads are kept a day for a redraft."""
    media_db.detach_all(conn, status_id, now)


async def clean_up_unattached(
    context: Context, now: datetime | None = None, batch: int = 500
) -> int:
    """Delete uploads (rows and files) that no post has held for a day; returns how many."""
    before = to_db((now or utcnow()) - UNATTACHED_LIFETIME)
    removed = 0
    while True:
        async with context.db.read() as conn:
            stale = await media_db.stale_uploads(conn, before, batch)
        if not stale:
            return removed
        gone_ids = [s[0] for s in stale]
        await context.db.write(functools.partial(media_db.delete_uploads, ids=gone_ids))
        async with context.db.read() as conn:
            kept = await media_db.referenced_files(conn, [n for s in stale for n in s[1:] if n])
        gone = [n for s in stale for n in s[1:] if n and n not in kept]
        await asyncio.to_thread(delete_files, context.settings.media_dir, gone)
        removed += len(stale)
        if len(stale) < batch:
            return removed


async def processed_profile_image(data: bytes, which: ProfileImage) -> images.Encoded:
    box = images.AVATAR_BOX if which == "avatar" else images.HEADER_BOX
    try:
        return await asyncio.to_thread(_process_profile_image, data, box)
    except images.ImageTooLarge as exc:
        raise MediaError(str(exc), 413) from None
    except images.ImageError as exc:
        raise MediaError(str(exc)) from None


async def set_profile_image(
    context: Context, account_id: int, which: ProfileImage, image: images.Encoded | None
) -> None:
    """Store a new avatar or header (None removes it) and delete the file it replaces. The
    caller announces the profile change (Update{Person})."""
    directory = context.settings.media_dir
    name = _new_name(image.extension) if image is not None else None
    if image is not None and name is not None:
        await asyncio.to_thread(_write_files, directory, {name: image.data})
    now = to_db(utcnow())
    old = await context.db.write(
        lambda conn: media_db.set_profile_image(conn, account_id, which, name, now)
    )
    if old and old != name:
        await asyncio.to_thread(delete_files, directory, [old])


async def store_profile_images(
    context: Context, account_id: int, uploads: dict[ProfileImage, bytes]
) -> None:
    """A new avatar and/or header, as update_credentials and the profile settings page send
    them: both are checked before either is stored, so a bad one changes nothing. The caller
    announces the profile change (Update{Person})."""
    prepared = [
        (which, await processed_profile_image(data, which)) for which, data in uploads.items()
    ]
    for which, image in prepared:
        await set_profile_image(context, account_id, which, image)


async def clean_up_regularly(context: Context, stop: asyncio.Event, every: float = 3600) -> None:
    """The server's background clean-up of unused uploads: at start, then every hour."""
    while not stop.is_set():
        try:
            removed = await clean_up_unattached(context)
            if removed:
                log.info("removed %d unused uploads", removed)
        except Exception:  # a worker's top level: log it and try again next time
            log.exception("clean-up of unused uploads failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
