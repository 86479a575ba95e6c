"""/admin/newsletter: staff write the newsletter's issues (a title and a body in each of the
server's languages), preview them as readers will see them, publish them (an Article of
@newsletter, federated to its followers, in the archive and the feed) or delete a draft. Every
form carries a CSRF token and comes back (303); each change is audited."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.core.config import SUPPORTED_LOCALES
from fedi.core.ids import parse_id
from fedi.newsletter.issues import (
    MAX_BODY,
    MAX_TITLE,
    NewsletterError,
    create_issue,
    delete_issue,
    gather,
    get_issue,
    publish,
    save_issue,
    staff_list,
)
from fedi.web.admin.base import render_admin, staff_viewer
from fedi.web.admin.domains import back, checked_form
from fedi.web.newsletter import issue_view, render_issue
from fedi.web.state import context_of

PATH = "/admin/newsletter"


async def issues_page(request: Request) -> Response:
    viewer = await staff_viewer(request)
    if isinstance(viewer, Response):
        return viewer
    context = context_of(request)
    issues = await staff_list(context)
    locale = context.settings.default_locale
    return render_admin(
        request, "newsletter.html", viewer, "newsletter",
        issues=[(i, issue_view(context, i, locale)) for i in issues],
        error=request.query_params.get("error", ""),
    )  # fmt: skip


async def new_issue(request: Request) -> Response:
    checked = await checked_form(request)
    if isinstance(checked, Response):
        return checked
    viewer, _ = checked
    issue_id = await create_issue(context_of(request), viewer.account)
    return back(f"{PATH}/{issue_id}", done="created")


async def _issue_or_404(request: Request) -> int:
    issue_id = parse_id(request.path_params["issue_id"])
    if issue_id is None or await get_issue(context_of(request), issue_id) is None:
        raise HTTPException(404)
    return issue_id


async def edit_page(request: Request) -> Response:
    viewer = await staff_viewer(request)
    if isinstance(viewer, Response):
        return viewer
    issue = await get_issue(context_of(request), await _issue_or_404(request))
    assert issue is not None
    return render_admin(
        request, "newsletter_edit.html", viewer, "newsletter", issue=issue,
        locales=SUPPORTED_LOCALES, max_title=MAX_TITLE, max_body=MAX_BODY,
        error=request.query_params.get("error", ""),
    )  # fmt: skip


async def save(request: Request) -> Response:
    checked = await checked_form(request)
    if isinstance(checked, Response):
        return checked
    viewer, form = checked
    issue_id = await _issue_or_404(request)
    texts = {
        code: (form.get(f"title_{code}", "")[: MAX_TITLE + 1],
               form.get(f"body_{code}", "")[: MAX_BODY + 1])
        for code in SUPPORTED_LOCALES
    }  # fmt: skip
    try:
        await save_issue(context_of(request), viewer.account, issue_id, texts)
    except NewsletterError as exc:
        return back(f"{PATH}/{issue_id}", error=exc.code)
    return back(f"{PATH}/{issue_id}", done="saved")


async def preview(request: Request) -> Response:
    viewer = await staff_viewer(request)
    if isinstance(viewer, Response):
        return viewer
    context = context_of(request)
    issue = await get_issue(context, await _issue_or_404(request))
    assert issue is not None
    view = issue_view(context, issue, request.query_params.get("lang", "") or viewer.locale or "")
    if view is None:
        return back(f"{PATH}/{issue.id}", error="empty")
    gathered = await gather(context, issue.published_at)
    return render_issue(request, view, gathered, viewer, preview=True)


async def publish_issue(request: Request) -> Response:
    checked = await checked_form(request)
    if isinstance(checked, Response):
        return checked
    viewer, _ = checked
    issue_id = await _issue_or_404(request)
    try:
        await publish(context_of(request), viewer.account, issue_id)
    except NewsletterError as exc:
        return back(f"{PATH}/{issue_id}", error=exc.code)
    return back(PATH, done="published")


async def delete(request: Request) -> Response:
    checked = await checked_form(request)
    if isinstance(checked, Response):
        return checked
    viewer, _ = checked
    issue_id = await _issue_or_404(request)
    if not await delete_issue(context_of(request), viewer.account, issue_id):
        return back(f"{PATH}/{issue_id}", error="published")
    return back(PATH, done="deleted")


routes = [
    Route(PATH, issues_page, methods=["GET"]),
    Route(PATH, new_issue, methods=["POST"]),
    Route(f"{PATH}/{{issue_id}}", edit_page, methods=["GET"]),
    Route(f"{PATH}/{{issue_id}}", save, methods=["POST"]),
    Route(f"{PATH}/{{issue_id}}/preview", preview, methods=["GET"]),
    Route(f"{PATH}/{{issue_id}}/publish", publish_issue, methods=["POST"]),
    Route(f"{PATH}/{{issue_id}}/delete", delete, methods=["POST"]),
]
