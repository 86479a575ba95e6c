"""/settings/profile: a member edits their display name, bio, up to four profile fields, avatar,
header, and whether they approve followers and appear in the directory. The same feature
functions as PATCH /api/v1/accounts/update_credentials do the work (limits checked first, then
both images, then the text), and the change reaches followers' servers as Update{Person}."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.accounts.profiles import (
    MAX_FIELDS,
    MAX_NAME,
    MAX_NOTE,
    ProfileError,
    check_profile,
    update_profile,
)
from fedi.core.models import User
from fedi.db import accounts
from fedi.media import images, media
from fedi.web.forms import TooLarge, check_csrf, read_upload_form
from fedi.web.member.gate import member_or_sign_in
from fedi.web.settings.base import back, render_settings
from fedi.web.state import context_of
from fedi.web.views import profile_view

PATH = "/settings/profile"
MAX_FIELD_TEXT = 255


@dataclass(frozen=True)
class ProfileForm:
    display_name: str
    note: str
    fields: list[tuple[str, str]]
    locked: bool
    discoverable: bool


def _padded(fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return (fields + [("", "")] * MAX_FIELDS)[:MAX_FIELDS]


async def _current(request: Request, viewer: User) -> ProfileForm:
    account = viewer.account
    async with context_of(request).db.read_now() as conn:
        note = await accounts.note_source(conn, account.id)
    return ProfileForm(
        display_name=account.display_name,
        note=note,
        fields=_padded([(f.name, f.value) for f in account.fields]),
        locked=account.is_locked,
        discoverable=account.is_discoverable,
    )


def _page(
    request: Request, viewer: User, form: ProfileForm, status_code: int = 200, error: str = ""
) -> Response:
    return render_settings(
        request, "profile.html", viewer, "profile", status_code, form=form, error=error,
        profile=profile_view(request, viewer.account), max_name=MAX_NAME, max_note=MAX_NOTE,
        max_field=MAX_FIELD_TEXT, max_upload=images.SIZE_LIMIT,
    )  # fmt: skip


async def profile_settings(request: Request) -> Response:
    viewer = await member_or_sign_in(request)
    if isinstance(viewer, Response):
        return viewer
    return _page(request, viewer, await _current(request, viewer))


def _form_of(fields: dict[str, str]) -> ProfileForm:
    rows = [
        (fields.get(f"fields_attributes[{i}][name]", "").strip(),
         fields.get(f"fields_attributes[{i}][value]", "").strip())
        for i in range(MAX_FIELDS)
    ]  # fmt: skip
    return ProfileForm(
        display_name=fields.get("display_name", "").strip(),
        note=fields.get("note", "").replace("\r\n", "\n"),
        fields=rows,
        locked=fields.get("locked") == "1",
        discoverable=fields.get("discoverable") == "1",
    )


async def save_profile(request: Request) -> Response:
    viewer = await member_or_sign_in(request)
    if isinstance(viewer, Response):
        return viewer
    context = context_of(request)
    try:
        fields, files = await read_upload_form(request, images.SIZE_LIMIT, 2)
    except TooLarge:  # nothing of the form was read: the page as stored, with the reason
        return _page(request, viewer, await _current(request, viewer), 413, "too_large")
    check_csrf(request, fields, context.settings.base_url)
    form = _form_of(fields)
    kept = [(name, value) for name, value in form.fields if name]
    if any(len(name) > MAX_FIELD_TEXT or len(value) > MAX_FIELD_TEXT for name, value in kept):
        return _page(request, viewer, form, 422, "field_too_long")
    uploads: dict[media.ProfileImage, bytes] = {}
    which: media.ProfileImage
    for which in ("avatar", "header"):
        if which in files:
            uploads[which] = files[which]
    try:
        check_profile(form.display_name, form.note, kept)
        await media.store_profile_images(context, viewer.account.id, uploads)
    except ProfileError as exc:
        return _page(request, viewer, form, 422, exc.code)
    except media.MediaError as exc:
        return _page(
            request, viewer, form, exc.status, "too_large" if exc.status == 413 else "image"
        )
    await update_profile(
        context, viewer.account.username, display_name=form.display_name, note=form.note,
        fields=kept, locked=form.locked, discoverable=form.discoverable,
    )  # fmt: skip
    return back(PATH, done="saved")


routes = [
    Route(PATH, profile_settings, methods=["GET"]),
    Route(PATH, save_profile, methods=["POST"]),
]
