"""The member web app's routes, in the order the router tries them."""

from __future__ import annotations

from starlette.routing import BaseRoute

from fedi.web.member import (
    actions,
    compose,
    follow_requests,
    live,
    notifications,
    saved,
    tags,
    threads,
    timelines,
)

routes: list[BaseRoute] = [
    *timelines.routes,
    *compose.routes,
    *actions.routes,
    *live.routes,
    *notifications.routes,
    *saved.routes,
    *tags.routes,
    *follow_requests.routes,
    *threads.routes,  # /@user/id: a member's thread, or the public page for anyone else
]
