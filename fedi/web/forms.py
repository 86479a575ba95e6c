"""HTML form handling: bounded url-encoded bodies and CSRF protection.

CSRF uses a double-submitted token: a random value in a SameSite=Strict, HttpOnly cookie that
every form repeats in a hidden field, plus an Origin check when the browser sends one.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

CSRF_COOKIE = "csrf"
CSRF_FIELD = "csrf_token"
MAX_FORM_BYTES = 64 * 1024


def csrf_token_for(request: Request) -> tuple[str, bool]:
    """The visitor's CSRF token, and whether it is new (and so must be set as a cookie)."""
    existing = request.cookies.get(CSRF_COOKIE, "")
    if 20 <= len(existing) <= 64 and existing.replace("-", "").replace("_", "").isalnum():
        return existing, False
    return secrets.token_urlsafe(32), True


async def read_form(request: Request) -> dict[str, str]:
    """The fields of an application/x-www-form-urlencoded body; the first value of each."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise HTTPException(415, "expected a form")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise HTTPException(413, "the form is too large")
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50)
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(400, "the form could not be read") from None
    return {name: values[0] for name, values in fields.items()}


class TooLarge(Exception):
    """The form's body is over its cap: nothing of it was read."""


@dataclass(frozen=True)
class FormFile:
    """A file chosen in a form: the name it had on the visitor's device, the type the browser
    declared (neither is trusted), and its bytes (up to the caller's cap + 1)."""

    file_name: str
    declared_type: str | None
    data: bytes


async def read_file_form(
    request: Request, max_bytes: int, max_files: int
) -> tuple[dict[str, str], dict[str, FormFile]]:
    """A form that may carry files (multipart/form-data, or url-encoded when it has none): its
    text fields (first value of each) and the files chosen, each read up to `max_bytes` + 1
    bytes so that the caller sees which is too large. A body over the whole cap raises TooLarge
    before it is parsed."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/x-www-form-urlencoded":
        return await read_form(request), {}
    if content_type != "multipart/form-data":
        raise HTTPException(415, "expected a form")
    cap = max_files * max_bytes + MAX_FORM_BYTES
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise TooLarge()
    if not declared:
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > cap:
                raise TooLarge()
        request._body = bytes(body)  # the multipart parser reads the kept bytes
    try:
        form = await request.form(max_files=max_files, max_fields=50, max_part_size=MAX_FORM_BYTES)
    except Exception:  # the multipart parser's own errors have no common base
        raise HTTPException(400, "the form could not be read") from None
    fields: dict[str, str] = {}
    files: dict[str, FormFile] = {}
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            try:
                data = await value.read(max_bytes + 1)
            finally:
                await value.close()
            if data or value.filename:  # an empty file input sends a nameless, empty part
                files.setdefault(name, FormFile(value.filename or "", value.content_type, data))
        else:
            fields.setdefault(name, value)
    return fields, files


async def read_upload_form(
    request: Request, max_bytes: int, max_files: int
) -> tuple[dict[str, str], dict[str, bytes]]:
    """read_file_form, keeping only each file's bytes."""
    fields, files = await read_file_form(request, max_bytes, max_files)
    return fields, {name: chosen.data for name, chosen in files.items()}


def check_csrf(request: Request, form: dict[str, str], base_url: str) -> None:
    origin = request.headers.get("origin")
    if origin is not None and origin != base_url:
        raise HTTPException(403, "this form was sent from another site")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    field = form.get(CSRF_FIELD, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), field.encode()):
        raise HTTPException(403, "the form has expired; reload the page and try again")


def safe_next(target: str | None) -> str:
    """A local path to go to after a form, never another site (no open redirect)."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 32 for c in target)
    ):
        return "/"
    return target
