"""A block of routes the router skips at once when the path is outside their prefixes: the
client API has some three hundred routes, and every page, actor or media request would
otherwise try each of them in turn. Inside, the routes are tried in their order, and the
answer is the one the same routes listed one by one would give."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, NoMatchFound, Route
from starlette.types import Receive, Scope, Send

CHOSEN = "fedi.route_gate.chosen"  # the scope key naming the route that matched


class RouteGate(BaseRoute):
    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.routes = list(routes)
        # Each route's first path segment ("/api/"...): a path outside all of them cannot match.
        self.prefixes = tuple(
            sorted({"/" + r.path.split("/")[1] + "/" for r in self.routes if isinstance(r, Route)})
        )

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path: str = scope.get("path", "")
        root: str = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]  # as the routes see it
        if not path.startswith(self.prefixes) and path + "/" not in self.prefixes:
            return Match.NONE, {}
        partial: tuple[BaseRoute, Scope] | None = None
        for route in self.routes:
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
