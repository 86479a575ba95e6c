"""Name resolution for outbound requests: every address a host resolves to is checked against
the address policy before anything connects (fedi.transport.netguard), with fixed overrides for
tests and closed networks."""

from __future__ import annotations

import socket
from collections.abc import Mapping

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from fedi.transport.netguard import STRICT, AddressPolicy, FetchError, address_of


class GuardedResolver(AbstractResolver):
    """Resolves through `inner` (or `host_overrides`) and keeps only the addresses allowed.

    aiohttp connects only to what its resolver returns, so this check is on the addresses the
    socket will use, with no second lookup a rebinding name could answer differently (F2).
    """

    def __init__(
        self,
        inner: AbstractResolver,
        *,
        policy: AddressPolicy = STRICT,
        host_overrides: Mapping[str, str] | None = None,
    ) -> None:
        self._inner = inner
        self._policy = policy
        # Validate the literals now: a typo must fail at start-up, not on the first fetch.
        self._overrides = {
            host.lower().rstrip("."): str(address_of(ip))
            for host, ip in (host_overrides or {}).items()
        }

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        override = self._overrides.get(host.lower().rstrip("."))
        if override is not None:
            answers = [_numeric_result(host, override, port)]
        else:
            answers = await self._inner.resolve(host, port, family)
        allowed = [a for a in answers if not self._policy.forbids(address_of(a["host"]))]
        if not allowed:
            addresses = ", ".join(a["host"] for a in answers) or "nothing"
            message = f"{host} resolves to {addresses}, not a public address"
            raise FetchError(message, retryable=False)
        return allowed

    async def close(self) -> None:
        await self._inner.close()


def _numeric_result(host: str, ip: str, port: int) -> ResolveResult:
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    return ResolveResult(
        hostname=host, host=ip, port=port, family=family, proto=0, flags=socket.AI_NUMERICHOST
    )


class LazyThreadedResolver(AbstractResolver):
    """aiohttp's getaddrinfo resolver, which needs a running loop, created on first use."""

    def __init__(self) -> None:
        self._resolver: aiohttp.ThreadedResolver | None = None

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if self._resolver is None:
            self._resolver = aiohttp.ThreadedResolver()
        return await self._resolver.resolve(host, port, family)

    async def close(self) -> None:
        if self._resolver is not None:
            await self._resolver.close()
