"""Translation (Mastodon 4.x): POST /api/v1/statuses/:id/translate gives a Translation entity
of a post the caller may see, in `lang` or the caller's language; GET
/api/v1/instance/translation_languages the engine's language pairs."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi.api.base import APIError, Caller, Params, authorized, public, routes
from fedi.core.ids import parse_id
from fedi.core.models import Status, User
from fedi.db import statuses
from fedi.db.status_translations import Translation
from fedi.i18n.locales import match_locale, parse_accept_language
from fedi.statuses.translation.engines import engine_for
from fedi.statuses.translation.languages import language_tag, pairs_of
from fedi.statuses.translation.translate import (
    EngineError,
    NotTranslatable,
    TranslationDisabled,
    translate_status,
)
from fedi.statuses.visibility import visible_to
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of

UNAVAILABLE = "The translation service is unavailable"


async def _seen(request: Request, status_id: int | None, viewer: User | None) -> Status:
    async with context_of(request).db.read_now() as conn:
        status = await statuses.get_by_id(conn, status_id) if status_id is not None else None
    if status is None or not await visible_to(context_of(request), status, viewer):
        raise APIError(404, "Record not found")
    return status


def target_of(request: Request, caller: Caller) -> str:
    """`lang`, else the member's interface language, else Accept-Language's first, else the
    server's default (Mastodon's request locale)."""
    asked = caller.params.get("lang")
    if asked:
        tag = language_tag(asked)
        if tag is None:
            raise APIError(422, "Validation failed: lang must be a language code")
        return tag
    user = caller.token.user
    if user is not None and (chosen := match_locale(user.locale)):
        return chosen
    for tag in parse_accept_language(request.headers.get("accept-language", "")):
        if found := language_tag(tag):
            return found
    return context_of(request).settings.default_locale


def translation_json(translation: Translation) -> dict[str, Any]:
    """Mastodon's Translation entity (a poll always has options: none means no poll)."""
    t = translation
    poll = {"id": str(t.status_id), "options": [{"title": title} for title in t.poll_options]}
    return {
        "content": t.content,
        "spoiler_text": t.spoiler_text,
        "poll": poll if t.poll_options else None,
        # Those with a description: there is nothing to translate in the others (Mastodon).
        "media_attachments": [
            {"id": str(media_id), "description": text}
            for media_id, text in t.media_descriptions
            if text
        ],
        "detected_source_language": t.detected_source_language,
        "language": t.target_language,
        "provider": t.provider,
    }


@authorized("read:statuses", user=False)
async def translate(request: Request, caller: Caller) -> Response:
    viewer = caller.token.user
    # Seen first, as GET /api/v1/statuses/:id: a post the caller may not see is a 404.
    status = await _seen(request, parse_id(request.path_params["status_id"]), viewer)
    if status.reblog_of_id is not None:  # a boost: its post is what is translated
        status = await _seen(request, status.reblog_of_id, viewer)
    target = target_of(request, caller)
    try:
        translation = await translate_status(context_of(request), status, target)
    except TranslationDisabled:
        raise APIError(404, "Record not found") from None
    except NotTranslatable:
        raise APIError(403, "This action is not allowed") from None
    except EngineError:
        raise APIError(503, UNAVAILABLE) from None
    return JSONResponse(translation_json(translation))


@public
async def translation_languages(request: Request, params: Params) -> Response:
    context = context_of(request)
    engine = engine_for(context.settings)
    if engine is None:
        return JSONResponse({})
    try:
        pairs = await pairs_of(context, engine)
    except EngineError:
        raise APIError(503, UNAVAILABLE) from None
    return JSONResponse(pairs)


translation_routes = [
    *routes("/api/v1/statuses/{status_id}/translate", translate, ["POST"]),
    *routes("/api/v1/instance/translation_languages", translation_languages, ["GET"]),
]
