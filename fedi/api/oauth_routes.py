"""OAuth endpoints: the authorize page (sign-in, then consent), the token and revoke endpoints,
app registration and the authorization-server metadata apps read first (RFC 8414)."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from fedi.accounts import scopes
from fedi.accounts.auth import SignInError
from fedi.accounts.oauth import (
    OOB,
    OAuthError,
    app_for,
    client_credentials,
    exchange_code,
    grantable,
    issue_code,
    password_grant,
    refresh,
    register_app,
    revoke,
    token_for,
)
from fedi.api.base import APIError, Params, bearer_of, params_of, public, routes
from fedi.db.oauth import App
from fedi.push.vapid import vapid_key
from fedi.web.forms import check_csrf, read_form
from fedi.web.responses import JSONResponse
from fedi.web.signin import sign_in_refusal, viewer_of
from fedi.web.state import context_of, pages_of

GRANTS = ["authorization_code", "client_credentials", "refresh_token"]


def oauth_error(exc: OAuthError) -> Response:
    return JSONResponse({"error": exc.error, "error_description": str(exc)}, status_code=exc.status)


def app_json(app: App, server_key: str, secret: str | None = None) -> dict[str, object]:
    body: dict[str, object] = {
        "id": str(app.id),
        "name": app.name,
        "website": app.website,
        "scopes": list(app.scopes),
        "redirect_uri": "\n".join(app.redirect_uris),
        "redirect_uris": list(app.redirect_uris),
        "client_id": app.client_id,
        "vapid_key": server_key,  # deprecated by Mastodon, still read by older apps
    }
    if secret is not None:
        body["client_secret"] = secret
        body["client_secret_expires_at"] = 0
    return body


@public
async def create_app_endpoint(request: Request, params: Params) -> Response:
    redirect = params.get_list("redirect_uris")
    if len(redirect) == 1 and isinstance(redirect[0], str):
        redirect = redirect[0].split()
    try:
        app, secret = await register_app(
            context_of(request),
            params.get("client_name", "") or "",
            [str(u) for u in redirect],
            params.get("scopes"),
            params.get("website"),
        )
    except OAuthError as exc:
        raise APIError(exc.status, str(exc)) from None
    key = await vapid_key(context_of(request))
    return JSONResponse(app_json(app, key.public_key, secret))


async def metadata(request: Request) -> Response:
    base = context_of(request).urls.base
    grants = [*GRANTS, *(["password"] if context_of(request).settings.password_grant else [])]
    return JSONResponse(
        {
            "issuer": f"{base}/",
            "service_documentation": "https://docs.joinmastodon.org/",
            "authorization_endpoint": f"{base}/oauth/authorize",
            "token_endpoint": f"{base}/oauth/token",
            "revocation_endpoint": f"{base}/oauth/revoke",
            "app_registration_endpoint": f"{base}/api/v1/apps",
            "scopes_supported": sorted(scopes.SUPPORTED),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "grant_types_supported": grants,
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }
    )


def _client_auth(request: Request, params: Params) -> tuple[str | None, str | None]:
    header = request.headers.get("authorization", "")
    if header[:6].lower() == "basic ":
        try:
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            raise OAuthError("invalid_client", "malformed Basic authorization", 401) from None
        return client_id, secret
    return params.get("client_id"), params.get("client_secret")


async def token(request: Request) -> Response:
    context = context_of(request)
    try:
        params = await params_of(request)
        client_id, secret = _client_auth(request, params)
        app = await app_for(context, client_id)
        grant = params.get("grant_type")
        if grant == "authorization_code":
            issued = await exchange_code(
                context, app, secret, params.get("code") or "", params.get("redirect_uri"),
                params.get("code_verifier"),
            )  # fmt: skip
        elif grant == "client_credentials":
            issued = await client_credentials(context, app, secret, params.get("scope"))
        elif grant == "refresh_token":
            issued = await refresh(context, app, secret, params.get("refresh_token") or "")
        elif grant == "password" and context.settings.password_grant:
            refusal = sign_in_refusal(request, params.get("username") or "")
            if refusal is not None:  # the same throttle as the sign-in form (security.md A8)
                return JSONResponse(
                    {"error": "Too many requests"}, status_code=429, headers=refusal.headers()
                )
            authenticator = request.app.state.authenticator
            try:
                user = await authenticator.check_password(
                    context, params.get("username") or "", params.get("password") or ""
                )
            except SignInError:
                raise OAuthError("invalid_grant", "wrong username or password") from None
            issued = await password_grant(context, app, secret, user, params.get("scope"))
        else:
            raise OAuthError("unsupported_grant_type", f"grant_type {grant!r} is not supported")
    except OAuthError as exc:
        return oauth_error(exc)
    except APIError as exc:
        return oauth_error(OAuthError("invalid_request", exc.error, exc.status))
    return JSONResponse(issued.as_json())


async def revoke_endpoint(request: Request) -> Response:
    context = context_of(request)
    try:
        params = await params_of(request)
        client_id, secret = _client_auth(request, params)
        app = await app_for(context, client_id)
        await revoke(context, app, secret, params.get("token") or bearer_of(request) or "")
    except OAuthError as exc:
        return oauth_error(exc)
    except APIError as exc:
        return oauth_error(OAuthError("invalid_request", exc.error, exc.status))
    return JSONResponse({})


async def _authorization_request(
    request: Request, values: dict[str, str]
) -> tuple[App, str, tuple[str, ...]]:
    context = context_of(request)
    app = await app_for(context, values.get("client_id"))
    redirect_uri = values.get("redirect_uri") or ""
    if redirect_uri not in app.redirect_uris:
        raise OAuthError("invalid_request", "redirect_uri is not one the app registered")
    if values.get("response_type", "code") != "code":
        raise OAuthError("unsupported_response_type", "only response_type=code is supported")
    method = values.get("code_challenge_method")
    if values.get("code_challenge") and method not in (None, "", "S256"):
        raise OAuthError("invalid_request", "only code_challenge_method=S256 is supported")
    return app, redirect_uri, scopes.parse(values.get("scope"), scopes.as_text(app.scopes))


async def authorize_page(request: Request) -> Response:
    values = dict(request.query_params)
    try:
        app, _, wanted = await _authorization_request(request, values)
    except (OAuthError, scopes.ScopeError) as exc:
        return pages_of(request).render(request, "oauth/error.html", 400, message=str(exc))
    viewer = await viewer_of(request)
    if viewer is None or values.get("force_login") in ("true", "1"):
        kept = {k: v for k, v in values.items() if k != "force_login"}
        target = f"{request.url.path}?{urlencode(kept)}"
        return RedirectResponse(f"/auth/sign_in?{urlencode({'next': target})}", 303)
    return pages_of(request).render(
        request, "oauth/authorize.html", app=app, scopes=wanted, fields=values, viewer=viewer
    )


async def authorize_decision(request: Request) -> Response:
    context = context_of(request)
    form = await read_form(request)
    check_csrf(request, form, context.settings.base_url)
    viewer = await viewer_of(request)
    if viewer is None:
        return RedirectResponse("/auth/sign_in", 303)
    try:
        app, redirect_uri, _ = await _authorization_request(request, form)
        granted = grantable(app, form.get("scope"), viewer)
    except (OAuthError, scopes.ScopeError) as exc:
        return pages_of(request).render(request, "oauth/error.html", 400, message=str(exc))
    state = {"state": form["state"]} if form.get("state") else {}
    separator = "&" if "?" in redirect_uri else "?"
    if form.get("authorize") != "1":
        if redirect_uri == OOB:
            return pages_of(request).render(request, "oauth/error.html", 403, message="")
        query = urlencode({"error": "access_denied", **state})
        return RedirectResponse(f"{redirect_uri}{separator}{query}", 303)
    code = await issue_code(
        context, app, viewer, redirect_uri, granted, form.get("code_challenge") or None
    )
    if redirect_uri == OOB:
        return pages_of(request).render(request, "oauth/code.html", code=code, viewer=viewer)
    return RedirectResponse(f"{redirect_uri}{separator}{urlencode({'code': code, **state})}", 303)


@public
async def verify_app_credentials(request: Request, params: Params) -> Response:
    found = await token_for(context_of(request), bearer_of(request) or "")
    if found is None:
        raise APIError(401, "The access token is invalid")
    key = await vapid_key(context_of(request))
    body = app_json(found.app, key.public_key)
    return JSONResponse({k: v for k, v in body.items() if k != "client_id"})


oauth_routes = [
    *routes("/oauth/authorize", authorize_page, ["GET"]),
    *routes("/oauth/authorize", authorize_decision, ["POST"]),
    *routes("/oauth/token", token, ["POST"]),
    *routes("/oauth/revoke", revoke_endpoint, ["POST"]),
    Route("/.well-known/oauth-authorization-server", metadata, methods=["GET"]),
    *routes("/api/v1/apps", create_app_endpoint, ["POST"]),
    *routes("/api/v1/apps/verify_credentials", verify_app_credentials, ["GET"]),
]
