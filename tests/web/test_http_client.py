"""The outbound client against a real HTTP server on 127.0.0.1 (security.md C and E: F1-F7).

The guarded clients here open exactly 127.0.0.1/32, where the test server listens, so every other
internal address (127.0.0.2, 10/8, 169.254/16, ...) stays forbidden as in production.
"""

from __future__ import annotations

import asyncio
import functools
import socket
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from ipaddress import ip_network

import aiohttp
import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.typedefs import Handler
from multidict import CIMultiDict
from yarl import URL

from fedi.transport.http import AddressPolicy, FetchError, GuardedConnector, HttpClient

UA = "fedi-test/1.0 (+https://fedi.test/)"
LOOPBACK_ONLY = [ip_network("127.0.0.1/32")]
MB = 1_048_576


@dataclass
class Hit:
    path: str
    host: str
    headers: CIMultiDict[str]
    client_port: int
    body: bytes


@dataclass
class Remote:
    port: int
    hits: list[Hit] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0

    def url(self, path: str, host: str = "alice.test") -> str:
        return f"http://{host}:{self.port}{path}"

    def paths(self) -> list[str]:
        return [hit.path for hit in self.hits]


@functools.cache
def bomb(encoding: str) -> bytes:
    """50 MB of zeros, compressed to about 50 kB; built in 1 MB steps to keep the test small."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31 if encoding == "gzip" else 15)
    zeros = bytes(MB)
    return b"".join(packer.compress(zeros) for _ in range(50)) + packer.flush()


def remote_app(remote: Remote) -> web.Application:
    routes = web.RouteTableDef()

    @web.middleware
    async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        body = await request.read()
        remote.hits.append(
            Hit(request.path, request.host, request.headers.copy(), peer[1] if peer else 0, body)
        )
        remote.in_flight += 1
        remote.max_in_flight = max(remote.max_in_flight, remote.in_flight)
        try:
            return await handler(request)
        finally:
            remote.in_flight -= 1

    @routes.get("/hello")
    async def hello(request: web.Request) -> web.Response:
        return web.json_response({"hello": "world"}, headers={"X-Remote": "yes"})

    @routes.route("*", "/redirect")
    async def redirect(request: web.Request) -> web.Response:
        status = int(request.query.get("status", "302"))
        return web.Response(status=status, headers={"Location": request.query["to"]})

    @routes.get("/chain/{n}")
    async def chain(request: web.Request) -> web.Response:
        await asyncio.sleep(float(request.query.get("delay", "0")))
        n = int(request.match_info["n"])
        if n == 0:
            return web.Response(text="end of chain")
        location = f"/chain/{n - 1}?{request.query_string}"
        return web.Response(status=302, headers={"Location": location})

    @routes.post("/inbox")
    async def inbox(request: web.Request) -> web.Response:
        return web.Response(status=202)

    @routes.get("/close")
    async def close(request: web.Request) -> web.Response:
        response = web.Response(text="bye")
        response.force_close()
        return response

    @routes.get("/declared-big")
    async def declared_big(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": str(10 * MB)})
        await response.prepare(request)
        await asyncio.sleep(10)  # never sends the body; cancelled when the client hangs up
        return response

    @routes.get("/endless")
    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        chunk = b"x" * 65_536
        try:
            while True:
                await response.write(chunk)
        except ConnectionError:
            return response

    @routes.get("/slow")
    async def slow(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": "100"})
        await response.prepare(request)
        try:
            for _ in range(100):
                await response.write(b"x")
                await asyncio.sleep(0.1)
        except ConnectionError:
            pass
        return response

    @routes.get("/slow-headers")
    async def slow_headers(request: web.Request) -> web.Response:
        await asyncio.sleep(10)
        return web.Response(text="too late")

    @routes.get("/bomb/{encoding}")
    async def serve_bomb(request: web.Request) -> web.Response:
        encoding = request.match_info["encoding"]
        return web.Response(body=bomb(encoding), headers={"Content-Encoding": encoding})

    @routes.get("/gzip")
    async def gzip_body(request: web.Request) -> web.Response:
        packer = zlib.compressobj(6, zlib.DEFLATED, 31)
        body = packer.compress(b'{"type": "Note"}') + packer.flush()
        return web.Response(body=body, headers={"Content-Encoding": "gzip"})

    @routes.get("/bad-location")
    async def bad_location(request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": "http://[::1/"})

    @routes.get("/slow-ok")
    async def slow_ok(request: web.Request) -> web.Response:
        await asyncio.sleep(0.05)
        return web.Response(text="ok")

    app = web.Application(middlewares=[record])
    app.add_routes(routes)
    return app


@pytest.fixture
async def remote() -> AsyncIterator[Remote]:
    state = Remote(port=0)
    # Cancel a handler when its client hangs up, as a capped or timed-out fetch does.
    runner = web.AppRunner(remote_app(state), handler_cancellation=True, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    state.port = runner.addresses[0][1]
    yield state
    await runner.cleanup()


def guarded_client(
    *,
    deadline: float = 2.0,
    per_host_limit: int = 8,
    host_overrides: dict[str, str] | None = None,
    resolver: AbstractResolver | None = None,
) -> HttpClient:
    """A production-strict client that may reach only 127.0.0.1, where alice and bob live."""
    if host_overrides is None:
        host_overrides = {"alice.test": "127.0.0.1", "bob.test": "127.0.0.1"}
    return HttpClient(
        user_agent=UA,
        allowed_networks=LOOPBACK_ONLY,
        host_overrides=host_overrides,
        deadline=deadline,
        per_host_limit=per_host_limit,
        resolver=resolver,
    )


@pytest.fixture
async def client() -> AsyncIterator[HttpClient]:
    async with guarded_client() as http:
        yield http


class ScriptedResolver(AbstractResolver):
    """A DNS server under the attacker's control: each lookup gets the next scripted answer."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = answers
        self.calls = 0

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        answer = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        if not answer:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            ResolveResult(
                hostname=host,
                host=ip,
                port=port,
                family=socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for ip in answer
        ]

    async def close(self) -> None:
        pass


async def test_get_returns_status_headers_body_and_sends_a_user_agent(
    client: HttpClient, remote: Remote
) -> None:
    response = await client.get(remote.url("/hello"), {"Accept": "application/activity+json"})
    assert response.status == 200
    assert response.url == remote.url("/hello")
    assert response.headers["x-remote"] == "yes"
    assert response.headers["CONTENT-TYPE"].startswith("application/json")
    assert response.body == b'{"hello": "world"}'
    [hit] = remote.hits
    assert hit.headers["User-Agent"] == UA
    assert hit.headers["Accept"] == "application/activity+json"
    assert hit.headers["Accept-Encoding"] == "gzip, deflate"


async def test_caller_headers_never_duplicate_ours(client: HttpClient, remote: Remote) -> None:
    async def sign(
        method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> dict[str, str]:
        return {**headers, "signature": "sig"}

    caller = {"user-agent": "spoofed", "accept-encoding": "br", "SIGNATURE": "stale"}
    await client.get(remote.url("/hello"), caller, sign=sign)
    [hit] = remote.hits
    assert hit.headers.getall("User-Agent") == [UA]
    assert hit.headers.getall("Accept-Encoding") == ["gzip, deflate"]
    assert hit.headers.getall("Signature") == ["sig"]


async def test_host_overrides_reach_each_named_instance(client: HttpClient, remote: Remote) -> None:
    await client.get(remote.url("/hello", host="alice.test"))
    await client.get(remote.url("/hello", host="BOB.test"))
    assert [hit.host for hit in remote.hits] == [
        f"alice.test:{remote.port}",
        f"bob.test:{remote.port}",
    ]


async def test_allow_private_networks_reaches_loopback_by_override_and_literal(
    remote: Remote,
) -> None:
    overrides = {"alice.test": "127.0.0.1"}
    async with HttpClient(
        allow_private_networks=True, user_agent=UA, host_overrides=overrides
    ) as http:
        assert (await http.get(remote.url("/hello"))).status == 200
        assert (await http.get(f"http://127.0.0.1:{remote.port}/hello")).status == 200


async def test_host_override_to_a_forbidden_address_is_refused(remote: Remote) -> None:
    async with guarded_client(host_overrides={"evil.test": "10.0.0.1"}) as http:
        with pytest.raises(FetchError, match=r"10\.0\.0\.1") as refused:
            await http.get(f"http://evil.test:{remote.port}/hello")
    assert refused.value.retryable is False


def test_host_override_must_be_an_ip_literal() -> None:
    with pytest.raises(ValueError):
        HttpClient(user_agent=UA, host_overrides={"alice.test": "localhost"})


async def test_redirects_are_followed_up_to_the_limit(client: HttpClient, remote: Remote) -> None:
    response = await client.get(remote.url("/chain/3"))
    assert response.status == 200
    assert response.body == b"end of chain"
    assert response.url == remote.url("/chain/0")
    assert remote.paths() == ["/chain/3", "/chain/2", "/chain/1", "/chain/0"]
    assert {hit.headers["User-Agent"] for hit in remote.hits} == {UA}


async def test_one_redirect_too_many_is_refused(client: HttpClient, remote: Remote) -> None:
    with pytest.raises(FetchError, match="more than 3 redirects") as refused:
        await client.get(remote.url("/chain/4"))
    assert refused.value.retryable is False
    assert len(remote.hits) == 4


@pytest.mark.parametrize(
    "target",
    [
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_FLUSHALL",
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.2:{port}/hello",
        "http://[::ffff:127.0.0.1]:{port}/hello",
        "http://2130706433:{port}/hello",
        "http://10.0.0.1/admin",
        "//127.0.0.2:{port}/hello",
    ],
)
async def test_redirect_to_an_internal_address_or_other_scheme_is_refused(
    client: HttpClient, remote: Remote, target: str
) -> None:
    start = URL(remote.url("/redirect")).with_query(to=target.format(port=remote.port))
    with pytest.raises(FetchError) as refused:
        await client.get(str(start))
    assert refused.value.retryable is False
    assert remote.paths() == ["/redirect"]


async def test_redirect_to_a_name_resolving_internally_is_refused(remote: Remote) -> None:
    overrides = {"alice.test": "127.0.0.1", "internal.test": "127.0.0.2"}
    async with guarded_client(host_overrides=overrides) as http:
        target = f"http://internal.test:{remote.port}/hello"
        with pytest.raises(FetchError, match=r"127\.0\.0\.2") as refused:
            await http.get(remote.url(f"/redirect?to={target}"))
    assert refused.value.retryable is False
    assert remote.paths() == ["/redirect"]


async def test_unparseable_redirect_location_is_refused(client: HttpClient, remote: Remote) -> None:
    with pytest.raises(FetchError) as refused:
        await client.get(remote.url("/bad-location"))
    assert refused.value.retryable is False


async def test_every_hop_is_signed_again_for_its_own_url(
    client: HttpClient, remote: Remote
) -> None:
    calls: list[tuple[str, str]] = []

    async def sign(
        method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> dict[str, str]:
        assert headers["User-Agent"] == UA
        calls.append((method, url))
        return {"Signature": f"for {url}"}

    bob = remote.url("/chain/1", host="bob.test")
    await client.get(remote.url(f"/redirect?to={bob}"), sign=sign)
    urls = [remote.url(f"/redirect?to={bob}"), bob, remote.url("/chain/0", host="bob.test")]
    assert calls == [("GET", url) for url in urls]
    assert [hit.headers["Signature"] for hit in remote.hits] == [f"for {url}" for url in urls]


async def test_credentials_do_not_follow_a_redirect_to_another_host(
    client: HttpClient, remote: Remote
) -> None:
    bob = remote.url("/hello", host="bob.test")
    headers = {"Authorization": "Bearer secret", "Accept": "application/activity+json"}
    await client.get(remote.url(f"/redirect?to={bob}"), headers)
    first, second = remote.hits
    assert first.headers["Authorization"] == "Bearer secret"
    assert "Authorization" not in second.headers
    assert second.headers["Accept"] == "application/activity+json"


async def test_post_sends_the_body_signed_once(client: HttpClient, remote: Remote) -> None:
    calls: list[tuple[str, str, bytes | None]] = []

    async def sign(
        method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> dict[str, str]:
        calls.append((method, url, body))
        return {"Signature": "sig"}

    headers = {"Content-Type": "application/activity+json"}
    response = await client.post(remote.url("/inbox"), b'{"type":"Follow"}', headers, sign=sign)
    assert response.status == 202
    assert calls == [("POST", remote.url("/inbox"), b'{"type":"Follow"}')]
    [hit] = remote.hits
    assert hit.body == b'{"type":"Follow"}'
    assert hit.headers["Signature"] == "sig"
    assert hit.headers["User-Agent"] == UA
    assert hit.headers["Content-Type"] == "application/activity+json"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_post_never_follows_a_redirect(
    client: HttpClient, remote: Remote, status: int
) -> None:
    response = await client.post(remote.url(f"/redirect?status={status}&to=/inbox"), b"{}")
    assert response.status == status
    assert response.headers["Location"] == "/inbox"
    assert remote.paths() == ["/redirect"]


async def test_keep_alive_reuses_one_connection(client: HttpClient, remote: Remote) -> None:
    for _ in range(3):
        await client.get(remote.url("/hello"))
    assert len({hit.client_port for hit in remote.hits}) == 1


async def test_per_host_limit_bounds_concurrent_connections(remote: Remote) -> None:
    async with guarded_client(per_host_limit=1) as http:
        await asyncio.gather(*(http.get(remote.url("/slow-ok")) for _ in range(3)))
    assert remote.max_in_flight == 1


async def test_declared_oversize_body_is_refused_without_reading_it(
    client: HttpClient, remote: Remote
) -> None:
    start = time.monotonic()
    with pytest.raises(FetchError, match="Content-Length") as refused:
        await client.get(remote.url("/declared-big"))
    assert refused.value.retryable is False
    assert time.monotonic() - start < 1.0  # the body never comes; waiting for it would time out


async def test_endless_body_is_cut_at_the_byte_cap(client: HttpClient, remote: Remote) -> None:
    with pytest.raises(FetchError, match="cap") as refused:
        await client.get(remote.url("/endless"))
    assert refused.value.retryable is False


@pytest.mark.parametrize("path", ["/slow", "/slow-headers", "/chain/3?delay=0.2"])
async def test_total_deadline_cuts_off_slow_servers(remote: Remote, path: str) -> None:
    start = time.monotonic()
    async with guarded_client(deadline=0.5) as http:
        with pytest.raises(FetchError, match=r"within 0\.5 s") as timed_out:
            await http.get(remote.url(path))
    assert timed_out.value.retryable is True
    assert 0.5 <= time.monotonic() - start < 1.5


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_compression_bomb_is_capped_on_decompressed_bytes(
    client: HttpClient, remote: Remote, encoding: str
) -> None:
    bomb(encoding)  # build the payload before measuring
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="cap") as refused:
            await client.get(remote.url(f"/bomb/{encoding}"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.retryable is False
    assert peak < 8 * MB, f"peak {peak} bytes while inflating a 50 MB bomb"


async def test_gzip_body_is_returned_decompressed(client: HttpClient, remote: Remote) -> None:
    response = await client.get(remote.url("/gzip"))
    assert response.body == b'{"type": "Note"}'


async def test_rebinding_name_is_refused_once_it_points_inside(remote: Remote) -> None:
    # Public (here: 127.0.0.1, the one allowed address) for the first lookup, internal after.
    dns = ScriptedResolver(["127.0.0.1"], ["127.0.0.2"])
    async with guarded_client(resolver=dns, host_overrides={}) as http:
        first = await http.get(f"http://rebind.test:{remote.port}/close")
        assert first.status == 200
        with pytest.raises(FetchError, match=r"127\.0\.0\.2") as refused:
            await http.get(f"http://rebind.test:{remote.port}/close")
    assert refused.value.retryable is False
    # Exactly one lookup per connection, and that very answer is the one checked and used.
    assert dns.calls == 2
    assert len(remote.hits) == 1


async def test_only_the_allowed_addresses_of_a_mixed_answer_are_used(remote: Remote) -> None:
    dns = ScriptedResolver(["127.0.0.2", "10.0.0.1", "127.0.0.1"])
    async with guarded_client(resolver=dns, host_overrides={}) as http:
        response = await http.get(f"http://mixed.test:{remote.port}/hello")
    assert response.status == 200


@pytest.mark.parametrize("host", ["127.0.0.1", "evil.test"])
async def test_connector_refuses_a_forbidden_peer_whatever_resolved_it(
    remote: Remote, host: str
) -> None:
    # No check_url and an unguarded resolver: only the connected-address check stands (F2).
    connector = GuardedConnector(
        policy=AddressPolicy(), resolver=ScriptedResolver(["127.0.0.1"]), use_dns_cache=False
    )
    async with aiohttp.ClientSession(connector=connector) as session:
        with pytest.raises(FetchError, match=r"connected to 127\.0\.0\.1"):
            await session.get(f"http://{host}:{remote.port}/hello")
    assert remote.hits == []


async def test_connection_refused_is_a_retryable_fetch_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with guarded_client() as http:
        with pytest.raises(FetchError) as failed:
            await http.get(f"http://alice.test:{port}/")
    assert failed.value.retryable is True


async def test_unknown_host_is_a_retryable_fetch_error() -> None:
    async with guarded_client(resolver=ScriptedResolver([]), host_overrides={}) as http:
        with pytest.raises(FetchError) as failed:
            await http.get("http://nowhere.test/")
    assert failed.value.retryable is True


async def test_garbage_instead_of_http_is_a_retryable_fetch_error() -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with guarded_client() as http:
            with pytest.raises(FetchError) as failed:
                await http.get(f"http://alice.test:{port}/")
    finally:
        server.close()
        await server.wait_closed()
    assert failed.value.retryable is True


async def test_bad_url_is_refused_before_any_connection(client: HttpClient, remote: Remote) -> None:
    for url in (
        "file:///etc/passwd",
        remote.url("/hello\r\nX: y"),
        f"http://a@alice.test:{remote.port}/",
    ):
        with pytest.raises(FetchError):
            await client.get(url)
    assert remote.hits == []
