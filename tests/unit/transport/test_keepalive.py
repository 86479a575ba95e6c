"""HttpClient.post over kept-alive connections (fedi.transport.keepalive) against real servers on
127.0.0.1: an aiohttp application for well-behaved answers, raw sockets for the others. The same
guards as for fetches (security.md F1-F7): the address check on each connection, the host
refusal, caps on bytes and time, no header injection, connections capped per host.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from ipaddress import ip_network

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from multidict import CIMultiDict

from fedi.transport.http import FetchError, HttpClient
from fedi.transport.keepalive import Pool, route_of
from fedi.transport.netguard import STRICT, parse_url

UA = "fedi-test/1.0 (+https://fedi.test/)"
MB = 1_048_576


@dataclass
class Hit:
    path: str
    headers: CIMultiDict[str]
    body: bytes
    client_port: int


@dataclass
class Remote:
    port: int = 0
    hits: list[Hit] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0

    def url(self, path: str, host: str = "alice.test") -> str:
        return f"http://{host}:{self.port}{path}"


def remote_app(remote: Remote) -> web.Application:
    async def record(request: web.Request) -> web.StreamResponse:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        body = await request.read()
        remote.hits.append(Hit(request.path, request.headers.copy(), body, peer[1] if peer else 0))
        remote.in_flight += 1
        remote.max_in_flight = max(remote.max_in_flight, remote.in_flight)
        try:
            if request.path == "/slow":
                await asyncio.sleep(0.05)
            if request.path == "/gone":
                return web.Response(status=410, text="gone", headers={"X-Why": "deleted"})
            if request.path == "/close":
                response = web.Response(status=202)
                response.force_close()
                return response
            return web.Response(status=202, text="accepted")
        finally:
            remote.in_flight -= 1

    app = web.Application()
    app.router.add_post("/{path:.*}", record)
    return app


@pytest.fixture
async def remote() -> AsyncIterator[Remote]:
    state = Remote()
    runner = web.AppRunner(remote_app(state), shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    state.port = runner.addresses[0][1]
    yield state
    await runner.cleanup()


def guarded_client(*, deadline: float = 2.0, per_host_limit: int = 8,
                   host_overrides: dict[str, str] | None = None,
                   resolver: AbstractResolver | None = None) -> HttpClient:  # fmt: skip
    """A production-strict client that may reach only 127.0.0.1."""
    return HttpClient(
        user_agent=UA,
        allowed_networks=[ip_network("127.0.0.1/32")],
        host_overrides={"alice.test": "127.0.0.1"} if host_overrides is None else host_overrides,
        deadline=deadline,
        per_host_limit=per_host_limit,
        max_bytes=MB,
        resolver=resolver,
    )


@pytest.fixture
async def client() -> AsyncIterator[HttpClient]:
    async with guarded_client() as http:
        yield http


class ScriptedResolver(AbstractResolver):
    """Each lookup gets the next scripted answer (the last one again once they run out)."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = answers
        self.calls = 0

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        answer = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
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


Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def raw_server(script: Script) -> tuple[asyncio.Server, int]:
    """A server that reads one request head and body, then runs script (its own answer)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await script(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    return head + await reader.readexactly(length)


async def answer_with(raw: bytes, *, requests: int = 1) -> tuple[asyncio.Server, int]:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in range(requests):
            await read_request(reader)
            writer.write(raw)
            await writer.drain()
        await asyncio.sleep(0.2)

    return await raw_server(script)


async def test_post_sends_the_signed_body_once_and_returns_the_answer(
    client: HttpClient, remote: Remote
) -> None:
    calls: list[tuple[str, str, bytes | None, dict[str, str]]] = []

    async def sign(
        method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> dict[str, str]:
        calls.append((method, url, body, headers))
        return {"Signature": "sig", "Date": "Wed, 01 Jan 2025 00:00:00 GMT"}

    headers = {"Content-Type": "application/activity+json", "user-agent": "spoofed"}
    response = await client.post(remote.url("/gone"), b'{"type":"Follow"}', headers, sign=sign)
    assert (response.status, response.body, response.url) == (410, b"gone", remote.url("/gone"))
    assert response.headers["x-why"] == "deleted"
    assert [c[:3] for c in calls] == [("POST", remote.url("/gone"), b'{"type":"Follow"}')]
    assert calls[0][3]["User-Agent"] == UA
    [hit] = remote.hits
    assert hit.body == b'{"type":"Follow"}'
    assert hit.headers.getall("User-Agent") == [UA]
    assert hit.headers.getall("Signature") == ["sig"]
    assert hit.headers["Host"] == f"alice.test:{remote.port}"
    assert hit.headers["Content-Length"] == "17"
    assert hit.headers["Content-Type"] == "application/activity+json"
    assert hit.headers["Accept-Encoding"] == "identity"


async def test_a_callers_framing_headers_are_never_sent(client: HttpClient, remote: Remote) -> None:
    headers = {"Host": "victim.test", "Content-Length": "0", "Transfer-Encoding": "chunked"}
    await client.post(remote.url("/inbox"), b"{}", headers)
    [hit] = remote.hits
    assert hit.headers.getall("Host") == [f"alice.test:{remote.port}"]
    assert hit.headers.getall("Content-Length") == ["2"]
    assert "Transfer-Encoding" not in hit.headers
    assert hit.body == b"{}"


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "a\x00b"])
async def test_a_header_that_would_inject_another_is_refused_unsent(
    client: HttpClient, remote: Remote, value: str
) -> None:
    with pytest.raises(FetchError) as refused:
        await client.post(remote.url("/inbox"), b"{}", {"X-Note": value})
    assert refused.value.retryable is False
    assert remote.hits == []


async def test_keep_alive_reuses_one_connection(client: HttpClient, remote: Remote) -> None:
    for _ in range(3):
        assert (await client.post(remote.url("/inbox"), b"{}")).status == 202
    assert len({hit.client_port for hit in remote.hits}) == 1


async def test_a_connection_the_server_closes_is_not_reused(
    client: HttpClient, remote: Remote
) -> None:
    for _ in range(2):
        assert (await client.post(remote.url("/close"), b"{}")).status == 202
    assert len({hit.client_port for hit in remote.hits}) == 2


async def test_an_idle_connection_closed_by_the_server_is_replaced(client: HttpClient) -> None:
    # HTTP/1.1 keep-alive as far as the answer says, but the server hangs up right after it.
    server, port = await answer_with(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
    async with server:
        url = f"http://alice.test:{port}/inbox"
        assert (await client.post(url, b"{}")).status == 202
        await asyncio.sleep(0.3)  # the server has closed its end meanwhile
        assert (await client.post(url, b"{}")).status == 202


async def test_per_host_limit_bounds_concurrent_connections(remote: Remote) -> None:
    async with guarded_client(per_host_limit=1) as http:
        await asyncio.gather(*(http.post(remote.url("/slow"), b"{}") for _ in range(3)))
    assert remote.max_in_flight == 1
    assert len(remote.hits) == 3


async def test_host_override_to_a_forbidden_address_is_refused(remote: Remote) -> None:
    async with guarded_client(host_overrides={"evil.test": "10.0.0.1"}) as http:
        with pytest.raises(FetchError, match=r"10\.0\.0\.1") as refused:
            await http.post(f"http://evil.test:{remote.port}/inbox", b"{}")
    assert refused.value.retryable is False


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "http://127.0.0.2:{port}/inbox", "http://2130706433:{port}/inbox",
     "http://[::ffff:127.0.0.1]:{port}/inbox", "http://a@alice.test:{port}/inbox",
     "http://alice.test:{port}/inbox\r\nX: y"],
)  # fmt: skip
async def test_internal_and_malformed_urls_are_refused_before_any_connection(
    client: HttpClient, remote: Remote, url: str
) -> None:
    with pytest.raises(FetchError) as refused:
        await client.post(url.format(port=remote.port), b"{}")
    assert refused.value.retryable is False
    assert remote.hits == []


async def test_a_rebinding_name_is_refused_once_it_points_inside(remote: Remote) -> None:
    dns = ScriptedResolver(["127.0.0.1"], ["127.0.0.2"])
    async with guarded_client(resolver=dns, host_overrides={}) as http:
        url = f"http://rebind.test:{remote.port}/close"  # a new connection for each POST
        assert (await http.post(url, b"{}")).status == 202
        with pytest.raises(FetchError, match=r"127\.0\.0\.2") as refused:
            await http.post(url, b"{}")
    assert refused.value.retryable is False
    assert dns.calls == 2  # one lookup per connection, and that answer is the one used
    assert len(remote.hits) == 1


async def test_the_connected_address_is_checked_whatever_resolved_it(remote: Remote) -> None:
    # An unguarded resolver and a strict policy: only the check on the connected peer stands.
    pool = Pool(ScriptedResolver(["127.0.0.1"]), STRICT, per_host=2, total=4, max_bytes=MB)
    route = route_of(parse_url(f"http://evil.test:{remote.port}/inbox"))
    with pytest.raises(FetchError, match=r"connected to 127\.0\.0\.1") as refused:
        await pool.post(route, {}, b"{}")
    pool.close()
    assert refused.value.retryable is False
    assert remote.hits == []


async def test_a_refused_host_gets_no_request(client: HttpClient, remote: Remote) -> None:
    client.refuse_hosts(lambda host: "blocked" if host == "alice.test" else None)
    with pytest.raises(FetchError, match="blocked") as refused:
        await client.post(remote.url("/inbox"), b"{}")
    assert refused.value.retryable is False
    assert remote.hits == []


async def test_connection_refused_is_retryable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with guarded_client() as http:
        with pytest.raises(FetchError) as failed:
            await http.post(f"http://alice.test:{port}/inbox", b"{}")
    assert failed.value.retryable is True


async def test_the_deadline_cuts_off_a_server_that_never_answers() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.sleep(5)

    server, port = await raw_server(silent)
    async with server, guarded_client(deadline=0.3) as http:
        start = time.monotonic()
        with pytest.raises(FetchError, match=r"within 0\.3 s") as timed_out:
            await http.post(f"http://alice.test:{port}/inbox", b"{}")
    assert timed_out.value.retryable is True
    assert time.monotonic() - start < 1.5


async def test_an_endless_answer_is_cut_at_the_byte_cap(client: HttpClient) -> None:
    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"10000\r\n" + b"x" * 65_536 + b"\r\n"
        for _ in range(40):
            writer.write(chunk)
            await writer.drain()

    server, port = await raw_server(endless)
    async with server:
        with pytest.raises(FetchError, match="cap") as refused:
            await client.post(f"http://alice.test:{port}/inbox", b"{}")
    assert refused.value.retryable is False


async def test_a_declared_oversize_answer_is_refused_unread(client: HttpClient) -> None:
    server, port = await answer_with(b"HTTP/1.1 202 Accepted\r\nContent-Length: 99999999\r\n\r\n")
    async with server:
        start = time.monotonic()
        with pytest.raises(FetchError, match="Content-Length") as refused:
            await client.post(f"http://alice.test:{port}/inbox", b"{}")
    assert refused.value.retryable is False
    assert time.monotonic() - start < 1.0


async def test_an_endless_answer_head_is_refused(client: HttpClient) -> None:
    async def endless_head(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 202 Accepted\r\n")
        for n in range(2000):
            writer.write(b"X-Filler-%d: %s\r\n" % (n, b"y" * 100))
            await writer.drain()

    server, port = await raw_server(endless_head)
    async with server:
        with pytest.raises(FetchError, match="head") as refused:
            await client.post(f"http://alice.test:{port}/inbox", b"{}")
    assert refused.value.retryable is False


@pytest.mark.parametrize(
    "raw",
    [b"SSH-2.0-OpenSSH_9.6\r\n\r\n", b"HTTP/1.1 2x2 Odd\r\n\r\n",
     b"HTTP/1.1 202 Accepted\r\nContent-Length: 10\r\n\r\nshort"],
)  # fmt: skip
async def test_garbage_or_a_cut_answer_is_a_retryable_error(client: HttpClient, raw: bytes) -> None:
    async def once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(raw)
        await writer.drain()

    server, port = await raw_server(once)
    async with server:
        with pytest.raises(FetchError) as failed:
            await client.post(f"http://alice.test:{port}/inbox", b"{}")
    assert failed.value.retryable is True


# No time stamp: the test's name is the same in every process collecting it (pytest-xdist).
ZIPPED = gzip.compress(b"zipped", mtime=0)


@pytest.mark.parametrize(
    ("raw", "body"),
    [
        (b"HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", b"ok"),
        (b"HTTP/1.0 202 Accepted\r\n\r\nuntil the end", b"until the end"),
        (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok",
         b"ok"),
        (b"HTTP/1.1 202 Accepted\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s"
         % (len(ZIPPED), ZIPPED), b"zipped"),
    ],
)  # fmt: skip
async def test_answers_framed_every_lawful_way_are_read(
    client: HttpClient, raw: bytes, body: bytes
) -> None:
    async def once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(raw)
        await writer.drain()
        if raw.startswith(b"HTTP/1.0"):
            writer.close()

    server, port = await raw_server(once)
    async with server:
        response = await client.post(f"http://alice.test:{port}/inbox", b"{}")
    assert (response.status, response.body) == (202, body)


async def test_a_compression_bomb_is_capped_on_inflated_bytes(client: HttpClient) -> None:
    bomb = gzip.compress(bytes(8 * MB))
    head = b"HTTP/1.1 202 Accepted\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n"
    server, port = await answer_with(head % len(bomb) + bomb)
    async with server:
        with pytest.raises(FetchError, match="cap") as refused:
            await client.post(f"http://alice.test:{port}/inbox", b"{}")
    assert refused.value.retryable is False


async def test_bytes_after_the_answer_make_the_connection_unusable(client: HttpClient) -> None:
    answer = b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"
    trailing = answer + b"HTTP/1.1 500 Smuggled\r\nContent-Length: 0\r\n\r\n"
    server, port = await answer_with(trailing, requests=2)
    async with server:
        url = f"http://alice.test:{port}/inbox"
        assert (await client.post(url, b"{}")).status == 202
        second = await client.post(url, b"{}")  # on a new connection, never the smuggled 500
    assert second.status == 202
