"""A block of routes the router skips at once when the path is outside their prefixes, and
inside which a route is tried only when the path begins as the route's own path does (up to its
first parameter): the client API has some four hundred routes and the pages some hundred and
sixty, and without this every request would try each one before its own in turn (a group's page
came after 113 others). Inside, the routes are tried in their order, and the answer is the one
the same routes listed one by one would give: a path that does not begin with a route's literal
start cannot match its pattern, which begins with that text."""

from __future__ import annotations

from collections.abc import Sequence

from starlette._utils import get_route_path
from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, Mount, NoMatchFound, Route, WebSocketRoute
from starlette.types import Receive, Scope, Send

CHOSEN = "fedi.route_gate.chosen"  # the scope key naming the route that matched


class RouteGate(BaseRoute):
    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.routes = list(routes)
        # Each route with its literal start ("/api/v1/accounts/", "/@"); "" for a route whose
        # path is not known here, which is always tried.
        self._starts = [(route, _literal_start(route)) for route in self.routes]
        starts = {start for _, start in self._starts}
        # A path none of them starts cannot match any of the routes; () when one is always tried.
        self.prefixes = () if "" in starts else tuple(sorted(starts))

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] not in ("http", "websocket"):
            return Match.NONE, {}
        path = get_route_path(scope)  # as the routes see it (the router's own function)
        if self.prefixes and not path.startswith(self.prefixes):
            return Match.NONE, {}
        partial: tuple[BaseRoute, Scope] | None = None
        for route, start in self._starts:
            if not path.startswith(start):
                continue
            match, child = route.matches(scope)
            if match == Match.FULL:
                return Match.FULL, {**child, CHOSEN: route}
            if match == Match.PARTIAL and partial is None:
                partial = (route, child)
        if partial is not None:
            return Match.PARTIAL, {**partial[1], CHOSEN: partial[0]}
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        route: BaseRoute = scope.pop(CHOSEN)
        scope["route"] = route  # as the router names the route it chose
        await route.handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: object) -> URLPath:
        for route in self.routes:
            try:
                return route.url_path_for(name, **path_params)
            except NoMatchFound:
                continue
        raise NoMatchFound(name, path_params)


def _literal_start(route: BaseRoute) -> str:
    """What every path a route matches begins with: its path up to its first parameter (a
    mount's, without the slash its pattern adds); "" when the route is not one of those."""
    if isinstance(route, Route | Mount | WebSocketRoute):
        return route.path.split("{", 1)[0]
    return ""
