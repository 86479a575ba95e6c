"""The member web app's routes, in the order the router tries them."""

from __future__ import annotations

from starlette.routing import BaseRoute

from fedi.web.member import (
    actions,
    compose,
    follow_requests,
    live,
    notifications,
    relations,
    reporting,
    saved,
    scheduled,
    search,
    spaces,
    tags,
    timelines,
    translating,
)

routes: list[BaseRoute] = [
    *timelines.routes,
    *compose.routes,
    *translating.routes,  # before actions: /statuses/{id}/{action} would take it
    *actions.routes,
    *live.routes,
    *notifications.routes,
    *saved.routes,
    *scheduled.routes,
    *tags.routes,
    *follow_requests.routes,
    *spaces.routes,
    *search.routes,
    *relations.routes,
    *reporting.routes,
]
