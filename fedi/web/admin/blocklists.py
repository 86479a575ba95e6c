"""The administration page for shared blocklists (/admin/blocklists): export of the blocks as
CSV in Mastodon's format, import of such a file (pasted or uploaded: a preview of what would
change first, nothing written until confirmed; a line weaker than a manual block is skipped
unless that too is confirmed), and blocklist subscriptions with their changes waiting for
review. Staff only; CSRF on every form."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.core.ids import parse_id
from fedi.db import blocklists as db
from fedi.db import domain_rules as rules
from fedi.moderation import blocklist_subscriptions as subscriptions
from fedi.moderation.blocklist_format import BlocklistError, export_csv, parse_csv
from fedi.moderation.blocklist_import import apply_import, plan_import
from fedi.web.admin.base import render_admin, staff_viewer
from fedi.web.admin.domains import back, checked_form
from fedi.web.forms import check_csrf
from fedi.web.state import context_of

MAX_UPLOAD = 4 * 1024 * 1024
PAGE = "/admin/blocklists"


async def page(request: Request, error: str = "", status_code: int = 200) -> Response:
    viewer = await staff_viewer(request)
    if isinstance(viewer, Response):
        return viewer
    async with context_of(request).db.read() as conn:
        subs = await db.subscriptions(conn)
        pending = await db.pending(conn)
    urls = {s.id: s.url for s in subs}
    return render_admin(
        request, "blocklists.html", viewer, "blocklists", status_code, subscriptions=subs,
        pending=[(p, urls.get(p.subscription_id, "")) for p in pending],
        error=error or request.query_params.get("error", ""),
        hours=await subscriptions.refresh_hours(context_of(request)),
    )  # fmt: skip


async def blocklists(request: Request) -> Response:
    return await page(request)


async def export(request: Request) -> Response:
    viewer = await staff_viewer(request)
    if isinstance(viewer, Response):
        return viewer
    async with context_of(request).db.read() as conn:
        text = export_csv(await rules.all_blocks(conn))
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="domain_blocks.csv"'},
    )


async def _big_form(request: Request) -> tuple[dict[str, str], str]:
    """The fields of a form that may carry a file (multipart) or a long text, capped; and the
    uploaded file's text, if any."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_UPLOAD:
            raise HTTPException(413, "the file is too large")
    request._body = bytes(body)
    try:
        form = await request.form(max_files=1, max_fields=20)
    except Exception:  # the multipart parser's own errors have no common base
        raise HTTPException(400, "the form could not be read") from None
    try:
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        upload = form.get("file")
        text = ""
        if isinstance(upload, UploadFile) and upload.filename:
            try:
                text = (await upload.read()).decode("utf-8")
            except UnicodeDecodeError:
                raise HTTPException(422, "the file is not UTF-8 text") from None
            fields["file_name"] = upload.filename[:200]
    finally:
        await form.close()
    return fields, text


async def preview(request: Request) -> Response:
    viewer = await staff_viewer(request)
    if isinstance(viewer, Response):
        return viewer
    form, uploaded = await _big_form(request)
    check_csrf(request, form, context_of(request).settings.base_url)
    text = uploaded or form.get("csv", "")
    try:
        entries = parse_csv(text)
    except BlocklistError as exc:
        return await page(request, str(exc), 422)
    plan = await plan_import(context_of(request), entries)
    return render_admin(
        request, "blocklists_preview.html", viewer, "blocklists", plan=plan, csv=text,
        file_name=form.get("file_name", ""),
    )  # fmt: skip


async def confirm(request: Request) -> Response:
    viewer = await staff_viewer(request)
    if isinstance(viewer, Response):
        return viewer
    form, _ = await _big_form(request)
    check_csrf(request, form, context_of(request).settings.base_url)
    try:
        entries = parse_csv(form.get("csv", ""))
    except BlocklistError as exc:
        return await page(request, str(exc), 422)
    counts = await apply_import(
        context_of(request), viewer.account, entries, form.get("file_name", ""),
        include_weaker=form.get("weaker") == "on",
    )  # fmt: skip
    return back(PAGE, done="imported", new=str(counts["new"]), updated=str(counts["update"]))


async def subscribe(request: Request) -> Response:
    checked = await checked_form(request)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    context = context_of(request)
    try:
        sub_id = await subscriptions.subscribe(context, viewer.account, form.get("url", ""))
    except subscriptions.SubscriptionError:
        return back(PAGE, error="bad_subscription")
    async with context.db.read() as conn:
        sub = await db.get_subscription(conn, sub_id)
    if sub is not None:
        await subscriptions.refresh(context, sub)
    return back(PAGE, done="subscribed")


async def _subscription(request: Request) -> db.Subscription | None:
    sub_id = parse_id(request.path_params["sub_id"])
    async with context_of(request).db.read() as conn:
        return await db.get_subscription(conn, sub_id) if sub_id is not None else None


async def unsubscribe(request: Request) -> Response:
    checked = await checked_form(request)
    if isinstance(checked, Response):
        return checked
    viewer, _ = checked
    sub = await _subscription(request)
    if sub is not None:
        await subscriptions.unsubscribe(context_of(request), viewer.account, sub)
    return back(PAGE, done="unsubscribed")


async def refresh(request: Request) -> Response:
    checked = await checked_form(request)
    if isinstance(checked, Response):
        return checked
    sub = await _subscription(request)
    if sub is not None:
        await subscriptions.refresh(context_of(request), sub)
    return back(PAGE, done="refreshed")


async def review(request: Request) -> Response:
    """Apply or dismiss one pending change (`pending_id`), or all of them."""
    checked = await checked_form(request)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    context = context_of(request)
    action = form.get("action")
    if action not in ("apply", "dismiss"):
        raise HTTPException(400, "unknown action")
    if form.get("all") == "1":
        async with context.db.read() as conn:
            ids = [p.id for p in await db.pending(conn)]
    else:
        one = parse_id(form.get("pending_id", ""))
        ids = [one] if one is not None else []
    for pending_id in ids:
        if action == "apply":
            await subscriptions.apply(context, viewer.account, pending_id)
        else:
            await subscriptions.dismiss(context, viewer.account, pending_id)
    return back(PAGE, done="applied" if action == "apply" else "dismissed")


async def interval(request: Request) -> Response:
    checked = await checked_form(request, admin=True)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    try:
        await subscriptions.set_refresh_hours(
            context_of(request), viewer.account, form.get("hours", "")
        )
    except subscriptions.SubscriptionError:
        return back(PAGE, error="bad_interval")
    return back(PAGE, done="interval")


routes = [
    Route(PAGE, blocklists, methods=["GET"]),
    Route(f"{PAGE}/export.csv", export, methods=["GET"]),
    Route(f"{PAGE}/import", preview, methods=["POST"]),
    Route(f"{PAGE}/import/confirm", confirm, methods=["POST"]),
    Route(f"{PAGE}/subscriptions", subscribe, methods=["POST"]),
    Route(f"{PAGE}/subscriptions/{{sub_id}}/delete", unsubscribe, methods=["POST"]),
    Route(f"{PAGE}/subscriptions/{{sub_id}}/refresh", refresh, methods=["POST"]),
    Route(f"{PAGE}/pending", review, methods=["POST"]),
    Route(f"{PAGE}/interval", interval, methods=["POST"]),
]
