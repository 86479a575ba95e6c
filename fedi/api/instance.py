"""GET /api/v1/instance and /api/v2/instance, with every field apps require (client-api.md)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fedi import __version__
from fedi.api.base import Params, public, routes
from fedi.core.config import SUPPORTED_LOCALES, Settings
from fedi.db import accounts
from fedi.media import documents, images, media
from fedi.moderation.instance_rules import list_rules
from fedi.push.vapid import vapid_key
from fedi.statuses.polls import LIMITS as POLL_LIMITS
from fedi.statuses.posting import MAX_CHARACTERS
from fedi.statuses.translation import rules as translation_rules
from fedi.web.discovery import MASTODON_API_VERSION
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of

VERSION = f"{MASTODON_API_VERSION} (compatible; fedi {__version__})"
SUPPORTED_TYPES = [*images.FORMATS.values(), *(t.media_type for t in documents.TYPES)]


async def rules_json(request: Request) -> list[dict[str, str]]:
    """Mastodon's Rule entity: the id as a string, the text and its hint."""
    rules = await list_rules(context_of(request))
    return [{"id": str(rule.id), "text": rule.text, "hint": rule.hint} for rule in rules]


def configuration(streaming: str, settings: Settings, vapid_public: str) -> dict[str, Any]:
    return {
        "urls": {"streaming": streaming},
        "vapid": {"public_key": vapid_public},
        "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
        "statuses": {
            "max_characters": MAX_CHARACTERS,
            "max_media_attachments": media.MAX_ATTACHMENTS,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": SUPPORTED_TYPES,
            "image_size_limit": images.SIZE_LIMIT,
            "image_matrix_limit": images.MATRIX_LIMIT,
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
            "description_limit": media.DESCRIPTION_LIMIT,
        },
        "polls": dict(POLL_LIMITS),
        "translation": {"enabled": translation_rules.is_enabled(settings)},
    }


@public
async def instance_v2(request: Request, params: Params) -> Response:
    context = context_of(request)
    settings = context.settings
    async with context.db.read() as conn:
        usage = await accounts.usage(conn, "", "")
    streaming = f"{'wss' if settings.scheme == 'https' else 'ws'}://{settings.domain}"
    vapid_public = (await vapid_key(context)).public_key
    thumbnail = context.urls.static("header.png")
    return JSONResponse(
        {
            "domain": settings.domain,
            "title": settings.instance_title,
            "version": VERSION,
            "source_url": f"{context.urls.base}/about",
            "description": settings.instance_description,
            "usage": {"users": {"active_month": usage.users_active_month}},
            "thumbnail": {"url": thumbnail},
            "icon": [],
            "languages": list(SUPPORTED_LOCALES),
            "configuration": configuration(streaming, settings, vapid_public),
            "registrations": {
                "enabled": settings.registrations != "closed",
                "approval_required": settings.registrations == "approval",
                # Mastodon: a message shown when registrations are closed, and a URL only for
                # sign-ups outside the app (SSO); ours happen in the app or on our own page.
                "message": (
                    "<p>Registrations are closed: accounts are created by the administrators.</p>"
                    if settings.registrations == "closed"
                    else None
                ),
                "url": None,
            },
            # Mastodon 4.3's API version: grouped notifications (/api/v2/notifications).
            "api_versions": {"mastodon": 2},
            "contact": {"email": settings.contact_email, "account": None},
            "rules": await rules_json(request),
        }
    )


@public
async def instance_v1(request: Request, params: Params) -> Response:
    context = context_of(request)
    settings = context.settings
    async with context.db.read() as conn:
        usage = await accounts.usage(conn, "", "")
    streaming = f"{'wss' if settings.scheme == 'https' else 'ws'}://{settings.domain}"
    vapid_public = (await vapid_key(context)).public_key
    return JSONResponse(
        {
            "uri": settings.domain,
            "title": settings.instance_title,
            "short_description": settings.instance_description,
            "description": settings.instance_description,
            "email": settings.contact_email,
            "version": VERSION,
            "urls": {"streaming_api": streaming},
            "stats": {
                "user_count": usage.users_total,
                "status_count": usage.local_posts,
                "domain_count": 0,
            },
            "thumbnail": context.urls.static("header.png"),
            "languages": list(SUPPORTED_LOCALES),
            "registrations": settings.registrations != "closed",
            "approval_required": settings.registrations == "approval",
            "invites_enabled": False,
            "configuration": configuration(streaming, settings, vapid_public),
            "contact_account": None,
            "rules": await rules_json(request),
        }
    )


@public
async def rules(request: Request, params: Params) -> Response:
    return JSONResponse(await rules_json(request))


instance_routes = [
    *routes("/api/v1/instance/rules", rules, ["GET"]),
    *routes("/api/v1/instance", instance_v1, ["GET"]),
    *routes("/api/v2/instance", instance_v2, ["GET"]),
]
