"""What every API route shares: parameters merged from the query and any body (JSON, form or
multipart, with `name[]` arrays), JSON errors, and the one scope check (`authorized`)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.accounts import scopes
from fedi.accounts.oauth import is_pending_member_token, token_for
from fedi.core import jsonsafe
from fedi.core.ids import parse_id
from fedi.core.models import User
from fedi.core.ratelimit import ACCEPTED_CALLER
from fedi.core.validation import Code, Invalid, Problem
from fedi.db.connection import Reader
from fedi.db.oauth import Token
from fedi.web.responses import JSONResponse
from fedi.web.state import context_of

MAX_BODY = 17 * 1024 * 1024  # a 16 MiB upload and its multipart framing
MAX_JSON_DEPTH = 16  # no parameter of the API nests deeper
Endpoint = Callable[[Request], Awaitable[Response]]
T = TypeVar("T")


class APIError(Exception):
    def __init__(
        self,
        status: int,
        error: str,
        description: str | None = None,
        details: dict[str, list[dict[str, str]]] | None = None,
    ) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.description = description
        self.details = details


class ValidationFailed(APIError):
    """A 422 as Mastodon gives a failed validation: the message in Rails' words and, per field,
    `details` with its ERR_ codes. The one way a route refuses what was asked of it."""

    def __init__(self, *problems: Problem, status: int = 422) -> None:
        invalid = Invalid(*problems)
        super().__init__(status, invalid.message, details=invalid.details())

    @classmethod
    def of(
        cls, field: str, code: Code, description: str, *, is_sentence: bool = False
    ) -> ValidationFailed:
        return cls(Problem(field, code, description, is_sentence))


def error_response(exc: APIError | Invalid) -> Response:
    """The JSON answer; a feature's Invalid (raised through a route) is its 422."""
    if isinstance(exc, Invalid):
        exc = ValidationFailed(*exc.problems)
    body: dict[str, object] = {"error": exc.error}
    if exc.description:
        body["error_description"] = exc.description
    if exc.details:  # Mastodon's 422s: {"field": [{"error": "ERR_...", "description": ...}]}
        body["details"] = exc.details
    return JSONResponse(body, status_code=exc.status)


@dataclass
class Params:
    """Rails-style merged parameters: `values` maps a name to all its values, in order."""

    values: dict[str, list[Any]]

    def get(self, name: str, default: str | None = None) -> str | None:
        found = self.values.get(name)
        if not found:
            return default
        value = found[0]
        if value is None:
            return default
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if isinstance(value, str) else str(value)

    def get_list(self, name: str) -> list[Any]:
        return [v for v in self.values.get(f"{name}[]", []) + self.values.get(name, []) if v != ""]

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.get(name)
        if value is None or value == "":
            return default
        return value.lower() in ("1", "true", "on", "yes")

    def get_file(self, name: str) -> UploadFile | None:
        found = self.values.get(name)
        return found[0] if found and isinstance(found[0], UploadFile) else None

    def nested(self, prefix: str) -> dict[str, list[Any]]:
        """`poll[options][]=a` style keys under prefix, with the prefix stripped."""
        out: dict[str, list[Any]] = {}
        for key, values in self.values.items():
            if key.startswith(prefix + "["):
                out.setdefault(key[len(prefix) :], []).extend(values)
        return out


def _add_json(values: dict[str, list[Any]], data: dict[str, Any], prefix: str = "") -> None:
    for key, value in data.items():
        name = f"{prefix}[{key}]" if prefix else key
        if isinstance(value, dict):
            _add_json(values, value, name)
        elif isinstance(value, list):
            values.setdefault(f"{name}[]", []).extend(value)
        else:
            values.setdefault(name, []).append(value)


async def _read_capped(request: Request) -> None:
    """Read a body of undeclared length into the request, refusing it once it passes MAX_BODY;
    the parsers then read the kept bytes."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise APIError(413, "The request body is too large")
    request._body = bytes(body)


async def params_of(request: Request) -> Params:
    values: dict[str, list[Any]] = {}
    for key, text in request.query_params.multi_items():
        values.setdefault(key, []).append(text)
    if request.method in ("GET", "HEAD", "DELETE") and not request.headers.get("content-length"):
        return Params(values)
    declared = request.headers.get("content-length")
    if declared is None:
        await _read_capped(request)  # a chunked body: counted as it arrives, never past the cap
    elif declared.isdigit() and int(declared) > MAX_BODY:
        raise APIError(413, "The request body is too large")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        body = await request.body()
        if body.strip():
            try:
                # Depth-capped: CPython's own parser raises RecursionError on deep input.
                data = jsonsafe.loads(body, MAX_BODY, MAX_JSON_DEPTH)
            except jsonsafe.JSONError as exc:
                raise APIError(400, f"The request body is not valid JSON: {exc}") from None
            if not isinstance(data, dict):
                raise APIError(422, "The request body must be a JSON object")
            _add_json(values, data)
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            form = await request.form(max_files=8, max_fields=1000)
        except Exception as exc:  # the multipart parser's own errors have no common base
            raise APIError(400, f"The request body cannot be read: {exc}") from None
        for key, value in form.multi_items():
            values.setdefault(key, []).append(value)
    return Params(values)


@dataclass(frozen=True)
class Caller:
    """Who calls: the token, its member (None for an app-only token), and the parameters."""

    token: Token
    params: Params

    @property
    def user(self) -> User:
        if self.token.user is None:
            raise APIError(422, "This method requires an authenticated user")
        return self.token.user


def bearer_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


def authorized(scope: str | None, *, user: bool = True) -> Callable[
    [Callable[[Request, Caller], Awaitable[Response]]], Endpoint
]:  # fmt: skip
    """The route needs a token granting `scope` (None: any valid token), held by a member unless
    user=False. Every API route that needs a token goes through here, so scopes are checked in
    one place (security.md A1)."""

    def decorate(handler: Callable[[Request, Caller], Awaitable[Response]]) -> Endpoint:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            try:
                bearer = bearer_of(request)
                token = await token_for(context_of(request), bearer) if bearer else None
                if token is None:
                    if bearer and await is_pending_member_token(context_of(request), bearer):
                        # Mastodon's require_user!: the sign-up still awaits a moderator.
                        raise APIError(403, "Your login is currently pending approval")
                    raise APIError(401, "The access token is invalid")
                # For the rate limits: the member behind the token (0 for an app's own token).
                request.scope[ACCEPTED_CALLER] = token.user.account.id if token.user else 0
                if scope is not None and not scopes.grants(token.scopes, scope):
                    raise APIError(403, "This action is outside the authorized scopes")
                if user and token.user is None:
                    raise APIError(422, "This method requires an authenticated user")
                return await handler(request, Caller(token, await params_of(request)))
            except (APIError, Invalid) as exc:
                return error_response(exc)

        # What the route requires, readable by tests that walk the route table (security.md A1).
        endpoint.required_scope = scope  # type: ignore[attr-defined]
        return endpoint

    return decorate


def public(handler: Callable[[Request, Params], Awaitable[Response]]) -> Endpoint:
    """A route anyone may call, with parameters parsed and errors as JSON."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request, await params_of(request))
        except (APIError, Invalid) as exc:
            return error_response(exc)

    return endpoint


def public_read(handler: Callable[[Request, Params], Awaitable[Response]]) -> Endpoint:
    """A public read (timelines, accounts, statuses): for anyone, except in limited federation
    (allowlist) mode, where a member's token is needed (Mastodon's
    disallow_unauthenticated_api_access?, true in limited_federation_mode)."""

    @functools.wraps(handler)
    async def guarded(request: Request, params: Params) -> Response:
        context = context_of(request)
        if context.policy.current.allowlist_mode:
            bearer = bearer_of(request)
            token = await token_for(context, bearer) if bearer else None
            if token is None or token.user is None:
                raise APIError(401, "This API requires an authenticated user")
        return await handler(request, params)

    return public(guarded)


async def owned_by_caller(
    request: Request,
    caller: Caller,
    name: str,
    lookup: Callable[[Reader, int, int], Awaitable[T | None]],
) -> T:
    """The caller's own record whose id is the path parameter `name` (lookup(conn, owner id,
    record id) finds it only among the owner's); anything else, another member's record
    included, is the same 404 as an id that never existed (security.md A6)."""
    record_id = parse_id(request.path_params[name])
    async with context_of(request).db.read() as conn:
        found = (
            await lookup(conn, caller.user.account.id, record_id) if record_id is not None else None
        )
    if found is None:
        raise APIError(404, "Record not found")
    return found


def routes(path: str, endpoint: Endpoint, methods: list[str]) -> list[Route]:
    """The same handler with and without a trailing slash (apps send both)."""
    return [Route(path, endpoint, methods=methods), Route(path + "/", endpoint, methods=methods)]
