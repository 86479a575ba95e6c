"""The Link header of a page: its base URL, kept between requests, is the request's URL without
its query, whatever the host, scheme, port and path, and the page's other parameters stay."""

from __future__ import annotations

from starlette.requests import Request

from fedi.api.paging import link_header


def _request(path: str, query: bytes, host: bytes | None, server: tuple[str, int]) -> Request:
    headers = [(b"accept", b"*/*")] + ([(b"host", host)] if host is not None else [])
    return Request({
        "type": "http", "method": "GET", "scheme": "https", "path": path, "root_path": "",
        "query_string": query, "headers": headers, "server": server,
    })  # fmt: skip


def _expected(request: Request, cursors: list[int]) -> str:
    base = str(request.url.replace(query=""))
    others = "&".join(
        f"{k}={v}" for k, v in request.query_params.multi_items() if k not in ("max_id", "min_id")
    )
    prefix = f"{others}&" if others else ""
    return (
        f'<{base}?{prefix}max_id={cursors[-1]}>; rel="next",'
        f' <{base}?{prefix}min_id={cursors[0]}>; rel="prev"'
    )


def test_link_header_is_made_from_each_request_url() -> None:
    cases = [
        ("/api/v1/timelines/home", b"limit=20", b"pages.test", ("10.0.0.1", 443)),
        ("/api/v1/timelines/home", b"limit=5&max_id=9", b"other.test:8443", ("10.0.0.1", 443)),
        ("/api/v1/timelines/home", b"", None, ("10.0.0.1", 8443)),
        ("/api/v1/timelines/home", b"local=true", None, ("10.0.0.1", 443)),
        ("/api/v1/accounts/7/statuses", b"limit=20", b"pages.test", ("10.0.0.1", 443)),
        ("/api/v1/timelines/tag/a?b", b"limit=20", b"pages.test", ("10.0.0.1", 443)),
    ]
    for _ in range(2):  # the second time from what was kept
        for path, query, host, server in cases:
            request = _request(path, query, host, server)
            assert link_header(request, [30, 20, 10]) == {"Link": _expected(request, [30, 20, 10])}
    assert link_header(_request("/x", b"", None, ("h", 1)), []) == {}
