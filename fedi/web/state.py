"""What every route needs from the application: the open instance and the page renderer."""

from __future__ import annotations

from starlette.requests import Request

from fedi.context import Context
from fedi.web.templating import Pages


def context_of(request: Request) -> Context:
    context: Context = request.app.state.context
    return context


def pages_of(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages
