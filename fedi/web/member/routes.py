"""The member web app's routes, in the order the router tries them."""

from __future__ import annotations

from starlette.routing import BaseRoute

from fedi.web.member import actions, compose, live, timelines

routes: list[BaseRoute] = [
    *timelines.routes,
    *compose.routes,
    *actions.routes,
    *live.routes,
]
