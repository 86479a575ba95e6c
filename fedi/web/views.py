"""What pages show of an account and of a post: view models whose HTML is already sanitised."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup
from starlette.requests import Request

from fedi.activitypub.actor import avatar_url, header_url
from fedi.core.html import inline_text_to_html, sanitize
from fedi.core.models import Account, Status
from fedi.web.state import context_of


@dataclass(frozen=True)
class ProfileView:
    account: Account
    handle: str
    display_name: str
    note: Markup
    fields: list[tuple[str, Markup]]
    avatar: str
    header: str


@dataclass(frozen=True)
class PostView:
    status: Status
    content: Markup


def profile_view(request: Request, account: Account) -> ProfileView:
    context = context_of(request)
    return ProfileView(
        account=account,
        handle=f"@{account.username}@{context.settings.domain}",
        display_name=account.display_name or account.username,
        note=Markup(sanitize(account.note)),  # noqa: S704 - sanitised by nh3 just now
        fields=[(f.name, Markup(inline_text_to_html(f.value))) for f in account.fields],  # noqa: S704
        avatar=avatar_url(account, context.urls),
        header=header_url(account, context.urls),
    )


def post_view(status: Status) -> PostView:
    return PostView(status=status, content=Markup(sanitize(status.content)))  # noqa: S704
