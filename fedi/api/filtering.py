"""Statuses as a viewer sees them: without what they mute, block or filter out, and with the
`filtered` array (Mastodon FilterResult) on what a warn filter matched. Timelines, threads and
notifications render through here (the rules themselves are in fedi.statuses.timeline_rules)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request

from fedi.accounts import scopes
from fedi.accounts.oauth import is_pending_member_token, token_for
from fedi.api.base import APIError, bearer_of
from fedi.api.entities import dump_json, status_bytes, status_entity
from fedi.context import Context
from fedi.core.models import Status, User
from fedi.core.timeutil import from_db, to_api
from fedi.db.filters import Filter
from fedi.statuses.batch import Batch, load
from fedi.statuses.timeline_rules import (
    Verdict,
    ViewerRules,
    Where,
    judge,
    moderated_away,
    rules_for,
)
from fedi.web.state import context_of


async def optional_viewer(request: Request, scope: str | None = None) -> User | None:
    """The member behind a bearer token on a public route, if one is sent (their mutes and
    filters then apply); a bad token is still a 401, and one without `scope` a 403, as
    Mastodon's authorize_if_got_token! answers; a sign-up awaiting approval a 403, as on the
    routes that need a token (fedi.api.base.authorized)."""
    bearer = bearer_of(request)
    if not bearer:
        return None
    token = await token_for(context_of(request), bearer)
    if token is None:
        if await is_pending_member_token(context_of(request), bearer):
            raise APIError(403, "Your login is currently pending approval")
        raise APIError(401, "The access token is invalid")
    if scope is not None and not scopes.grants(token.scopes, scope):
        raise APIError(403, "This action is outside the authorized scopes")
    return token.user


def filter_json(found: Filter, rules: bool = True) -> dict[str, Any]:
    """Mastodon's Filter (v2) entity, with its keywords and statuses when `rules`."""
    body: dict[str, Any] = {
        "id": str(found.id),
        "title": found.title,
        "context": list(found.contexts),
        "expires_at": to_api(from_db(found.expires_at)) if found.expires_at else None,
        "filter_action": found.action,
    }
    if rules:
        body["keywords"] = [
            {"id": str(k.id), "keyword": k.keyword, "whole_word": k.whole_word}
            for k in found.keywords
        ]
        body["statuses"] = [
            {"id": str(s.id), "status_id": str(s.status_id)} for s in found.statuses
        ]
    return body


def filtered_json(verdict: Verdict) -> list[dict[str, Any]]:
    return [
        {
            "filter": filter_json(m.filter),
            "keyword_matches": list(m.keyword_matches) or None,
            "status_matches": [str(i) for i in m.status_matches] or None,
        }
        for m in verdict.matches
    ]


def judged_entity(
    context: Context, batch: Batch, status: Status, viewer: User, rules: ViewerRules,
    where: Where, in_list: bool = False,
) -> dict[str, Any] | None:  # fmt: skip
    """One status of the batch for the viewer, or None when they must not see it there."""
    verdict = judge(batch, rules, status, where, in_list)
    if verdict.hidden:
        return None
    rendered = status_entity(context, batch, status, viewer)
    rendered["filtered"] = filtered_json(verdict)
    if rendered.get("reblog"):
        rendered["reblog"]["filtered"] = rendered["filtered"]
    return rendered


async def statuses_json(
    context: Context, items: Sequence[Status], viewer: User | None, where: Where,
    in_list: bool = False, batch: Batch | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Statuses as Mastodon JSON for this viewer (anonymous: no rules), in order: the page
    loaded at once (fedi.statuses.batch; or `batch`, loaded for them already), then judged and
    rendered without further queries."""
    if batch is None:
        batch = await load(context, items, viewer.account if viewer else None)
    if viewer is None:
        return [
            status_entity(context, batch, s, None)
            for s in items
            if not moderated_away(batch, None, s, where)
        ]
    rules = await rules_for(context, viewer.account.id)
    body = []
    for status in items:
        rendered = judged_entity(context, batch, status, viewer, rules, where, in_list)
        if rendered is not None:
            body.append(rendered)
    return body


async def statuses_body(
    context: Context, items: Sequence[Status], viewer: User | None, where: Where,
    in_list: bool = False,
) -> bytes:  # fmt: skip
    """statuses_json as the JSON array itself, put together from the kept parts of each
    status (fedi.api.entities.status_bytes) without encoding them again."""
    batch = await load(context, items, viewer.account if viewer else None)
    if viewer is None:
        parts = [
            status_bytes(context, batch, s, None)
            for s in items
            if not moderated_away(batch, None, s, where)
        ]
    else:
        rules = await rules_for(context, viewer.account.id)
        parts = []
        for status in items:
            verdict = judge(batch, rules, status, where, in_list)
            if not verdict.hidden:
                filtered = dump_json(filtered_json(verdict)) if verdict.matches else b"[]"
                parts.append(status_bytes(context, batch, status, viewer, filtered))
    return b"[" + b",".join(parts) + b"]"
