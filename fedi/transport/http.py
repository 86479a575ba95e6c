"""The one outbound HTTP client: every federation fetch and delivery goes through HttpClient.

It refuses non-public addresses at connect time (fedi.transport.netguard), and caps time and bytes.
GETs (fetches, with their redirects and compressed bodies) go through aiohttp; POSTs (deliveries,
by the thousand) through fedi.transport.keepalive, a lean HTTP/1.1 path with the same guards.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver
from aiohttp.client_proto import ResponseHandler
from aiohttp.tracing import Trace
from yarl import URL

from fedi.transport.capped import read_capped
from fedi.transport.keepalive import Pool
from fedi.transport.netguard import (
    STRICT,
    AddressPolicy,
    FetchError,
    address_of,
    check_url,
    is_forbidden_address,
    parse_url,
)
from fedi.transport.resolver import GuardedResolver, LazyThreadedResolver

__all__ = [
    "AddressPolicy",
    "FetchError",
    "GuardedConnector",
    "GuardedResolver",
    "HttpClient",
    "HttpResponse",
    "Signer",
    "check_url",
    "is_forbidden_address",
]

# sign(method, url, headers, body) -> extra headers, e.g. an HTTP signature for this exact hop.
Signer = Callable[[str, str, dict[str, str], bytes | None], Awaitable[dict[str, str]]]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Only encodings whose decoders aiohttp runs with a bounded output size (its zip-bomb fix,
# CVE-2025-69223, in 3.13.3); an optional brotli or zstd install must not widen this.
ACCEPT_ENCODING = "gzip, deflate"
# Credentials a caller passed for one origin never follow a redirect to another (as browsers do),
# nor does a Host header naming the first one.
CROSS_ORIGIN = ("authorization", "cookie", "host", "proxy-authorization")


@dataclass(frozen=True)
class HttpResponse:
    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes

    def raise_for_status(self) -> None:
        """FetchError unless 2xx; 408, 429, 5xx and unfollowed 3xx are worth retrying."""
        if 200 <= self.status < 300:
            return
        retryable = not 400 <= self.status < 500 or self.status in (408, 429)
        raise FetchError(f"{self.url} answered {self.status}", retryable=retryable)


class GuardedConnector(aiohttp.TCPConnector):
    """A TCPConnector that refuses any connection whose peer is not an allowed address.

    The second lock behind GuardedResolver: IP-literal hosts skip aiohttp's resolver altogether,
    and a future aiohttp or a custom resolver could return addresses nobody checked.
    """

    def __init__(self, *, policy: AddressPolicy = STRICT, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._policy = policy

    # The signature is aiohttp's; `timeout` is its per-connection setting, not ours to replace.
    async def _create_connection(
        self,
        req: aiohttp.ClientRequest,
        traces: list[Trace],
        timeout: aiohttp.ClientTimeout,  # noqa: ASYNC109
    ) -> ResponseHandler:
        protocol = await super()._create_connection(req, traces, timeout)
        transport = protocol.transport
        peer = transport.get_extra_info("peername") if transport is not None else None
        if not peer or self._policy.forbids(address_of(peer[0])):
            # Checked before the request line is written, so nothing reaches the internal host.
            protocol.close()
            shown = peer[0] if peer else "an unknown peer"
            raise FetchError(f"connected to {shown}, not a public address", retryable=False)
        return protocol


class HttpClient:
    """Pooled, capped, SSRF-guarded GET and POST. Create one per process; close it on shutdown."""

    def __init__(
        self,
        *,
        allow_private_networks: bool = False,
        user_agent: str,
        max_bytes: int = 1_048_576,
        deadline: float = 20.0,
        max_redirects: int = 3,
        per_host_limit: int = 8,
        total_limit: int = 100,
        host_overrides: Mapping[str, str] | None = None,
        allowed_networks: Sequence[IPv4Network | IPv6Network] = (),
        resolver: AbstractResolver | None = None,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self._policy = AddressPolicy(allow_private_networks, tuple(allowed_networks))
        self._user_agent = user_agent
        self._max_bytes = max_bytes
        self._deadline = deadline
        self._max_redirects = max_redirects
        self._per_host_limit = per_host_limit
        self._total_limit = total_limit
        # Built here so a bad override fails at start-up; the DNS source itself is made lazily.
        self._resolver = GuardedResolver(
            resolver or LazyThreadedResolver(), policy=self._policy, host_overrides=host_overrides
        )
        self._session: aiohttp.ClientSession | None = None
        self._refusal: Callable[[str], str | None] = _no_refusal
        self._posts = Pool(
            self._resolver, self._policy, per_host_limit, total_limit, max_bytes, tls_context
        )
        # A POST's answer is only read for its status: it is asked for uncompressed.
        self._post_headers = {"User-Agent": user_agent, "Accept-Encoding": "identity"}

    def refuse_hosts(self, refusal: Callable[[str], str | None]) -> None:
        """Refuse every request (each redirect hop too) to a host for which refusal(host) gives a
        reason: the instance's domain blocks and allowlist, applied to everything sent out."""
        self._refusal = refusal

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def get(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        sign: Signer | None = None,
        max_bytes: int | None = None,
    ) -> HttpResponse:
        """GET, following up to max_redirects redirects, each re-checked and re-signed (F3).
        max_bytes: another cap than the client's for this body (a file rather than JSON)."""
        return await self._exchange("GET", url, None, headers, sign, max_bytes)

    async def post(
        self,
        url: str,
        body: bytes,
        headers: Mapping[str, str] | None = None,
        *,
        sign: Signer | None = None,
    ) -> HttpResponse:
        """POST once, over a kept-alive connection; a redirect is returned as is, since
        replaying a signed body elsewhere is never what the sender meant."""
        return await self._exchange("POST", url, body, headers, sign)

    async def check_reachable(self, url: str) -> None:
        """FetchError unless a POST to `url` would be let through: the URL's own checks, no
        refused host, and at least one allowed address among those its host resolves to (a
        push endpoint is checked so when a member subscribes; the request checks again)."""
        route = self._posts.route(url)
        host = route.url.raw_host or ""
        refused = self._refusal(host)
        if refused is not None:
            raise FetchError(refused, retryable=False)
        try:
            await self._resolver.resolve(host, route.key[2], family=socket.AF_UNSPEC)
        except OSError as exc:
            raise FetchError(_describe(exc), retryable=True) from exc

    async def close(self) -> None:
        self._posts.close()
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()
        await self._resolver.close()

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = GuardedConnector(
                policy=self._policy,
                resolver=self._resolver,
                limit=self._total_limit,
                limit_per_host=self._per_host_limit,
                # aiohttp's own cache keeps answers 10 s whatever their TTL; without it every new
                # connection goes through GuardedResolver, which makes F2 easy to reason about.
                use_dns_cache=False,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                # Remote servers must not plant cookies that we would then send to others.
                cookie_jar=aiohttp.DummyCookieJar(),
                timeout=aiohttp.ClientTimeout(total=self._deadline),
                # Never read HTTP(S)_PROXY or .netrc: a proxy would make the peer check moot.
                trust_env=False,
            )
        return self._session

    async def _exchange(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: Mapping[str, str] | None,
        sign: Signer | None,
        max_bytes: int | None = None,
    ) -> HttpResponse:
        try:
            # One deadline for every hop, the headers and the body: a server trickling one byte
            # a second never times out per read (F6, CVE-2023-36461).
            async with asyncio.timeout(self._deadline):
                if method == "POST":
                    return await self._post(url, body or b"", dict(headers or {}), sign)
                return await self._follow(
                    method, url, body, dict(headers or {}), sign, max_bytes or self._max_bytes
                )
        except TimeoutError:
            message = f"no complete answer within {self._deadline:g} s"
            raise FetchError(f"{method} {url}: {message}", retryable=True) from None
        except FetchError as exc:
            raise FetchError(f"{method} {url}: {exc}", retryable=exc.retryable) from exc.__cause__

    async def _follow(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: dict[str, str],
        sign: Signer | None,
        max_bytes: int,
    ) -> HttpResponse:
        target = parse_url(url, policy=self._policy)
        for _ in range(self._max_redirects + 1):
            refused = self._refusal(target.raw_host or "")
            if refused is not None:
                raise FetchError(refused, retryable=False)
            ours = {"User-Agent": self._user_agent, "Accept-Encoding": ACCEPT_ENCODING}
            hop_headers = _merged(headers, ours)
            if sign is not None:
                signed = await sign(method, str(target), dict(hop_headers), body)
                hop_headers = _merged(hop_headers, signed)
            outcome = await self._send(method, target, body, hop_headers, max_bytes)
            if isinstance(outcome, HttpResponse):
                return outcome
            if outcome.origin() != target.origin():
                headers = {k: v for k, v in headers.items() if k.lower() not in CROSS_ORIGIN}
            target = outcome
        raise FetchError(f"more than {self._max_redirects} redirects", retryable=False)

    async def _post(
        self, url: str, body: bytes, headers: dict[str, str], sign: Signer | None
    ) -> HttpResponse:
        route = self._posts.route(url)  # parse_url's checks, once per URL
        refused = self._refusal(route.url.raw_host or "")
        if refused is not None:
            raise FetchError(refused, retryable=False)
        hop_headers = _merged(headers, self._post_headers)
        if sign is not None:
            signed = await sign("POST", route.text, dict(hop_headers), body)
            hop_headers = _merged(hop_headers, signed)
        try:
            answer = await self._posts.post(route, hop_headers, body)
        except OSError as exc:  # the resolver's lookup failures
            raise FetchError(_describe(exc), retryable=True) from exc
        except (ValueError, UnicodeError) as exc:
            raise FetchError(f"unusable request: {exc}", retryable=False) from exc
        return HttpResponse(route.text, answer.status, answer.headers, answer.body)

    async def _send(
        self, method: str, target: URL, body: bytes | None, headers: dict[str, str], max_bytes: int
    ) -> HttpResponse | URL:
        """One request: the response, or the next URL when it is a redirect a GET follows."""
        try:
            response = await self._get_session().request(
                method, target, headers=headers, data=body, allow_redirects=False
            )
            try:
                location = response.headers.get("Location")
                if method == "GET" and response.status in REDIRECT_STATUSES and location:
                    # A redirect body is never read: it could be endless, and is never used.
                    response.close()
                    return self._redirect_target(target, location)
                content = await read_capped(response, max_bytes)
            except BaseException:
                response.close()
                raise
            response.release()
            return HttpResponse(str(target), response.status, response.headers, content)
        except TimeoutError:
            raise  # aiohttp's per-hop clock (ServerTimeoutError) or ours: reported in _exchange
        except aiohttp.InvalidURL as exc:
            raise FetchError(f"invalid URL: {exc}", retryable=False) from exc
        except (aiohttp.ClientError, OSError) as exc:
            # OSError covers ssl.SSLError and refused or reset connections.
            raise FetchError(_describe(exc), retryable=True) from exc
        except (ValueError, UnicodeError) as exc:
            raise FetchError(f"unusable request or response: {exc}", retryable=False) from exc

    def _redirect_target(self, current: URL, location: str) -> URL:
        # An absolute Location is checked as written, so yarl cannot percent-encode a CR/LF or a
        # space away first; a relative one keeps the scheme and host just checked (F3, F4).
        if "://" in location:
            return parse_url(location, policy=self._policy)
        try:
            joined = current.join(URL(location))
        except (ValueError, UnicodeError) as exc:
            raise FetchError(f"bad redirect {location!r}: {exc}", retryable=False) from None
        return parse_url(str(joined), policy=self._policy)


def _no_refusal(host: str) -> str | None:
    return None


def _merged(headers: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str]:
    # Header names are case-insensitive: `user-agent` and `User-Agent` must not both be sent.
    replaced = {name.lower() for name in extra}
    kept = {name: value for name, value in headers.items() if name.lower() not in replaced}
    return kept | dict(extra)


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
