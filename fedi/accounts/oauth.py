"""OAuth 2 as Mastodon apps use it: app registration, authorization codes (with PKCE S256), the
authorization_code, client_credentials, refresh_token and (when enabled) password grants,
revocation, and resolving a bearer token to its member and scopes.

Client secrets, codes and tokens are random 256-bit strings; only their SHA-256 is stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from fedi.accounts import scopes
from fedi.context import Context
from fedi.core import ids
from fedi.core.models import User
from fedi.core.timeutil import from_db, to_db, utcnow
from fedi.db import oauth
from fedi.db.oauth import App, Code, Token

OOB = "urn:ietf:wg:oauth:2.0:oob"
CODE_LIFETIME = timedelta(minutes=10)
MAX_REDIRECT_URIS = 10


class OAuthError(Exception):
    """An OAuth request refused; `error` is the RFC 6749 error code, the message its description."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.status = status


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    refresh_token: str | None
    scopes: tuple[str, ...]
    created_at: int

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "scope": scopes.as_text(self.scopes),
            "created_at": self.created_at,
        }
        if self.refresh_token:
            body["refresh_token"] = self.refresh_token
        return body


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_redirect_uri(uri: str) -> str:
    """The out-of-band URN, or an absolute URI (apps use custom schemes such as icecubesapp://)."""
    if uri == OOB:
        return uri
    parts = urlsplit(uri)
    if not parts.scheme or parts.scheme.lower() in ("javascript", "data", "vbscript", "file"):
        raise OAuthError("invalid_request", f"invalid redirect URI {uri!r}", 422)
    if any(ord(c) < 33 for c in uri) or parts.fragment or len(uri) > 2000:
        raise OAuthError("invalid_request", f"invalid redirect URI {uri!r}", 422)
    return uri


async def register_app(
    context: Context,
    name: str,
    redirect_uris: list[str],
    scope_text: str | None,
    website: str | None,
) -> tuple[App, str]:
    """Register an app; returns it with its client secret (shown once, stored hashed)."""
    if not name.strip() or len(name) > 200:
        raise OAuthError("invalid_request", "client_name is required (at most 200 characters)", 422)
    if not redirect_uris or len(redirect_uris) > MAX_REDIRECT_URIS:
        raise OAuthError("invalid_request", "redirect_uris is required", 422)
    try:
        requested = scopes.parse(scope_text)
    except scopes.ScopeError as exc:
        raise OAuthError("invalid_scope", str(exc), 422) from None
    secret = secrets.token_urlsafe(32)
    app = App(
        id=ids.new_id(),
        client_id=secrets.token_urlsafe(32),
        client_secret_hash=digest(secret),
        name=name.strip(),
        website=(website or None),
        redirect_uris=tuple(check_redirect_uri(u) for u in redirect_uris),
        scopes=requested,
    )
    now = to_db(utcnow())
    await context.db.write(lambda conn: oauth.insert_app(conn, app, now))
    return app, secret


async def app_for(context: Context, client_id: str | None) -> App:
    async with context.db.read_now() as conn:
        app = await oauth.app_by_client_id(conn, client_id or "")
    if app is None:
        raise OAuthError("invalid_client", "unknown client_id", 401)
    return app


def check_secret(app: App, secret: str | None) -> None:
    if not secret or not hmac.compare_digest(digest(secret), app.client_secret_hash):
        raise OAuthError("invalid_client", "client authentication failed", 401)


def grantable(app: App, requested: str | None, user: User | None) -> tuple[str, ...]:
    """The scopes a token may get: asked for (default: the app's), within the app's, and no
    admin scope for anyone but an admin or moderator (security.md A2)."""
    try:
        wanted = scopes.parse(requested, default=scopes.as_text(app.scopes))
    except scopes.ScopeError as exc:
        raise OAuthError("invalid_scope", str(exc)) from None
    outside = [s for s in wanted if not scopes.grants(app.scopes, s)]
    if outside:
        raise OAuthError("invalid_scope", f"the app was not registered for {outside[0]!r}")
    staff = user is not None and user.role in ("admin", "moderator")
    return tuple(s for s in wanted if staff or not scopes.is_admin_scope(s))


async def issue_code(
    context: Context,
    app: App,
    user: User,
    redirect_uri: str,
    granted: tuple[str, ...],
    code_challenge: str | None,
) -> str:
    code = secrets.token_urlsafe(32)
    record = Code(app.id, user.account.id, redirect_uri, granted, code_challenge, to_db(utcnow()))
    await context.db.write(lambda conn: oauth.insert_code(conn, digest(code), record))
    return code


def check_pkce(challenge: str | None, verifier: str | None) -> None:
    """PKCE with S256 only (RFC 7636; plain is refused, security.md A3)."""
    if challenge is None:
        return
    if not verifier:
        raise OAuthError("invalid_grant", "code_verifier is required")
    computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    if not hmac.compare_digest(computed.decode(), challenge):
        raise OAuthError("invalid_grant", "code_verifier does not match the code challenge")


async def _issue(
    context: Context, app: App, account_id: int | None, granted: tuple[str, ...]
) -> IssuedToken:
    access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = utcnow()
    await context.db.write(
        lambda conn: oauth.insert_token(
            conn, token_id=ids.new_id(), token_hash=digest(access),
            refresh_hash=digest(refresh) if account_id else None, app_id=app.id,
            account_id=account_id, scopes=granted, now=to_db(now),
        )
    )  # fmt: skip
    return IssuedToken(access, refresh if account_id else None, granted, int(now.timestamp()))


async def exchange_code(
    context: Context,
    app: App,
    client_secret: str | None,
    code: str,
    redirect_uri: str | None,
    code_verifier: str | None,
) -> IssuedToken:
    record = await context.db.write(lambda conn: oauth.take_code(conn, digest(code)))
    if record is None or record.app_id != app.id:
        raise OAuthError("invalid_grant", "the code is unknown, used or for another app")
    if utcnow() - from_db(record.created_at) > CODE_LIFETIME:
        raise OAuthError("invalid_grant", "the code has expired")
    if redirect_uri != record.redirect_uri:
        raise OAuthError("invalid_grant", "redirect_uri does not match the authorization request")
    if record.code_challenge is None:
        check_secret(app, client_secret)  # with PKCE a public client may omit its secret
    else:
        check_pkce(record.code_challenge, code_verifier)
    return await _issue(context, app, record.account_id, record.scopes)


async def client_credentials(
    context: Context, app: App, client_secret: str | None, requested: str | None
) -> IssuedToken:
    check_secret(app, client_secret)
    return await _issue(context, app, None, grantable(app, requested, None))


async def password_grant(
    context: Context, app: App, client_secret: str | None, user: User, requested: str | None
) -> IssuedToken:
    check_secret(app, client_secret)
    return await _issue(context, app, user.account.id, grantable(app, requested, user))


async def token_for_new_member(context: Context, app: App, user: User) -> IssuedToken:
    """The token an app gets for the member it just registered (Mastodon's AppSignUpService):
    the app's scopes, without admin ones."""
    return await _issue(context, app, user.account.id, grantable(app, None, user))


async def refresh(
    context: Context, app: App, client_secret: str | None, refresh_token: str
) -> IssuedToken:
    check_secret(app, client_secret)
    now = to_db(utcnow())
    row = await context.db.write(
        lambda conn: oauth.take_refresh(conn, digest(refresh_token), app.id, now)
    )
    if row is None:
        raise OAuthError("invalid_grant", "unknown or used refresh token")
    return await _issue(context, app, row["account_id"], tuple(row["scopes"].split()))


async def revoke(context: Context, app: App, client_secret: str | None, token: str) -> None:
    check_secret(app, client_secret)
    now = to_db(utcnow())
    await context.db.write(lambda conn: oauth.revoke(conn, digest(token), app.id, now))


async def token_for(context: Context, bearer: str) -> Token | None:
    if not bearer or len(bearer) > 256:
        return None
    async with context.db.read_now() as conn:
        return await oauth.token_by_hash(conn, digest(bearer))


async def is_pending_member_token(context: Context, bearer: str) -> bool:
    """A token that token_for refuses because its member still awaits approval (Mastodon
    answers those with 403, not 401)."""
    if not bearer or len(bearer) > 256:
        return False
    async with context.db.read_now() as conn:
        return await oauth.held_by_pending_member(conn, digest(bearer))
