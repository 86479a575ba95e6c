"""Rate limits in front of the application, as Mastodon's Rack::Attack: the client API per token
and per address, media uploads, deletes, paging, and inbox POSTs per claimed remote domain and
per address. Counting is in memory with no database query; a refused request gets 429, JSON
{"error": ...}, X-RateLimit-* and Retry-After, and the application never sees it.

Sign-in, web sign-up and API sign-up keep their own limits beside the handlers
(fedi/web/signin.py SignInLimits), since what they count depends on the form.

Choices where Mastodon differs or has nothing:
- Until the application has accepted a token, it counts against its address too, so made-up
  tokens buy no fresh budget (Mastodon looks the token up first; we ask no database). Once
  accepted, the member behind it is remembered in memory: from then on the per-member limits
  (1,500 API requests per 5 minutes, media, deletes, paging) count all of that member's tokens.
- Paging is limited on /api only: collection pages fetched by other servers stay free.
- Inboxes (Mastodon has no throttle there): 3,000 POSTs per 5 minutes per domain named by the
  signature's keyId (port ignored), 10 a second sustained. A shared inbox gets one delivery per
  activity, so even the busiest instance's whole public output fits several times over; a burst
  (a mass Delete) gets 429 and the sender retries later, as Mastodon and our outbox do. Only
  verified POSTs are charged to a domain, so forging another server's keyId cannot spend its
  budget; every POST is charged to its address (6,000: small instances often share a host).
- No address is safelisted unless FEDI_RATE_LIMIT_SAFELIST says so (Mastodon safelists
  localhost): uvicorn already takes the visitor's address from a proxy on loopback, so what
  remains on loopback is a local program, and tests see the limits as visitors do.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections import OrderedDict
from dataclasses import dataclass, field

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fedi.core.config import Settings
from fedi.core.ratelimit import (
    ACCEPTED_CALLER,
    VERIFIED_SIGNER,
    RateLimiter,
    Throttled,
    client_key,
    first_refusal,
    rate_limit_headers,
)
from fedi.transport.domains import host_name
from fedi.web.federation_guard import signing_host
from fedi.web.responses import json_error

MINUTE = 60.0

INBOX_PATH = re.compile(r"/(?:inbox|actor/inbox|users/[^/]+/inbox)")
MEDIA_PATH = re.compile(r"/api/v\d+/media|/api/v1/groups/[^/]+/library/?")
DELETE_PATH = re.compile(r"/api/v1/statuses/[^/]+")
UNREBLOG_PATH = re.compile(r"/api/v1/statuses/[^/]+/unreblog")
PAGING_PARAMS = re.compile(rb"(?:^|&)(?:max_id|min_id|since_id|page)=")


SAFELIST_MEMO = 4096  # addresses whose answer is_safelisted keeps


@dataclass
class RateLimits:
    """Every limit of one application instance (kept on app.state)."""

    api_token: RateLimiter
    api_member: RateLimiter
    api_address: RateLimiter
    paging: RateLimiter
    media: RateLimiter
    deletes: RateLimiter
    inbox_domain: RateLimiter
    inbox_address: RateLimiter
    safelist: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    # Tokens the application has accepted lately, with the key of the member behind each (None
    # for an app's own token); until accepted, a bearer counts against its address too.
    accepted: OrderedDict[str, str | None] = field(default_factory=OrderedDict)
    # Whether an address is in the safelist, by address as the server gives it.
    _safelisted: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimits:
        return cls(
            api_token=RateLimiter(settings.rate_limit_api, 5 * MINUTE),
            api_member=RateLimiter(settings.rate_limit_api_member, 5 * MINUTE),
            api_address=RateLimiter(settings.rate_limit_api, 5 * MINUTE),
            paging=RateLimiter(settings.rate_limit_paging, 15 * MINUTE),
            media=RateLimiter(settings.rate_limit_media, 30 * MINUTE),
            deletes=RateLimiter(settings.rate_limit_deletes, 30 * MINUTE),
            inbox_domain=RateLimiter(settings.rate_limit_inbox_domain, 5 * MINUTE),
            inbox_address=RateLimiter(settings.rate_limit_inbox_address, 5 * MINUTE),
            safelist=tuple(ipaddress.ip_network(net) for net in settings.rate_limit_safelist),
        )

    def limiters(self) -> list[RateLimiter]:
        return [
            self.api_token, self.api_member, self.api_address, self.paging, self.media,
            self.deletes, self.inbox_domain, self.inbox_address,
        ]  # fmt: skip

    def clear(self) -> None:
        for limiter in self.limiters():
            limiter.clear()
        self.accepted.clear()

    def is_safelisted(self, address: str) -> bool:
        if not self.safelist:
            return False
        known = self._safelisted.get(address)
        if known is None:
            try:
                ip = ipaddress.ip_address(address)
            except ValueError:
                known = False
            else:
                known = any(ip in network for network in self.safelist)
            if len(self._safelisted) >= SAFELIST_MEMO:
                self._safelisted.clear()
            self._safelisted[address] = known
        return known

    def remember(self, token_key: str, account_id: int) -> None:
        self.accepted[token_key] = f"member:{account_id}" if account_id else None
        self.accepted.move_to_end(token_key)
        while len(self.accepted) > self.api_token.max_keys:
            self.accepted.popitem(last=False)


def bearer_key(headers: Headers) -> str | None:
    """A short digest of the bearer token (the token itself is not kept in memory)."""
    header = headers.get("authorization", "")
    if header[:7].lower() != "bearer " or not header[7:].strip():
        return None
    return "token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:32]


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limits: RateLimits | None = getattr(scope["app"].state, "rate_limits", None)
        if scope["type"] != "http" or limits is None:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = client[0] if client else ""
        path: str = scope["path"]
        if limits.is_safelisted(address):
            await self.app(scope, receive, send)
        elif path.startswith("/api/"):
            await self._api(limits, client_key(address), scope, receive, send)
        elif scope["method"] == "POST" and INBOX_PATH.fullmatch(path):
            await self._inbox(limits, client_key(address), scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _api(
        self, limits: RateLimits, address: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        token = bearer_key(Headers(scope=scope))
        method: str = scope["method"]
        path: str = scope["path"]
        checks = [(limits.api_token, token) if token else (limits.api_address, address)]
        if token and token not in limits.accepted:
            checks.append((limits.api_address, address))
        member = limits.accepted.get(token) if token else None
        if member:
            checks.append((limits.api_member, member))
        key = member or token or address
        per_member = [limits.api_member]
        if method == "POST" and MEDIA_PATH.fullmatch(path):
            per_member.append(limits.media)
        if (method == "DELETE" and DELETE_PATH.fullmatch(path)) or (
            method == "POST" and UNREBLOG_PATH.fullmatch(path)
        ):
            per_member.append(limits.deletes)
        if PAGING_PARAMS.search(scope.get("query_string", b"")):
            per_member.append(limits.paging)
        checks += [(limiter, key) for limiter in per_member[1:]]
        refusal = first_refusal(checks)
        if refusal is not None:
            await too_many(refusal, scope, receive, send)
            return
        shown = checks[0]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                account_id = scope.get(ACCEPTED_CALLER)
                if token and account_id is not None and token not in limits.accepted:
                    # Newly known: this request counts for its member as the next ones will.
                    limits.remember(token, account_id)
                    if known := limits.accepted[token]:
                        for limiter in per_member:
                            limiter.hit(known)
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"x-ratelimit-limit" for name, _ in headers):
                    for name, value in rate_limit_headers(*shown).items():
                        headers.append((name.lower().encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _inbox(
        self, limits: RateLimits, address: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        refusal, domain = inbox_refusal(limits, address, scope)
        if refusal is not None:
            await too_many(refusal, scope, receive, send)
            return
        await self.app(scope, receive, send)
        charge_verified(limits, domain, scope)


def inbox_refusal(
    limits: RateLimits, address: str, scope: Scope
) -> tuple[Throttled | None, str | None]:
    """Whether an inbox POST is refused (and counted against its address if not), with the key
    of the domain its signature claims. Each POST counts against its address at once. The
    claimed domain is checked first too, but only POSTs whose signature was verified count
    against it (charge_verified), so nobody can spend another server's budget by naming its
    key."""
    host = signing_host(scope)
    domain = f"domain:{host_name(host)}" if host else None  # any port: the same budget
    refusal = (
        Throttled(limits.inbox_domain, domain, wait)
        if domain and (wait := limits.inbox_domain.retry_after(domain)) is not None
        else first_refusal([(limits.inbox_address, address)])
    )
    return refusal, domain


def charge_verified(limits: RateLimits, domain: str | None, scope: Scope) -> None:
    """After the inbox has answered: a POST whose signature it verified counts for its domain."""
    if domain and scope.get(VERIFIED_SIGNER):
        limits.inbox_domain.hit(domain)


async def too_many(refusal: Throttled, scope: Scope, receive: Receive, send: Send) -> None:
    response = json_error(429, "Too many requests", refusal.headers())
    await response(scope, receive, send)
