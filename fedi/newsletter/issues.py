"""Newsletter issues: staff write one (a title and a body in each language they choose), see it
as readers will with what it gathers by itself (recent public posts of public spaces), and
publish it: the issue becomes an Article of the newsletter's account (fedi.newsletter.account),
sent to its followers on every server, listed in the archive and the Atom feed. Each change is
audited. Nothing from a members-only space is ever gathered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from fedi.activitypub.notes import create_to_ap
from fedi.context import Context
from fedi.core.config import SUPPORTED_LOCALES
from fedi.core.html import plain_text, sanitize, text_to_html
from fedi.core.ids import new_id
from fedi.core.models import Account, NewStatus, Status
from fedi.core.timeutil import to_db, utcnow
from fedi.db import accounts, newsletter, statuses
from fedi.db.connection import Connection
from fedi.db.newsletter import Issue, IssueText
from fedi.events.events import upcoming
from fedi.federation.publish import Audience, enqueue
from fedi.federation.serialize import note_document
from fedi.moderation.audit import record
from fedi.newsletter.account import USERNAME, NameTaken, newsletter_account

MAX_TITLE = 200
MAX_BODY = 20_000
GATHER_DAYS = 31  # how far back an issue looks for posts of public spaces
GATHER_POSTS = 10
GATHER_EVENTS = 10
EVENTS_AHEAD = 60  # days: the coming events an issue lists
EXCERPT = 280
STAFF_LIST = 200


class NewsletterError(ValueError):
    """What cannot be done to an issue; `code` names why (for pages), the message says it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class GatheredPost:
    url: str
    author: str  # display name, or the username
    handle: str  # @user or @user@server
    space: str  # the public space's name
    excerpt: str  # plain text
    created_at: datetime


@dataclass(frozen=True)
class GatheredEvent:
    title: str
    url: str
    starts_at: datetime
    time_zone: str  # the event's own

    def when(self, language: str) -> str:
        """The start in the event's zone, written in `language`."""
        moment = format_datetime(self.starts_at, "long", tzinfo=ZoneInfo(self.time_zone),
                                 locale=language)  # fmt: skip
        return f"{moment} ({self.time_zone})"


@dataclass(frozen=True)
class Gathered:
    posts: tuple[GatheredPost, ...] = ()
    events: tuple[GatheredEvent, ...] = ()


def issue_url(context: Context, issue_id: int) -> str:
    return f"{context.urls.base}/newsletter/{issue_id}"


def text_in(issue: Issue, wanted: str, default: str) -> tuple[str, IssueText] | None:
    """The issue's text in the language wanted, else in the server's default, else in the first
    language it was written in (with that language's code)."""
    for language in (wanted, default, *sorted(issue.texts)):
        if language in issue.texts:
            return language, issue.texts[language]
    return None


async def staff_list(context: Context) -> list[Issue]:
    async with context.db.read() as conn:
        return await newsletter.all_issues(conn, STAFF_LIST)


async def get_issue(context: Context, issue_id: int) -> Issue | None:
    async with context.db.read() as conn:
        return await newsletter.get_issue(conn, issue_id)


async def archive(context: Context, limit: int, before: int | None = None) -> list[Issue]:
    async with context.db.read() as conn:
        return await newsletter.published_issues(conn, limit, before)


def _audit(conn: Connection, actor: Account, action: str, issue_id: int, label: str,
           now: str) -> None:  # fmt: skip
    record(conn, actor, action, target_type="newsletter_issue", target_id=issue_id,
           target_label=label[:100], now=now)  # fmt: skip


async def create_issue(context: Context, actor: Account) -> int:
    issue_id = new_id()
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        newsletter.insert_issue(conn, issue_id, actor.id, now)
        _audit(conn, actor, "create_newsletter_issue", issue_id, "", now)

    await context.db.write(write)
    return issue_id


def checked_texts(raw: dict[str, tuple[str, str]]) -> dict[str, IssueText]:
    """The texts to keep, by language: a language with neither title nor body is left out; one
    with only one of them, an unknown language, or a text too long is refused."""
    texts: dict[str, IssueText] = {}
    for language, (title, body) in raw.items():
        title, body = title.strip(), body.strip()
        if not title and not body:
            continue
        if language not in SUPPORTED_LOCALES:
            raise NewsletterError("language", f"unknown language {language!r}")
        if not title or not body:
            raise NewsletterError("incomplete", "each language needs both a title and a body")
        if len(title) > MAX_TITLE or len(body) > MAX_BODY:
            raise NewsletterError("too_long", "a title or a body is too long")
        texts[language] = IssueText(title, body)
    return texts


async def save_issue(
    context: Context, actor: Account, issue_id: int, raw: dict[str, tuple[str, str]]
) -> None:
    """Replace a draft's texts (a published issue stays as it was published)."""
    texts = checked_texts(raw)
    now = to_db(utcnow())

    def write(conn: Connection) -> None:
        draft = newsletter.is_draft(conn, issue_id)
        if draft is None:
            raise NewsletterError("not_found", "no such issue")
        if not draft:
            raise NewsletterError("published", "this issue is published already")
        newsletter.save_texts(conn, issue_id, texts, now)
        first = next(iter(texts.values()), None)
        _audit(conn, actor, "update_newsletter_issue", issue_id, first.title if first else "", now)

    await context.db.write(write)


async def delete_issue(context: Context, actor: Account, issue_id: int) -> bool:
    """Delete a draft; False when there is no such draft (a published issue stays)."""
    now = to_db(utcnow())

    def write(conn: Connection) -> bool:
        if not newsletter.delete_draft(conn, issue_id):
            return False
        _audit(conn, actor, "destroy_newsletter_issue", issue_id, "", now)
        return True

    return bool(await context.db.write(write))


async def _coming_events(context: Context, now: datetime) -> tuple[GatheredEvent, ...]:
    """This server's public events of the coming weeks (never a members-only space's)."""
    found = await upcoming(context, None, limit=GATHER_EVENTS * 2, now=now)
    horizon = now + timedelta(days=EVENTS_AHEAD)
    return tuple(
        GatheredEvent(e.title, e.url or context.urls.event(e.id), e.starts_at, e.time_zone)
        for e in found
        if e.is_local and e.is_public and not e.is_cancelled and now <= e.starts_at <= horizon
    )[:GATHER_EVENTS]


async def gather(context: Context, now: datetime | None = None) -> Gathered:
    """What an issue adds by itself: this server's coming public events, and the recent public
    posts of its public spaces."""
    moment = now or utcnow()
    events = await _coming_events(context, moment)
    since = to_db(moment - timedelta(days=GATHER_DAYS))
    async with context.db.read() as conn:
        ids = await newsletter.public_space_posts(conn, since, GATHER_POSTS)
        posts = await statuses.get_many(conn, ids)
        people = await accounts.get_many(
            conn, {p.account_id for p in posts.values()} | {p.group_id or 0 for p in posts.values()}
        )
    gathered = []
    for status_id in ids:
        post = posts.get(status_id)
        author = people.get(post.account_id) if post else None
        space = people.get(post.group_id or 0) if post else None
        if post is None or author is None or space is None:
            continue
        excerpt = plain_text(post.content).strip()
        if len(excerpt) > EXCERPT:
            excerpt = excerpt[: EXCERPT - 1].rstrip() + "…"
        handle = f"@{author.username}" + (f"@{author.domain}" if author.domain else "")
        gathered.append(GatheredPost(
            url=post.url or post.uri, author=author.display_name or author.username,
            handle=handle, space=space.display_name or space.username, excerpt=excerpt,
            created_at=post.created_at,
        ))  # fmt: skip
    return Gathered(tuple(gathered), events)


def body_html(context: Context, text: IssueText) -> str:
    """An issue's body as HTML: paragraphs, links and hashtags, as a post's text is."""
    return sanitize(text_to_html(text.body, {}, f"{context.urls.base}/tags"))


def article_html(context: Context, issue_id: int, text: IssueText, gathered: Gathered) -> str:
    """The content of the issue's Article: its title, its body, the gathered posts as links,
    and where to read it in every language."""
    parts = [f"<p><strong>{escape(text.title)}</strong></p>", body_html(context, text)]
    if gathered.events:
        language = context.settings.default_locale
        items = "".join(
            f'<li><a href="{escape(e.url)}">{escape(e.title)}</a>: {escape(e.when(language))}</li>'
            for e in gathered.events
        )
        parts.append(f"<ul>{items}</ul>")
    if gathered.posts:
        items = "".join(
            f'<li><a href="{escape(p.url)}">{escape(p.space)}</a>: {escape(p.excerpt)}</li>'
            for p in gathered.posts
        )
        parts.append(f"<ul>{items}</ul>")
    url = issue_url(context, issue_id)
    parts.append(f'<p><a href="{escape(url)}">{escape(url)}</a></p>')
    return sanitize("".join(parts))


async def publish(context: Context, actor: Account, issue_id: int) -> Status:
    """Publish a draft as an Article of the newsletter's account, federated to its followers."""
    issue = await get_issue(context, issue_id)
    if issue is None:
        raise NewsletterError("not_found", "no such issue")
    if issue.published_at is not None:
        raise NewsletterError("published", "this issue is published already")
    default = context.settings.default_locale
    chosen = text_in(issue, default, default)
    if chosen is None:
        raise NewsletterError("empty", "an issue needs a title and a body in one language")
    language, text = chosen
    try:
        account = await newsletter_account(context)
    except NameTaken:
        raise NewsletterError(
            "name_taken", f"the name {USERNAME!r} belongs to someone else"
        ) from None
    gathered = await gather(context)
    status_id = new_id()
    now = to_db(utcnow())
    new = NewStatus(
        id=status_id, uri=context.urls.status(USERNAME, status_id),
        url=issue_url(context, issue_id), account_id=account.id, visibility="public",
        content=article_html(context, issue_id, text, gathered), spoiler_text="",
        is_sensitive=False, language=language, is_local=True, created_at=now,
        source_text=text.body, object_type="Article", title=text.title,
    )  # fmt: skip

    def write(conn: Connection) -> None:
        statuses.insert_status(conn, new)
        if not newsletter.mark_published(conn, issue_id, status_id, now):
            raise NewsletterError("published", "this issue is published already")
        _audit(conn, actor, "publish_newsletter_issue", issue_id, text.title, now)

    await context.db.write(write)
    async with context.db.read() as conn:
        status = await statuses.get_by_id(conn, status_id)
    assert status is not None
    activity = create_to_ap(await note_document(context, status, account, with_context=False),
                            account)  # fmt: skip
    await context.db.write(
        lambda conn: enqueue(conn, account.id, activity, Audience(followers_of=account.id), now)
    )
    context.wake.outbox.set()
    return status
