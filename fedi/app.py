"""The one place that wires the application: routes, error handling, CORS and the lifespan that
opens the instance (database, keys, translations)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fedi.accounts.auth import Authenticator
from fedi.api.route_gate import RouteGate
from fedi.api.routes import api_routes
from fedi.context import Context, open_context
from fedi.core.config import Settings
from fedi.core.models import User
from fedi.core.timeutil import utcnow
from fedi.db import claims as db_claims
from fedi.db.errors import DATABASE_ERRORS, out_of_space
from fedi.events.loop import EventsLoop
from fedi.federation import pruning
from fedi.i18n.locales import Translations
from fedi.mail import digest
from fedi.mail.worker import MailWorker
from fedi.media.media import clean_up_regularly
from fedi.moderation.blocklist_subscriptions import refresh_regularly as refresh_blocklists
from fedi.newsletter import mailing as newsletter_mailing
from fedi.push.worker import PushWorker
from fedi.statuses import home_trim, scheduled
from fedi.statuses.poll_loop import PollLoop
from fedi.web import (
    actors,
    discovery,
    feeds,
    group_collections,
    group_manage,
    group_pages,
    library_files,
    library_pages,
    mail_links,
    newsletter,
    pages,
    password_pages,
    pwa,
    signin,
    signup,
    warnings,
)
from fedi.web.admin import accounts as admin_accounts
from fedi.web.admin import index as admin_index
from fedi.web.admin import mail as admin_mail
from fedi.web.admin import newsletter as admin_newsletter
from fedi.web.admin import reports as admin_reports
from fedi.web.admin import rules as admin_rules
from fedi.web.admin.blocklists import routes as admin_blocklist_routes
from fedi.web.admin.domains import routes as admin_domain_routes
from fedi.web.cache_policy import PrivateByDefault
from fedi.web.events import forms as event_forms
from fedi.web.events import organisers as event_organisers
from fedi.web.events import pages as event_pages
from fedi.web.federation_guard import FederationGuard
from fedi.web.limited_federation import LimitedFederation
from fedi.web.media import routes as media_routes
from fedi.web.member.routes import routes as member_routes
from fedi.web.negotiation import prefers_html
from fedi.web.rate_limits import RateLimitMiddleware, RateLimits
from fedi.web.responses import JSONResponse, json_error
from fedi.web.settings import account as account_settings
from fedi.web.settings import mail as mail_settings
from fedi.web.settings import profile as profile_settings
from fedi.web.signin import viewer_of
from fedi.web.state import context_of
from fedi.web.templating import Pages
from inbox import routes as inbox_routes
from inbox.front import InboxFront
from inbox.worker import InboxWorker
from outbox.worker import OutboxWorker

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "web" / "static"
# Browser-based apps call these from other origins (client-api.md, cross-cutting rules).
CORS_PREFIXES = ("/.well-known/", "/nodeinfo/", "/api/", "/oauth/token", "/oauth/revoke")
# Paths whose errors are always JSON, whatever the Accept header says.
JSON_PREFIXES = ("/.well-known/", "/nodeinfo/", "/api/", "/oauth/token", "/health")


class CORSMiddleware:
    """Open CORS for the public machine-readable endpoints, preflight included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(CORS_PREFIXES):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            response = Response(
                status_code=204,
                headers={
                    "Access-Control-Allow-Origin": "*",
                    "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
                    "Access-Control-Allow-Headers": "Authorization, Content-Type, Idempotency-Key",
                    "Access-Control-Max-Age": "86400",
                },
            )
            await response(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"access-control-allow-origin", b"*"))
                headers.append(
                    (
                        b"access-control-expose-headers",
                        b"Link, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset",
                    )
                )
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_cors)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if request.url.path.startswith(JSON_PREFIXES) or not prefers_html(request):
        headers.setdefault("Vary", "Accept")
        return json_error(exc.status_code, str(exc.detail), headers)
    page_set: Pages = request.app.state.pages
    response = page_set.render(
        request,
        "pages/error.html",
        exc.status_code,
        status=exc.status_code,
        viewer=await error_viewer(request, exc.status_code),
    )
    response.headers.update(headers)
    return response


async def error_viewer(request: Request, status_code: int) -> User | None:
    """Who sees the error page, so that it offers a signed-in member no "Sign in". After a server
    error the database itself may be what failed: the page then shows no one rather than
    failing in turn."""
    if status_code < 500:
        return await viewer_of(request)
    try:
        return await viewer_of(request)
    except Exception:  # the handler of last resort must answer
        log.warning("no viewer for the error page of %s", request.url.path)
        return None


async def server_error(request: Request, exc: Exception) -> Response:
    """The last resort: the error is logged with its traceback, the client gets a plain 500."""
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return await http_error(request, HTTPException(500, "internal server error"))


async def storage_error(request: Request, exc: Exception) -> Response:
    """A database or file error. A full disk is the operator's to fix, not a bug: one log line
    naming it, and a 503 saying to try again later (nothing of the request was stored, and what
    was stored before stays intact). Any other goes on to server_error."""
    if not out_of_space(exc):
        raise exc
    # The database's writer has logged the cause already; a file write has not.
    level = logging.INFO if isinstance(exc, DATABASE_ERRORS) else logging.ERROR
    log.log(level, "refused %s %s: the disk is full (%s)", request.method, request.url.path, exc)
    return await http_error(
        request,
        HTTPException(
            503, "The server is out of disk space; try again later", {"Retry-After": "300"}
        ),
    )


async def health(request: Request) -> Response:
    await context_of(request).db.ping()
    return JSONResponse({"status": "ok"})


# Loops that must run in one process at a time, each under its lease (fedi.db.claims); the
# queues' workers run in every worker process, sharing their rows by claims.
SINGLETONS: dict[str, Callable[[Context, asyncio.Event], Coroutine[Any, Any, None]]] = {
    "media-clean-up": clean_up_regularly,
    "poll-loop": lambda context, stop: PollLoop(context).run(stop),
    "events-loop": lambda context, stop: EventsLoop(context).run(stop),
    "home-feed-trimming": home_trim.run,
    "queue-pruning": pruning.run,
    "blocklist-subscriptions": refresh_blocklists,
    "newsletter-mailing": newsletter_mailing.run,
    "digests": digest.run,
}


@asynccontextmanager
async def running_workers(context: Context, *, alone: bool = True) -> AsyncIterator[None]:
    """The inbox, outbox, mail and push workers and scheduled posts, sharing their queues with
    other worker processes by claims, and the singleton loops (SINGLETONS: polls, events,
    trimming, blocklists, the newsletter's mailing, the digests), each run by whichever process
    holds its lease; as tasks stopped cleanly on exit, which lets go of the claims and leases
    still held. `alone`: no other process runs workers on this database (`fedi serve` with
    in-process workers), so whatever a previous run left claimed is free at once."""
    db, claims = context.db, context.claims
    if alone:
        now = utcnow()
        await db.write(lambda conn: db_claims.expire_all(conn, now))
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(InboxWorker(context).run(stop), name="inbox-worker"),
        asyncio.create_task(OutboxWorker(context).run(stop), name="outbox-worker"),
        asyncio.create_task(scheduled.run(context, stop), name="scheduled-posts"),
        asyncio.create_task(MailWorker(context).run(stop), name="mail-worker"),
        asyncio.create_task(PushWorker(context).run(stop), name="push-worker"),
        *(
            asyncio.create_task(leased(context, name, loop, stop), name=name)
            for name, loop in SINGLETONS.items()
        ),
    ]
    renewing = asyncio.create_task(db_claims.keep_claims(db, claims, stop), name="claims")
    # Work queued by other processes wakes these workers at once on PostgreSQL (fedi.db.wake).
    hearing = None
    if not alone and db.is_postgresql:
        hearing = asyncio.create_task(context.wake.listen(db), name="wake-notified")
    try:
        yield
    finally:
        if hearing is not None:
            hearing.cancel()
            await asyncio.gather(hearing, return_exceptions=True)
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(renewing, return_exceptions=True)
        try:
            await db.write(lambda conn: db_claims.release(conn, claims.worker))
        except Exception:  # their leases lapse by themselves: the others wait a little longer
            log.exception("the claims of %s could not be released", claims.worker)


async def leased(
    context: Context,
    name: str,
    loop: Callable[[Context, asyncio.Event], Coroutine[Any, Any, None]],
    stop: asyncio.Event,
) -> None:
    """Run `loop` while this process holds the lease `name`, renewing it every third of the
    lease; when it cannot (another worker took it after a stall), the loop is stopped and the
    process waits to take the lease again. Another process's loop takes over a lapsed lease."""
    every = context.claims.renew_every
    while not stop.is_set():
        if not await db_claims.hold_lease(context.db, context.claims, name):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)
            continue
        inner = asyncio.Event()
        running = asyncio.create_task(loop(context, inner), name=name)
        stopping = asyncio.create_task(stop.wait())
        while not running.done() and not stop.is_set():
            await asyncio.wait({running, stopping}, timeout=every,
                               return_when=asyncio.FIRST_COMPLETED)  # fmt: skip
            if stop.is_set() or running.done():
                break
            if not await db_claims.hold_lease(context.db, context.claims, name):
                log.warning("lease %s went to another worker: its loop stops here", name)
                break
        inner.set()
        stopping.cancel()
        await asyncio.gather(running, return_exceptions=True)
        with contextlib.suppress(TimeoutError):  # a loop that ended by itself is not rushed
            await asyncio.wait_for(stop.wait(), timeout=every)


def create_app(
    settings: Settings, context: Context | None = None, *, workers: bool = True
) -> Starlette:
    """The ASGI application. With `context`, the caller owns the open instance (the CLI opens it
    first so that start-up errors are one line); without, the lifespan opens and closes it.
    `workers=False` leaves the queues to the caller (tests run the workers step by step), as
    the setting `workers = "separate"` leaves them to `fedi worker` processes."""
    translations = Translations(settings.default_locale)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            opened = context
            if opened is None:
                opened = await stack.enter_async_context(open_context(settings))
            app.state.context = opened
            if workers and settings.workers == "in-process":
                await stack.enter_async_context(running_workers(opened))
            yield

    page_routes: list[BaseRoute] = [
        *feeds.routes,  # before actors, profiles and hashtag pages: /@name.rss is a feed
        *actors.routes,
        *group_collections.routes,
        # Events: /events/new and /events/<id>.ics before /events/<id>; a space's
        # /@name/events.ics before the group and post pages.
        *event_forms.routes,
        *event_pages.routes,
        *event_organisers.routes,
        event_pages.event_route,
        *group_pages.routes,  # before pages: /@name/library is not a post id
        *library_pages.routes,
        *library_files.routes,
        *group_manage.routes,
        *admin_domain_routes,
        *admin_blocklist_routes,
        *member_routes,
        *newsletter.routes,
        *pages.routes,
        *signin.routes,
        *media_routes,
        *signup.routes,
        *mail_links.routes,
        *password_pages.routes,
        *admin_reports.routes,
        *admin_accounts.routes,
        *admin_index.routes,
        *admin_rules.routes,
        *admin_mail.routes,
        *admin_newsletter.routes,
        *profile_settings.routes,
        *account_settings.routes,
        *mail_settings.routes,
        *warnings.routes,
        *pwa.routes,
        # Compressed on the way out (htmx is 52 kB, 17 kB gzipped): only these files, which
        # hold no secret; pages are not, against BREACH on their CSRF tokens.
        Mount("/static", GZipMiddleware(StaticFiles(directory=STATIC_DIR)), name="static"),
    ]
    app = Starlette(
        routes=[
            *inbox_routes.routes,  # first: the busiest route on a federating server
            Route("/health", health, methods=["GET"]),
            *discovery.routes,
            RouteGate(api_routes),  # skipped at once by paths outside the API
            # The pages, federation documents and media: inside, each route is tried only by a
            # path that begins as its own does (a group's page came after 113 others).
            RouteGate(page_routes),
        ],
        exception_handlers={
            HTTPException: http_error,
            **dict.fromkeys(DATABASE_ERRORS, storage_error),
            OSError: storage_error,
            Exception: server_error,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    if context is not None:
        app.state.context = context
    app.state.pages = Pages(translations, settings.instance_title, settings.scheme == "https")
    app.state.authenticator = Authenticator()
    app.state.sign_in_limits = signin.SignInLimits.from_settings(settings)
    app.state.rate_limits = RateLimits.from_settings(settings)
    # The last added runs first: CORS, then the limits (no database query), then the guard,
    # then limited federation (refused signers never get that far), then the default cache
    # policy on answers that depend on who asks. Inbox POSTs go through the
    # same checks in InboxFront, in front of them all.
    app.add_middleware(PrivateByDefault)
    app.add_middleware(LimitedFederation)
    app.add_middleware(FederationGuard)
    app.add_middleware(RateLimitMiddleware)
    app.add_middleware(CORSMiddleware)
    app.add_middleware(InboxFront)
    return app
