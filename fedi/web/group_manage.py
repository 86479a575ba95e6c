"""The moderators' pages of a group (/@<group>/manage/...): settings, join requests, members,
bans, moderators and the moderation log. Plain HTML forms with CSRF tokens; each POST does one
fedi.groups.moderation or fedi.groups.settings action and comes back to its page (303).

Signing in is required; to anyone who is not a moderator of the group (nor an administrator or
moderator of this server) these pages answer the same 404 as a group that does not exist."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from fedi.context import Context
from fedi.core.ids import parse_id
from fedi.core.models import Account, Group, User
from fedi.db import groups as group_rows
from fedi.db import library as library_rows
from fedi.db import statuses
from fedi.groups import moderation
from fedi.groups import settings as group_settings
from fedi.groups.announcements import delete_public_group_post
from fedi.groups.copies import delete_group_post
from fedi.groups.groups import MAX_DISPLAY_NAME, GroupError
from fedi.groups.moderation import Moderated, ModerationError, NotAllowed
from fedi.moderation.library_quota import QuotaError, set_library_quota
from fedi.moderation.staff import is_admin
from fedi.web.forms import check_csrf, read_form
from fedi.web.group_pages import NO_SUCH_ACCOUNT, find_group
from fedi.web.people import Person, people, person
from fedi.web.signin import viewer_of
from fedi.web.state import context_of, pages_of

Form = dict[str, str]
Action = Callable[[Context, Group, User, Form], Awaitable[str]]


@dataclass(frozen=True)
class Row:
    """An account in one of the lists, with what the page says about it."""

    id: int
    person: Person
    domain: str | None
    role: str | None = None
    reason: str = ""
    first_on_domain: bool = False
    outside_partners: bool = False


async def _managed(request: Request) -> tuple[Group, User] | Response:
    viewer = await viewer_of(request)
    if viewer is None:
        query = urlencode({"next": request.url.path})
        return RedirectResponse(f"/auth/sign_in?{query}", 303)
    group = await find_group(request)
    if group is None or not await moderation.may_moderate(context_of(request), group, viewer):
        raise HTTPException(404, NO_SUCH_ACCOUNT)
    return group, viewer


def _row(context: Context, account: Account, **extra: Any) -> Row:
    return Row(id=account.id, person=person(account, context), domain=account.domain, **extra)


async def _settings(context: Context, group: Group, viewer: User) -> dict[str, Any]:
    async with context.db.read() as conn:
        partners = await group_rows.partner_domains(conn, group.id)
        quota_mb = await library_rows.quota_mb(conn, group.id)
    return {
        "may_set_quota": is_admin(viewer),
        "quota_mb": quota_mb,
        "default_quota_mb": context.settings.library_quota_mb,
        "display_name": group.account.display_name,
        "description": await group_settings.description_source(context, group),
        "partners": partners,
        "max_name": MAX_DISPLAY_NAME,
        "max_description": group_settings.MAX_DESCRIPTION,
    }


async def _requests(context: Context, group: Group, viewer: User) -> dict[str, Any]:
    rows: list[Row] = []
    async with context.db.read() as conn:
        partners = set(await group_rows.partner_domains(conn, group.id))
        for account in await group_rows.members(conn, group.id, "pending"):
            remote = account.domain is not None
            first = remote and not await group_rows.has_member_on_domain(
                conn, group.id, account.domain or ""
            )
            outside = remote and group.is_private and account.domain not in partners
            rows.append(_row(context, account, first_on_domain=first, outside_partners=outside))
    return {"rows": rows}


async def _members(context: Context, group: Group, viewer: User) -> dict[str, Any]:
    async with context.db.read() as conn:
        roles = {m.account.id: m.role for m in await group_rows.moderators(conn, group.id)}
        found = await group_rows.members(conn, group.id)
    return {"rows": [_row(context, a, role=roles.get(a.id)) for a in found]}


async def _bans(context: Context, group: Group, viewer: User) -> dict[str, Any]:
    async with context.db.read() as conn:
        found = await group_rows.bans(conn, group.id)
    rows = [(_row(context, b.account, reason=b.reason), b.created_at) for b in found]
    return {"rows": rows}


async def _moderators(context: Context, group: Group, viewer: User) -> dict[str, Any]:
    async with context.db.read() as conn:
        found = await group_rows.moderators(conn, group.id)
    return {
        "rows": [_row(context, m.account, role=m.role) for m in found],
        "may_name": await moderation.may_name_moderators(context, group, viewer),
    }


async def _log(context: Context, group: Group, viewer: User) -> dict[str, Any]:
    async with context.db.read() as conn:
        entries = await group_rows.log_entries(conn, group.id, 200)
    ids = {e.actor_id for e in entries} | {e.target_account_id for e in entries}
    return {"entries": entries, "names": await people(context, {i for i in ids if i})}


Loader = Callable[[Context, Group, User], Awaitable[dict[str, Any]]]
SECTIONS: dict[str, Loader] = {
    "settings": _settings,
    "requests": _requests,
    "members": _members,
    "bans": _bans,
    "moderators": _moderators,
    "log": _log,
}


async def _render(
    request: Request,
    section: str,
    group: Group,
    viewer: User,
    status_code: int = 200,
    error: str | None = None,
    typed: Form | None = None,
) -> Response:
    context = context_of(request)
    data = await SECTIONS[section](context, group, viewer)
    if typed is not None and section == "settings":  # a refused form keeps what was typed
        data |= {k: typed.get(k, "") for k in ("display_name", "description")}
    return pages_of(request).render(
        request,
        f"groups/manage_{section}.html",
        status_code,
        group=group,
        group_name=group.account.display_name or group.account.username,
        section=section,
        done=request.query_params.get("done", ""),
        error=error,
        viewer=viewer,
        **data,
    )


def page(section: str) -> Callable[[Request], Awaitable[Response]]:
    async def show(request: Request) -> Response:
        found = await _managed(request)
        if isinstance(found, Response):
            return found
        return await _render(request, section, *found)

    return show


def page_path(group: Group, section: str) -> str:
    base = f"/@{group.account.username}/manage"
    return base if section == "settings" else f"{base}/{section}"


async def act(request: Request) -> Response:
    """A form's POST to /@<group>/manage/<section>/<action>: the section's page comes back saying
    what was done (303), or, for a refusal, is shown again with the reason (400)."""
    found = await _managed(request)
    if isinstance(found, Response):
        return found
    group, viewer = found
    section = request.path_params["section"]
    action = ACTIONS.get((section, request.path_params["action"]))
    if action is None:
        raise HTTPException(404, NO_SUCH_ACCOUNT)
    context = context_of(request)
    form = await read_form(request)
    check_csrf(request, form, context.settings.base_url)
    try:
        done = await action(context, group, viewer, form)
    except NotAllowed:
        raise HTTPException(404, NO_SUCH_ACCOUNT) from None
    except ModerationError as refused:
        return await _render(request, section, group, viewer, 400, refused.code, form)
    return RedirectResponse(f"{page_path(group, section)}?{urlencode({'done': done})}", 303)


def _account_id(form: Form) -> int:
    account_id = parse_id(form.get("account_id", ""))
    if account_id is None:
        raise ModerationError("unknown_account", "there is no such account")
    return account_id


def on_account(
    fn: Callable[[Context, Group, User, int], Awaitable[Moderated]], done: str
) -> Action:
    async def run(context: Context, group: Group, viewer: User, form: Form) -> str:
        await fn(context, group, viewer, _account_id(form))
        return done

    return run


async def _approve(context: Context, group: Group, viewer: User, form: Form) -> str:
    result = await moderation.approve(context, group, viewer, _account_id(form))
    return "approved_new_domain" if result.first_on_domain else "approved"


async def _remove(context: Context, group: Group, viewer: User, form: Form) -> str:
    reason = form.get("reason", "")
    await moderation.remove_member(context, group, viewer, _account_id(form), reason)
    return "removed"


async def _ban(context: Context, group: Group, viewer: User, form: Form) -> str:
    await moderation.ban(context, group, viewer, _account_id(form), form.get("reason", ""))
    return "banned"


async def _add_moderator(context: Context, group: Group, viewer: User, form: Form) -> str:
    await moderation.add_moderator(context, group, viewer, form.get("handle", ""))
    return "moderator_added"


async def _save(context: Context, group: Group, viewer: User, form: Form) -> str:
    await group_settings.update_settings(
        context, group, viewer,
        display_name=form.get("display_name", ""),
        description=form.get("description", "").replace("\r\n", "\n"),
        partners_only=form.get("partners_only") == "on",
    )  # fmt: skip
    return "saved"


async def _add_partner(context: Context, group: Group, viewer: User, form: Form) -> str:
    await group_settings.add_partner_domain(context, group, viewer, form.get("domain", ""))
    return "partner_added"


async def _remove_partner(context: Context, group: Group, viewer: User, form: Form) -> str:
    await group_settings.remove_partner_domain(context, group, viewer, form.get("domain", ""))
    return "partner_removed"


async def _library_quota(context: Context, group: Group, viewer: User, form: Form) -> str:
    """An administrator sets the space's library quota (empty: the server's default)."""
    if not is_admin(viewer):
        raise NotAllowed()
    text = form.get("quota_mb", "").strip()
    try:
        await set_library_quota(context, viewer, group, int(text) if text else None)
    except (ValueError, QuotaError):
        raise ModerationError("quota", "a quota is a whole number of MB") from None
    return "quota_saved"


ACTIONS: dict[tuple[str, str], Action] = {
    ("settings", "save"): _save,
    ("settings", "add_partner"): _add_partner,
    ("settings", "remove_partner"): _remove_partner,
    ("settings", "library_quota"): _library_quota,
    ("requests", "approve"): _approve,
    ("requests", "reject"): on_account(moderation.reject, "rejected"),
    ("members", "remove"): _remove,
    ("members", "ban"): _ban,
    ("bans", "unban"): on_account(moderation.unban, "unbanned"),
    ("moderators", "add"): _add_moderator,
    ("moderators", "remove"): on_account(moderation.remove_moderator, "moderator_removed"),
}


async def remove_post(request: Request) -> Response:
    """A moderator takes a post out of the group, from the group's page: a private group deletes
    its copy for every member; a public group withdraws its boost and announces the removal
    (Delete and, for Mastodon, Undo{Announce}). Back to the group's page (303)."""
    found = await _managed(request)
    if isinstance(found, Response):
        return found
    group, viewer = found
    context = context_of(request)
    form = await read_form(request)
    check_csrf(request, form, context.settings.base_url)
    status_id = parse_id(form.get("status_id", ""))
    async with context.db.read() as conn:
        status = await statuses.get_by_id(conn, status_id) if status_id is not None else None
    if status is None or group.id not in (status.group_id, status.account_id):
        raise HTTPException(404, NO_SUCH_ACCOUNT)
    reason = form.get("reason", "").strip()[:500]
    try:
        if group.is_private:
            await delete_group_post(context, group, status.id, viewer.account.id, reason)
        else:
            await delete_public_group_post(context, group, status.id, viewer.account.id, reason)
    except GroupError:
        raise HTTPException(404, NO_SUCH_ACCOUNT) from None
    return RedirectResponse(f"/@{group.account.username}", 303)


routes = [
    Route("/@{username}/manage/posts/remove", remove_post, methods=["POST"]),
    Route("/@{username}/manage", page("settings"), methods=["GET"]),
    *(
        Route(f"/@{{username}}/manage/{section}", page(section), methods=["GET"])
        for section in SECTIONS
        if section != "settings"
    ),
    Route("/@{username}/manage/{section}/{action}", act, methods=["POST"]),
]
