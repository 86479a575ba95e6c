"""Writing a post from a page: text, content warning, visibility, language, local-only, up to
four attachments with their descriptions, or a poll, now or at a later time; a reply keeps its
thread. The form goes through the same functions as the client API (fedi.statuses.posting and
.scheduled, fedi.media.media), and a refused post comes back with the member's text and the
reason, nothing stored."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.core.html import find_mentions
from fedi.core.ids import parse_id
from fedi.core.models import User, Visibility
from fedi.db import groups as group_rows
from fedi.groups.groups import may_read
from fedi.groups.posting import may_post
from fedi.media import media
from fedi.media.images import SIZE_LIMIT
from fedi.statuses.polls import MAX_EXPIRATION, PollError, PollRequest, check_poll
from fedi.statuses.posting import VISIBILITIES, PostError, post_status
from fedi.statuses.scheduled import ScheduleError, schedule
from fedi.web.forms import check_csrf
from fedi.web.member.feeds import POST_LANGUAGES, Compose, compose_for
from fedi.web.member.gate import back, to_sign_in
from fedi.web.member.scheduled import UNREADABLE, local_moment, refusal_of, zone_for
from fedi.web.signin import viewer_of
from fedi.web.state import context_of, pages_of

MAX_POLL_CHOICES = 4  # as Mastodon's compose box offers them
POLL_DURATIONS = (300, 1800, 3600, 21600, 86400, 259200, 604800)
# Four files at the largest size an image may have, and the text fields around them.
MAX_COMPOSE_BYTES = media.MAX_ATTACHMENTS * SIZE_LIMIT + 256 * 1024


def _(message: str) -> str:
    """Marks a message for the catalogues; it is translated when the page is rendered."""
    return message


NOT_PUBLISHED = _("The post could not be published: write some text or attach a file.")


class Refused(Exception):
    """The post cannot be made as written; the message says why, in the member's language."""


@dataclass(frozen=True)
class Upload:
    data: bytes
    file_name: str | None
    content_type: str | None
    description: str


async def read_compose_form(request: Request) -> FormData:
    """The compose form, multipart (with files) or url-encoded, within its size limits."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_COMPOSE_BYTES:
        raise HTTPException(413, "the post is too large")
    try:
        return await request.form(
            max_files=media.MAX_ATTACHMENTS, max_fields=40, max_part_size=64 * 1024
        )
    except MultiPartException:
        raise HTTPException(400, "the form could not be read") from None


def text_field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


async def _uploads(form: FormData) -> list[Upload]:
    found: list[Upload] = []
    for index in range(1, media.MAX_ATTACHMENTS + 1):
        item = form.get(f"file_{index}")
        if not isinstance(item, UploadFile) or not item.filename:
            continue
        data = await item.read(SIZE_LIMIT + 1)
        if len(data) > SIZE_LIMIT:
            raise Refused(_("A file is larger than 16 MB."))
        if data:
            found.append(Upload(data, item.filename, item.content_type,
                                text_field(form, f"description_{index}").strip()))  # fmt: skip
    return found


def _poll(form: FormData) -> PollRequest | None:
    options = tuple(text_field(form, f"poll_{i}").strip() for i in range(1, MAX_POLL_CHOICES + 1))
    options = tuple(o for o in options if o)
    if not options:
        return None
    raw = text_field(form, "poll_expires_in")
    seconds = int(raw) if raw.isdigit() and len(raw) < 9 else POLL_DURATIONS[4]
    request = PollRequest(
        options=options,
        expires_in=min(seconds, MAX_EXPIRATION),
        is_multiple=form.get("poll_multiple") == "on",
    )
    try:
        check_poll(request)
    except PollError:
        raise Refused(_("A poll needs two to four different choices.")) from None
    return request


async def _in_group(request: Request, viewer: User, name: str, text: str) -> tuple[str, bool]:
    """A post written on a group's page: its text mentioning the group, as an app's post to the
    group does (fedi.statuses.posting then makes it the group's), and whether the group is
    private. A group the member may not read is missing (404); one they may not post in, 403."""
    context = context_of(request)
    async with context.db.read_now() as conn:
        group = await group_rows.get_group_by_name(conn, name)
    if (
        group is None
        or group.account.is_suspended
        or not await may_read(context, group, viewer.account)
    ):
        raise HTTPException(404, "no such account")
    if not await may_post(context, group.account, viewer.account):
        raise HTTPException(403, "only the group's members can post in it")
    username = group.account.username.lower()
    named = {h.lower() for h in find_mentions(text)}
    if not named & {username, f"{username}@{context.settings.domain}"}:
        text = f"@{group.account.username} {text}"
    return text, group.is_private


async def _post(request: Request, viewer: User, form: FormData) -> str | None:
    """Make the post, or keep it for its time; where to go then (None: back where it was
    written)."""
    context = context_of(request)
    when = None
    if asked := text_field(form, "scheduled_at").strip():
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        when = local_moment(asked, await zone_for(request, viewer, fields))
        if when is None:
            raise Refused(UNREADABLE)
    visibility = text_field(form, "visibility") or "public"
    if visibility not in VISIBILITIES:
        raise Refused(_("Choose who can see the post."))
    chosen: Visibility = visibility
    language = text_field(form, "language")
    poll = _poll(form)
    uploads = await _uploads(form)
    text = text_field(form, "status")
    if text_field(form, "group"):
        written = text
        text, is_private = await _in_group(request, viewer, text_field(form, "group"), text)
        if not written.strip() and not uploads:  # the group's mention alone is no post
            raise Refused(NOT_PUBLISHED)
        if not is_private and chosen not in ("public", "unlisted"):
            chosen = "public"  # a public group shares only public and unlisted posts
    if poll is not None and uploads:
        raise Refused(_("A post can have attachments or a poll, not both."))
    reply_to = parse_id(text_field(form, "in_reply_to_id")) if form.get("in_reply_to_id") else None
    media_ids = []
    for upload in uploads:
        try:
            attachment = await media.upload(
                context, viewer.account.id, upload.data, upload.description or None, None,
                upload.file_name, upload.content_type,
            )  # fmt: skip
        except media.MediaError:
            raise Refused(_("A file could not be used: attach images or documents.")) from None
        media_ids.append(attachment.id)
    spoiler = text_field(form, "spoiler_text").strip()
    language = language if language in POST_LANGUAGES else ""
    local_only = form.get("local_only") == "on"
    try:
        if when is not None:
            await schedule(
                context, viewer, when.isoformat(), text=text, visibility=chosen,
                spoiler_text=spoiler, language=language or None, in_reply_to_id=reply_to,
                media_ids=media_ids, poll=poll, local_only=local_only,
            )  # fmt: skip
            return "/scheduled?done=scheduled"
        await post_status(
            context, viewer.account.username, text, chosen, spoiler, language or None,
            in_reply_to_id=reply_to, media_ids=media_ids, poll=poll, local_only=local_only,
        )  # fmt: skip
    except ScheduleError as exc:
        raise Refused(refusal_of(exc) or NOT_PUBLISHED) from None
    except (PostError, PollError):
        raise Refused(NOT_PUBLISHED) from None
    return None


async def create(request: Request) -> Response:
    viewer = await viewer_of(request)
    if viewer is None:
        return to_sign_in(request)
    form = await read_compose_form(request)
    try:
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        check_csrf(request, fields, context_of(request).settings.base_url)
        try:
            target = await _post(request, viewer, form)
        except Refused as reason:
            return await _refused(request, viewer, form, str(reason))
    finally:
        await form.close()  # the uploaded files' temporary copies
    return back({"next": target} if target else fields)


async def _refused(request: Request, viewer: User, form: FormData, reason: str) -> Response:
    """The compose page again, with what the member wrote and why it was not published."""
    locale = pages_of(request).locale_for(request)
    group = text_field(form, "group") or None
    async with context_of(request).db.read_now() as conn:
        found = await group_rows.get_group_by_name(conn, group) if group else None
    compose: Compose = await compose_for(
        request, viewer, text=text_field(form, "status"), group=group,
        scheduled_at=text_field(form, "scheduled_at")[:40],
        group_is_private=found is not None and found.is_private,
    )  # fmt: skip
    response = pages_of(request).render(
        request, "member/compose.html", status_code=422, viewer=viewer, compose=compose,
        error=locale.gettext(reason), next=text_field(form, "next") or "/home",
        title=locale.gettext("New post"),
    )  # fmt: skip
    return response


routes = [Route("/statuses", create, methods=["POST"])]
