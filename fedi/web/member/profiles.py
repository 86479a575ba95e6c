"""Profiles as a signed-in member sees them, ours (/@name) and other servers' (/@name@server):
name, handle, sanitised bio and fields, where the member stands with the account, the Follow,
Block, Mute and Report buttons, and the account's posts this server knows as member cards, read
as the client API reads an account's posts. Visitors keep the public pages (fedi.web.pages), and
an account on another server has no page for them."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from fedi.activitypub.actor import avatar_url, header_url
from fedi.core.html import inline_text_to_html, sanitize
from fedi.core.models import Account, Counts, User
from fedi.db import account_stats, accounts, statuses
from fedi.relationships.relationship import Relationship, relationship_of
from fedi.web.member.feeds import feed_page, page_asked
from fedi.web.state import context_of

NO_SUCH_ACCOUNT = "no such account"


@dataclass(frozen=True)
class MemberProfile:
    account: Account
    name: str
    handle: str  # always @name@server
    acct: str  # name here, name@server elsewhere: the path of the page and of its forms
    note: Markup
    fields: list[tuple[str, Markup]]
    avatar: str
    header: str
    counts: Counts | None  # only for our own accounts: another server's counts are its own
    relationship: Relationship | None  # None on the member's own profile
    remote_url: str | None  # the profile on its own server


def acct_of(account: Account) -> str:
    return account.username if account.is_local else f"{account.username}@{account.domain}"


async def account_named(request: Request, acct: str) -> Account:
    """The account `acct` names (name, or name@server): one of ours, or one this server knows;
    the 404 of a missing account otherwise (an instance actor included)."""
    context = context_of(request)
    username, _, domain = acct.removeprefix("@").partition("@")
    async with context.db.read_now() as conn:
        if not domain or domain.lower() == context.settings.domain:
            account = await accounts.get_local_actor(conn, username)
        else:
            account = await accounts.get_remote_by_acct(conn, username, domain.lower())
    if account is None or account.actor_type == "Application":
        raise HTTPException(404, NO_SUCH_ACCOUNT)
    return account


async def member_profile_view(request: Request, viewer: User, account: Account) -> MemberProfile:
    context = context_of(request)
    counts = None
    if account.is_local:
        async with context.db.read_now() as conn:
            counts = await account_stats.counts(conn, account.id)
    is_self = account.id == viewer.account.id
    relationship = None if is_self else await relationship_of(context, viewer.account.id, account)
    return MemberProfile(
        account=account,
        name=account.display_name or account.username,
        handle=f"@{account.username}@{account.domain or context.settings.domain}",
        acct=acct_of(account),
        note=Markup(sanitize(account.note)),  # noqa: S704 - sanitised by nh3 just now
        fields=[(f.name, Markup(inline_text_to_html(f.value))) for f in account.fields],  # noqa: S704
        avatar=avatar_url(account, context.urls),
        header=header_url(account, context.urls),
        counts=counts,
        relationship=relationship,
        remote_url=None if account.is_local else (account.url or account.uri),
    )


async def member_profile(request: Request, viewer: User) -> Response:
    """/@name or /@name@server for a signed-in member: the profile and its posts as cards."""
    context = context_of(request)
    account = await account_named(request, request.path_params["username"])
    profile = await member_profile_view(request, viewer, account)
    items = []
    if not account.is_suspended:
        page = page_asked(request)
        async with context.db.read_now() as conn:
            items = await statuses.public_page(
                conn, account.id, page.max_id, page.limit, with_local_only=True,
                with_reblogs=True,
            )  # fmt: skip
    return await feed_page(
        request, viewer, items, "account", title=profile.name, template="member/profile.html",
        profile=profile, reported=request.query_params.get("reported") == "1",
    )  # fmt: skip
