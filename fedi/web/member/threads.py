"""A post's thread for a signed-in member: its ancestors, the post and its replies, each a card
with its actions, and a reply box under the post. The thread is fedi.statuses.threads', as the
client API's context reads it; a post the member may not see is a 404, like one that does not
exist. The path names the post's author (`user` here, `user@domain` elsewhere) and must be it.
Visitors and servers asking for ActivityStreams keep the public page of a local post, and a
local group's posts keep the group's page (fedi.web.group_pages)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from fedi.core.ids import parse_id
from fedi.core.models import User
from fedi.db import statuses
from fedi.statuses.threads import thread_of
from fedi.statuses.visibility import visible_to
from fedi.web.member.cards import author_of, card_of, cards
from fedi.web.member.feeds import compose_for
from fedi.web.state import context_of, pages_of

NO_SUCH_POST = "no such post"


def _names(acct: str, local_domain: str, is_local: bool) -> set[str]:
    """The ways a path may name an author: `user@domain`, and `user` alone for ours."""
    names = {acct.lower()}
    if is_local:
        names.add(f"{acct}@{local_domain}".lower())
    return names


async def thread_page(request: Request, viewer: User) -> Response:
    """The thread for a signed-in member (fedi.web.pages.status_page asks for it once it has
    left ActivityStreams, limited federation and group posts to their own answers)."""
    context = context_of(request)
    status_id = parse_id(request.path_params["status_id"])
    async with context.db.read_now() as conn:
        status = await statuses.get_by_id(conn, status_id) if status_id is not None else None
    if status is None or status.reblog_of_id is not None:
        raise HTTPException(404, NO_SUCH_POST)
    if not await visible_to(context, status, viewer):
        raise HTTPException(404, NO_SUCH_POST)
    thread = await thread_of(context, status, viewer)
    account = thread.batch.accounts.get(status.account_id)
    if account is None:
        raise HTTPException(404, NO_SUCH_POST)
    author = author_of(context, account)
    wanted = request.path_params["username"].lower()
    if wanted not in _names(author.acct, context.settings.domain, author.is_local):
        raise HTTPException(404, NO_SUCH_POST)
    shown = await cards(
        context, [*thread.ancestors, status, *thread.descendants], viewer, "thread",
        batch=thread.batch,
    )  # fmt: skip
    by_id = {card.status.id: card for card in shown}
    # The post asked for is shown even when the member's rules would hide it in a thread.
    focus = by_id.get(status.id) or card_of(context, thread.batch, status, viewer)
    if focus is None:
        raise HTTPException(404, NO_SUCH_POST)
    mention = "" if focus.is_own else f"{focus.author.handle} "
    locale = pages_of(request).locale_for(request)
    return pages_of(request).render(
        request,
        "member/thread.html",
        viewer=viewer,
        title=locale.gettext("Thread"),
        ancestors=[by_id[s.id] for s in thread.ancestors if s.id in by_id],
        focus=focus,
        replies=[by_id[s.id] for s in thread.descendants if s.id in by_id],
        compose=await compose_for(request, viewer, in_reply_to=focus, text=mention),
        here=request.url.path,
    )
