from __future__ import annotations

import pytest

from fedi.web.negotiation import prefers_activity_json

AS_PROFILE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


@pytest.mark.parametrize(
    "accept",
    [
        "application/activity+json",
        AS_PROFILE,
        "application/ld+json",
        'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
        "application/activity+json, text/html;q=0.1",
        # Mastodon's fetcher
        f"application/activity+json, {AS_PROFILE}, text/html;q=0.1",
        'APPLICATION/LD+JSON;PROFILE="https://www.w3.org/ns/activitystreams"',
    ],
)
def test_activitystreams_clients_get_json(accept: str) -> None:
    assert prefers_activity_json(accept)


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "",
        "*/*",
        "text/html",
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8",
        "text/html, application/activity+json;q=0.5",
        "application/activity+json;q=0",
        'application/ld+json; profile="https://example.org/other"',
        "application/json",
        "garbage",
    ],
)
def test_browsers_and_others_get_html(accept: str | None) -> None:
    assert not prefers_activity_json(accept)
