"""htmx on top of forms: how pages are enhanced, and the helpers their routes use.

Every page works without JavaScript; htmx (fetched by `fedi vendor`, loaded by base.html with
static/app.js) only shortens the round trips. The conventions a page follows:

Boosted navigation
    base.html's pages may carry `hx-boost="true"` on <body>. A boosted request sends
    `HX-Request` and `HX-Boosted`: answer it with the full page, as for a plain GET. app.js moves
    the focus to the new page's <h1> and htmx updates <title>.

Action forms (favourite, boost, follow, join...)
    An ordinary form first, htmx attributes on top::

        <form method="post" action="/statuses/ID/favourite"
              hx-post="/statuses/ID/favourite" hx-target="closest article" hx-swap="outerHTML">
          <input type="hidden" name="csrf_token" value="{{ csrf_token }}">
          <button type="submit" hx-disabled-elt="this">...</button>
        </form>

    The handler checks the CSRF token as usual, acts, then::

        if is_fragment_request(request):
            return vary_on_htmx(pages.render(request, "pages/_post.html", post=...))
        return vary_on_htmx(RedirectResponse(back, 303))

    i.e. the updated fragment (a partial `templates/<area>/_*.html`) for htmx, else 303 back to
    the page (post/redirect/get). app.js also adds the page's CSRF token to any htmx request
    that is not a GET and has none (`hx-post` outside a form), from
    `<meta name="csrf-token">` (signed-in pages) or the closest form.

"Load more"
    The last item of a feed is a sentinel that htmx replaces with the next items::

        <div hx-get="/home?max_id=ID" hx-trigger="revealed" hx-swap="outerHTML">
          <a href="/home?max_id=ID">Older posts</a>
        </div>

    (`intersect once` instead of `revealed` inside a scrolling container). The link is what a
    reader without JavaScript follows. The route answers the next items and a new sentinel, or
    none at the end, when `is_fragment_request`, else the whole page.

Live updates
    The SSE extension is loaded with htmx: `hx-ext="sse" sse-connect="/stream/..."` and
    `sse-swap="<event>"`, the server sending named events whose data is an HTML fragment. One
    stream per tab; update a "new posts" button rather than the feed under the reader.

Caching and announcements
    A route that answers fragments answers both kinds with `Vary: HX-Request` (`vary_on_htmx`).
    `announce(response, text)` makes app.js read `text` (already translated) in the page's
    polite status region, e.g. "Saved"; errors of htmx requests are read from the error page's
    heading. No inline script and no `hx-on`/`js:`: the Content-Security-Policy forbids both.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response

STATUS_EVENT = "fedi:status"  # the event app.js listens for
ANNOUNCE_HEADER = "HX-Trigger-After-Settle"


def is_fragment_request(request: Request) -> bool:
    """htmx asks for a piece of a page: `HX-Request` without `HX-Boosted` (a boosted link wants
    the whole page) and without `HX-History-Restore-Request` (neither does a history restore)."""
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-boosted") != "true"
        and headers.get("hx-history-restore-request") != "true"
    )


def vary_on_htmx(response: Response) -> Response:
    """Add `HX-Request` to the response's Vary, so that caches keep fragments and pages apart."""
    present = [v.strip() for v in response.headers.get("vary", "").split(",") if v.strip()]
    if not any(v.lower() == "hx-request" for v in present):
        response.headers["Vary"] = ", ".join([*present, "HX-Request"])
    return response


def announce(response: Response, text: str) -> Response:
    """Have app.js read `text` in the status region once htmx has settled the response in (the
    event goes to <body>: the element that asked may have been swapped out by then)."""
    events: dict[str, object] = {}
    if existing := response.headers.get(ANNOUNCE_HEADER):
        events = json.loads(existing) if existing.lstrip().startswith("{") else {existing: None}
    events[STATUS_EVENT] = {"target": "body", "value": text}
    # ASCII escapes: header values are Latin-1, the text may be Arabic.
    response.headers[ANNOUNCE_HEADER] = json.dumps(events, ensure_ascii=True)
    return response
