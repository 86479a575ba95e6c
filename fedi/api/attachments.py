"""Mastodon's MediaAttachment entity, for our own uploads and for remote posts' attachments."""

from __future__ import annotations

from typing import Any

from fedi.core.models import Attachment
from fedi.core.urls import Urls


def _size(width: int | None, height: int | None) -> dict[str, Any] | None:
    if not width or not height:
        return None
    return {"width": width, "height": height, "size": f"{width}x{height}",
            "aspect": width / height}  # fmt: skip


def _kind(media_type: str) -> str:
    for prefix, kind in (("image/gif", "image"), ("image/", "image"), ("video/", "video"),
                         ("audio/", "audio")):  # fmt: skip
        if media_type.startswith(prefix):
            return kind
    return "unknown"


def attachment_json(urls: Urls, attachment: Attachment) -> dict[str, Any]:
    """Mastodon's MediaAttachment: our own files by their absolute URL, a remote one where its
    server has it (remote_url)."""
    a = attachment
    local = a.file is not None
    kind = _kind(a.media_type)
    url = urls.attachment(a.file) if a.file else a.url
    preview_url = urls.attachment(a.preview_file) if a.preview_file else url
    meta: dict[str, Any] = {}
    if original := _size(a.width, a.height):
        meta["original"] = original
    if local and (small := _size(a.preview_width, a.preview_height)):
        meta["small"] = small
    if local:
        meta["focus"] = {"x": a.focus_x, "y": a.focus_y}
    # A document (ours or a remote one): Mastodon gives a file it does not process no preview
    # and no meta.
    document = kind == "unknown"
    return {
        "id": str(a.id),
        "type": kind,
        "url": url,
        "preview_url": None if document else preview_url,
        "remote_url": None if local else a.url,
        "preview_remote_url": None,
        "text_url": None,
        "meta": None if document else meta,
        "description": a.description or None,
        "blurhash": a.blurhash,
    }


def rejected_attachment_json(body: dict[str, Any]) -> dict[str, Any]:
    """An attachment of a domain whose media this instance rejects, as Mastodon shows one it
    never downloaded: type `unknown`, no url nor preview, the remote_url kept as a link."""
    return body | {"type": "unknown", "url": None, "preview_url": None, "meta": None,
                   "blurhash": None}  # fmt: skip
