"""fedi.api.route_gate: the application's router, with the client API and the pages behind their
gates (which try a route only for a path that begins as its own does), picks the same route for
every path and method as the same routes listed one by one, under a root path too."""

from __future__ import annotations

import re

import pytest
from starlette.routing import BaseRoute, Match, Mount, Route, Router

from fedi.api.route_gate import RouteGate
from fedi.api.routes import api_routes
from fedi.app import create_app
from fedi.core.config import load_settings


def chosen(
    routes: list[BaseRoute], path: str, method: str, root: str = ""
) -> tuple[str, object] | None:
    """What the router does with the request: the route it hands it to, as (FULL or PARTIAL,
    endpoint), or None."""
    scope = {"type": "http", "path": root + path, "root_path": root, "method": method}
    partial = None
    for route in routes:
        match, child = route.matches(scope)
        endpoint = child.get("endpoint")
        if match is Match.FULL:
            return "full", endpoint
        if match is Match.PARTIAL and partial is None:
            partial = ("partial", endpoint)
    return partial


@pytest.fixture(scope="module")
def gated(tmp_path_factory: pytest.TempPathFactory) -> list[BaseRoute]:
    settings = load_settings(
        {"FEDI_DOMAIN": "gate.test", "FEDI_DATA_DIR": str(tmp_path_factory.mktemp("gate"))}
    )
    routes = create_app(settings, workers=False).router.routes
    assert sum(isinstance(r, RouteGate) for r in routes) == 2  # the API's and the pages'
    return routes


def flat(routes: list[BaseRoute]) -> list[BaseRoute]:
    return [
        r for route in routes for r in (route.routes if isinstance(route, RouteGate) else [route])
    ]


def sample_paths(routes: list[BaseRoute]) -> list[str]:
    paths = {"/", "/api", "/api/", "/api/v9/nothing", "/oauth", "/@alice", "/@alice/1", "/nope"}
    paths |= {"/static", "/static/", "/static/style.css", "/staticx", "/@", "/@/1", "/@alice.rss"}
    for route in routes:
        if isinstance(route, Route | Mount):
            for value in ("1", "alice"):
                filled = re.sub(r"\{[^}]+\}", value, route.path)
                paths |= {filled, filled.rstrip("/") + "/", filled + "x", "/x" + filled}
                paths |= {filled + "/1", filled[:-1]}
    return sorted(paths)


@pytest.mark.parametrize("root", ["", "/sub"])
def test_every_path_reaches_the_same_route_as_without_the_gate(
    gated: list[BaseRoute], root: str
) -> None:
    plain = flat(gated)
    assert len(plain) > len(gated) > 0
    for path in sample_paths(plain):
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            assert chosen(gated, path, method, root) == chosen(plain, path, method, root), (
                root,
                path,
                method,
            )


def test_urls_are_built_through_the_gate() -> None:
    router = Router(routes=[RouteGate(api_routes)])
    named = next(r for r in api_routes if isinstance(r, Route) and "{" not in r.path)
    assert router.url_path_for(named.name) == named.path
