"""The helpers of htmx-enhanced routes: telling fragment requests apart, Vary, announcements."""

from __future__ import annotations

import json

import pytest
from starlette.requests import Request
from starlette.responses import Response

from fedi.web.enhance import STATUS_EVENT, announce, is_fragment_request, vary_on_htmx


def request_with(**headers: str) -> Request:
    raw = [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": raw})


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [
        ({}, False),
        ({"hx_request": "true"}, True),
        ({"hx_request": "true", "hx_boosted": "true"}, False),
        ({"hx_request": "true", "hx_history_restore_request": "true"}, False),
        ({"hx_request": "false"}, False),
    ],
)
def test_only_plain_htmx_requests_want_a_fragment(headers: dict[str, str], fragment: bool) -> None:
    assert is_fragment_request(request_with(**headers)) is fragment


def test_vary_gains_hx_request_once_and_keeps_what_was_there() -> None:
    response = Response(headers={"Vary": "Accept, Cookie"})
    vary_on_htmx(vary_on_htmx(response))
    assert response.headers["vary"] == "Accept, Cookie, HX-Request"
    assert vary_on_htmx(Response()).headers["vary"] == "HX-Request"


def test_announcement_goes_to_the_body_after_settling_in_ascii() -> None:
    response = announce(Response(headers={"HX-Trigger-After-Settle": "refresh"}), "تم الحفظ")
    header = response.headers["hx-trigger-after-settle"]
    assert header.isascii()
    assert json.loads(header) == {
        "refresh": None,
        STATUS_EVENT: {"target": "body", "value": "تم الحفظ"},
    }
