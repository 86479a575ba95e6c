"""Follow, unfollow, block, unblock, mute and unmute from a profile or a search result: plain
forms with the CSRF token, answered 303 back to their page. They go through the functions the
client API calls (fedi.relationships), so a follow of an account on another server federates a
Follow, and one of a locked account waits for approval."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.accounts.members import MemberError
from fedi.context import Context
from fedi.core.models import Account, User
from fedi.relationships import muting, relationships
from fedi.web.member.gate import back, member_form
from fedi.web.member.profiles import account_named
from fedi.web.state import context_of

Change = Callable[[Context, User, Account], Awaitable[object]]


async def _follow(context: Context, viewer: User, account: Account) -> None:
    await relationships.follow(context, viewer.account.username, account)


async def _unfollow(context: Context, viewer: User, account: Account) -> None:
    await relationships.unfollow(context, viewer.account.username, account)


async def _block(context: Context, viewer: User, account: Account) -> None:
    await relationships.block(context, viewer.account.username, account)


async def _unblock(context: Context, viewer: User, account: Account) -> None:
    await relationships.unblock(context, viewer.account.username, account)


async def _mute(context: Context, viewer: User, account: Account) -> None:
    await muting.mute(context, viewer, account, notifications=True, duration=0)


async def _unmute(context: Context, viewer: User, account: Account) -> None:
    await muting.unmute(context, viewer, account)


CHANGES: dict[str, Change] = {
    "follow": _follow,
    "unfollow": _unfollow,
    "block": _block,
    "unblock": _unblock,
    "mute": _mute,
    "unmute": _unmute,
}


async def change(request: Request) -> Response:
    act = CHANGES[request.url.path.rsplit("/", 1)[1]]
    found = await member_form(request)
    if isinstance(found, Response):
        return found
    viewer, form = found
    account = await account_named(request, request.path_params["username"])
    if account.id == viewer.account.id:
        raise HTTPException(422, "that is your own account")
    with suppress(MemberError):  # not possible (blocked, suspended): the profile tells
        await act(context_of(request), viewer, account)
    return back(form, f"/@{request.path_params['username']}")


routes = [Route(f"/@{{username}}/{name}", change, methods=["POST"]) for name in CHANGES]
