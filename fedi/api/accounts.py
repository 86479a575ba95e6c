"""Accounts: the caller's own (verify_credentials), lookup by handle, an account by id and its
posts."""

from __future__ import annotations

import re
from typing import cast

from starlette.requests import Request
from starlette.responses import Response

from fedi.accounts.members import MemberError
from fedi.accounts.profiles import ProfileError, check_profile, update_profile
from fedi.api.base import (
    APIError,
    Caller,
    Params,
    ValidationFailed,
    authorized,
    public_read,
    routes,
)
from fedi.api.entities import account_json, credential_account_json
from fedi.api.filtering import optional_viewer, statuses_body
from fedi.api.media import store_profile_images
from fedi.api.paging import page_of
from fedi.api.relationships import target_account
from fedi.api.statuses import link_header
from fedi.core.models import Visibility
from fedi.core.validation import BASE
from fedi.db import accounts, pins, preferences, statuses
from fedi.db.preferences import PostingDefaults
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of


@authorized("read:accounts")
async def verify_credentials(request: Request, caller: Caller) -> Response:
    return JSONResponse(await credential_account_json(context_of(request), caller.user))


def profile_fields(params: Params) -> list[tuple[str, str]] | None:
    """fields_attributes as forms send it ([0][name]=...) or as JSON (a list or an object)."""
    nested = params.nested("fields_attributes")
    listed = params.get_list("fields_attributes")
    if not nested and not listed:
        return None
    rows: dict[str, dict[str, str]] = {}
    for key, values in nested.items():
        parts = key.strip("[]").split("][")
        if len(parts) == 2 and values:
            rows.setdefault(parts[0], {})[parts[1]] = str(values[0])
    for index, item in enumerate(listed):
        if isinstance(item, dict):
            rows[str(index)] = {k: str(v) for k, v in item.items()}
    ordered = sorted(rows.items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else 0)
    return [(r.get("name", ""), r.get("value", "")) for _, r in ordered]


def optional_bool(params: Params, name: str) -> bool | None:
    return params.get_bool(name) if params.get(name) is not None else None


LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def posting_defaults(params: Params, current: PostingDefaults) -> PostingDefaults | None:
    """source[privacy], source[sensitive] and source[language] over the current defaults; None
    when the request changes none of them."""
    privacy = params.get("source[privacy]")
    sensitive = optional_bool(params, "source[sensitive]")
    language = params.get("source[language]")
    if privacy is None and sensitive is None and language is None:
        return None
    if privacy is not None and privacy not in ("public", "unlisted", "private"):
        raise ValidationFailed.of("source[privacy]", "ERR_INCLUSION", "is not included in the list")
    if language and not LANGUAGE.match(language):
        raise ValidationFailed.of("source[language]", "ERR_INVALID", "is not a valid language code")
    return PostingDefaults(
        visibility=cast(Visibility, privacy) if privacy else current.visibility,
        sensitive=current.sensitive if sensitive is None else sensitive,
        language=current.language if language is None else (language or None),
    )


@authorized("write:accounts")
async def update_credentials(request: Request, caller: Caller) -> Response:
    """Edit one's profile; the change reaches followers' servers as Update{Person}."""
    context = context_of(request)
    params = caller.params
    account_id = caller.user.account.id
    async with context.db.read_now() as conn:
        defaults = posting_defaults(params, await preferences.posting_defaults(conn, account_id))
    fields = profile_fields(params)
    # The limits first: a refused change (ProfileError, the route's 422) stores no image either.
    check_profile(params.get("display_name"), params.get("note"), fields)
    await store_profile_images(context, account_id, params)
    if defaults is not None:
        await context.db.write(
            lambda conn: preferences.set_posting_defaults(conn, account_id, defaults)
        )
    try:
        user = await update_profile(
            context,
            caller.user.account.username,
            display_name=params.get("display_name"),
            note=params.get("note"),
            fields=fields,
            locked=optional_bool(params, "locked"),
            bot=optional_bool(params, "bot"),
            discoverable=optional_bool(params, "discoverable"),
        )
    except ProfileError:
        raise
    except MemberError as exc:
        raise ValidationFailed.of(BASE, "ERR_INVALID", str(exc)) from None
    return JSONResponse(await credential_account_json(context, user))


@public_read
async def show(request: Request, params: Params) -> Response:
    return JSONResponse(await account_json(context_of(request), await target_account(request)))


@public_read
async def lookup(request: Request, params: Params) -> Response:
    context = context_of(request)
    acct = (params.get("acct") or "").lstrip("@")
    username, _, domain = acct.partition("@")
    async with context.db.read_now() as conn:
        if not domain or domain.lower() == context.settings.domain:
            account = await accounts.get_local_actor(conn, username)
        else:
            account = await accounts.get_remote_by_acct(conn, username, domain)
    if account is None or account.actor_type == "Application":
        raise APIError(404, "Record not found")
    return JSONResponse(await account_json(context, account))


@public_read
async def account_statuses(request: Request, params: Params) -> Response:
    """An account's public and unlisted posts and its boosts (unless exclude_reblogs), newest
    first, as Mastodon lists them: what anyone may see, local-only ones too for a member of
    this instance. A public group's profile is its boosts of its members' posts."""
    context = context_of(request)
    account = await target_account(request)
    page = page_of(params)
    viewer = await optional_viewer(request)
    members = viewer is not None  # local-only posts are for members of this instance alone
    async with context.db.read_now() as conn:
        if params.get_bool("pinned"):
            items = await pins.pinned_public(conn, account.id, page.limit, with_local_only=members)
        else:
            items = await statuses.public_page(
                conn, account.id, page.max_id, page.limit, with_local_only=members,
                without_replies=params.get_bool("exclude_replies"),
                only_media=params.get_bool("only_media"),
                with_reblogs=not params.get_bool("exclude_reblogs"),
            )  # fmt: skip
    # A signed-in viewer sees their own favourites and bookmarks on them, and their filters.
    body = await statuses_body(context, items, viewer, "account")
    return Response(body, media_type=JSONResponse.media_type, headers=link_header(request, items))


account_routes = [
    *routes("/api/v1/accounts/verify_credentials", verify_credentials, ["GET"]),
    *routes("/api/v1/accounts/update_credentials", update_credentials, ["PATCH"]),
    *routes("/api/v1/accounts/lookup", lookup, ["GET"]),
    *routes("/api/v1/accounts/{account_id}", show, ["GET"]),
    *routes("/api/v1/accounts/{account_id}/statuses", account_statuses, ["GET"]),
]
