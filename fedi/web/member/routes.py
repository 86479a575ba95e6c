"""The member web app's routes, in the order the router tries them."""

from __future__ import annotations

from starlette.routing import BaseRoute

from fedi.web.member import actions, compose, relations, reporting, search, spaces, timelines

routes: list[BaseRoute] = [
    *timelines.routes,
    *compose.routes,
    *actions.routes,
    *spaces.routes,
    *search.routes,
    *relations.routes,
    *reporting.routes,
]
