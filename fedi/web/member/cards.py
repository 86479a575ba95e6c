"""Posts as member pages show them: a page of statuses loaded at once for the viewer
(fedi.statuses.batch), judged by their mutes, blocks and filters (fedi.statuses.timeline_rules)
exactly as the client API judges them, then turned into cards whose HTML is already
sanitised. A fixed number of queries whatever the page's length."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from fedi.activitypub.actor import avatar_url
from fedi.context import Context
from fedi.core.html import sanitize
from fedi.core.models import Account, Attachment, Status, User, is_expired
from fedi.core.timeutil import utcnow
from fedi.statuses.batch import Batch, load
from fedi.statuses.shown import shown_content
from fedi.statuses.timeline_rules import Verdict, Where, judge, moderated_away, rules_for
from fedi.statuses.translation.languages import same_language
from fedi.statuses.translation.rules import is_enabled, may_reach_engine
from fedi.statuses.visibility import visible_in


@dataclass(frozen=True)
class Author:
    id: int
    name: str
    handle: str  # @user@domain, always with the domain
    acct: str  # user here, user@domain elsewhere: the path of their page on this server
    url: str
    avatar: str
    is_local: bool


@dataclass(frozen=True)
class Media:
    kind: str  # image, video, audio or document
    url: str
    preview: str
    description: str
    width: int | None
    height: int | None
    is_remote: bool  # shown as a link: a page never makes the browser ask another server


@dataclass(frozen=True)
class Choice:
    index: int
    title: str
    votes: int
    percent: int
    chosen: bool


@dataclass(frozen=True)
class PollView:
    choices: tuple[Choice, ...]
    is_multiple: bool
    voters: int
    expires_at: datetime | None
    is_closed: bool
    has_voted: bool


@dataclass(frozen=True)
class Card:
    status: Status  # the post shown: for a boost, the boosted post
    boost: Status | None  # the boost that brought it, if one did
    booster: Author | None
    author: Author
    content: Markup
    media: tuple[Media, ...]
    poll: PollView | None
    tags: tuple[str, ...]  # those its text does not show
    replies: int
    boosts: int
    favourites: int
    favourited: bool
    reblogged: bool
    bookmarked: bool
    is_own: bool
    warnings: tuple[str, ...]  # the titles of the warn filters that matched
    thread_url: str
    submitter: Author | None = None  # the member who wrote a private group's copy
    may_translate: bool = False  # translation is on and the post may reach the engine

    def offers_translation_into(self, language: str) -> bool:
        """Whether a Translate button shows to a member reading in `language`."""
        return self.may_translate and not same_language(self.status.language, language)

    @property
    def key(self) -> str:
        """The card's id in a page: a post and a boost of it may be on the same page."""
        return f"boost-{self.boost.id}" if self.boost is not None else f"post-{self.status.id}"

    @property
    def may_boost(self) -> bool:
        return self.status.visibility in ("public", "unlisted") and self.status.group_id is None


def author_of(context: Context, account: Account) -> Author:
    domain = account.domain or context.settings.domain
    acct = account.username if account.is_local else f"{account.username}@{account.domain}"
    return Author(
        id=account.id,
        name=account.display_name or account.username,
        handle=f"@{account.username}@{domain}",
        acct=acct,
        url=f"/@{acct}",
        avatar=avatar_url(account, context.urls),
        is_local=account.is_local,
    )


def _media(context: Context, attachment: Attachment) -> Media:
    kind = attachment.media_type.split("/", 1)[0]
    if kind not in ("image", "video", "audio"):
        kind = "document"
    if attachment.file:
        url = context.urls.attachment(attachment.file)
        preview = (
            context.urls.attachment(attachment.preview_file) if attachment.preview_file else url
        )
    else:
        url = preview = attachment.url
    return Media(
        kind=kind,
        url=url,
        preview=preview,
        description=attachment.description,
        width=attachment.preview_width or attachment.width,
        height=attachment.preview_height or attachment.height,
        is_remote=attachment.file is None,
    )


def _poll(batch: Batch, status: Status) -> PollView | None:
    poll = batch.details_of(status).poll
    if poll is None:
        return None
    chosen = set(batch.poll_choices.get(status.id, ()))
    total = sum(option.votes for option in poll.options)
    choices = tuple(
        Choice(i, option.title, option.votes, round(100 * option.votes / total) if total else 0,
               i in chosen)
        for i, option in enumerate(poll.options)
    )  # fmt: skip
    return PollView(
        choices=choices,
        is_multiple=poll.is_multiple,
        voters=poll.voters_count if poll.voters_count is not None else total,
        expires_at=poll.expires_at,
        is_closed=is_expired(poll, utcnow()),
        has_voted=bool(chosen),
    )


def _tags_not_in(content: str, tags: tuple[str, ...]) -> tuple[str, ...]:
    """The hashtags a post carries without linking them in its text (shown below it)."""
    lowered = content.lower()
    return tuple(tag for tag in tags if tag.lower() not in lowered)


def card_of(
    context: Context, batch: Batch, item: Status, viewer: User | None,
    warnings: tuple[str, ...] = (),
) -> Card | None:  # fmt: skip
    """One status of the batch as a card (None: a boost of a post that is gone)."""
    original = batch.original(item)
    if item.reblog_of_id is not None and original is None:
        return None
    shown = original or item
    account = batch.accounts.get(shown.account_id)
    if account is None:
        return None
    booster = batch.accounts.get(item.account_id) if original is not None else None
    author = author_of(context, account)
    submitter = batch.accounts.get(shown.submitted_by_id) if shown.submitted_by_id else None
    return Card(
        status=shown,
        boost=item if original is not None else None,
        booster=author_of(context, booster) if booster is not None else None,
        author=author,
        content=Markup(sanitize(shown_content(shown))),  # noqa: S704 - sanitised by nh3 just now
        media=tuple(_media(context, a) for a in batch.details_of(shown).attachments),
        poll=_poll(batch, shown),
        tags=_tags_not_in(shown.content, batch.details_of(shown).tags),
        replies=batch.replies.get(shown.id, 0),
        boosts=batch.reblogs.get(shown.id, 0),
        favourites=batch.favourites.get(shown.id, 0),
        favourited=shown.id in batch.favourited,
        reblogged=shown.id in batch.reblogged,
        bookmarked=shown.id in batch.bookmarked,
        is_own=viewer is not None and shown.account_id == viewer.account.id,
        warnings=warnings,
        thread_url=f"/@{author.acct}/{shown.id}",
        submitter=author_of(context, submitter) if submitter is not None else None,
        may_translate=viewer is not None
        and is_enabled(context.settings)
        and may_reach_engine(context.settings, shown, shown.group_id in batch.private_groups),
    )


async def cards(
    context: Context, items: Sequence[Status], viewer: User | None, where: Where | None,
    in_list: bool = False, *, batch: Batch | None = None,
) -> list[Card]:  # fmt: skip
    """The page's statuses as the viewer may see them there, in order. `where` None: a list the
    member made (bookmarks, favourites), where only what they may still see is kept, as they
    saved it; `batch`: the page already loaded for the viewer (a thread). A private group's
    copies name the member who wrote them."""
    if batch is None:
        submitters = [s.submitted_by_id for s in items if s.submitted_by_id is not None]
        batch = await load(
            context, items, viewer.account if viewer else None, with_accounts=submitters
        )
    found: list[Card] = []
    if viewer is None or where is None:
        for item in items:
            hidden = (
                not visible_in(batch, item, viewer)
                if where is None
                else moderated_away(batch, None, item, where)
            )
            card = None if hidden else card_of(context, batch, item, viewer)
            if card is not None:
                found.append(card)
        return found
    rules = await rules_for(context, viewer.account.id)
    for item in items:
        verdict = judge(batch, rules, item, where, in_list)
        if verdict.hidden:
            continue
        if (card := card_of(context, batch, item, viewer, titles_of(verdict))) is not None:
            found.append(card)
    return found


def titles_of(verdict: Verdict) -> tuple[str, ...]:
    """The titles of the warn filters that matched, shown above the hidden text."""
    return tuple(match.filter.title for match in verdict.matches)
