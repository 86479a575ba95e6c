"""What a member must not see, per status: posts and boosts by (or of) accounts they mute, block
or are blocked by, or whose domain they block; posts by members of their exclusive lists on home;
and their filters (Mastodon CustomFilter): `hide` drops the status in the filter's contexts,
`warn` keeps it with a `filtered` entry. Timelines apply the account rules in SQL too
(fedi.db.mutes.hidden_status_clause) so pages stay full; keyword filters are applied here. The
rules are read once per viewer and judged against a page loaded once (fedi.statuses.batch)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Literal

from fedi.context import Context
from fedi.core.html import plain_text
from fedi.core.models import Account, Status, StatusDetails
from fedi.core.timeutil import to_db, utcnow
from fedi.db import viewer_rules
from fedi.db.filters import Filter
from fedi.statuses.batch import Batch

Where = Literal["home", "notifications", "public", "thread", "account"]
WHERE: tuple[Where, ...] = ("home", "notifications", "public", "thread", "account")


@dataclass(frozen=True)
class FilterMatch:
    """A warn filter that matched: Mastodon's FilterResult (fedi.api.filtering renders it)."""

    filter: Filter
    keyword_matches: tuple[str, ...]
    status_matches: tuple[int, ...]


@dataclass(frozen=True)
class Verdict:
    """hidden: leave the status out; matches: the warn filters that matched, for the status's
    `filtered` array."""

    hidden: bool
    matches: tuple[FilterMatch, ...] = ()


SHOWN = Verdict(hidden=False)
FOUND_KEPT = 200  # statuses whose keyword search a screen keeps (a few pages)
HIDDEN = Verdict(hidden=True)


@lru_cache(maxsize=4096)
def keyword_pattern(keyword: str, whole_word: bool) -> re.Pattern[str]:
    """Case-insensitive; a whole-word keyword needs a word boundary on each side that starts or
    ends with a word character (as Mastodon builds its filter regexps)."""
    escaped = re.escape(keyword)
    if whole_word:
        start = r"\b" if re.match(r"\w", keyword[:1]) else ""
        end = r"\b" if re.match(r"\w", keyword[-1:]) else ""
        escaped = f"{start}{escaped}{end}"
    return re.compile(escaped, re.IGNORECASE)


@dataclass(frozen=True)
class ViewerRules:
    """Everything one viewer hides, read once and applied to many statuses."""

    viewer_id: int
    muted: frozenset[int]  # active mutes
    muted_notifications: frozenset[int]  # active mutes that hide notifications too
    blocked: frozenset[int]  # blocking or blocked by
    blocked_domains: frozenset[str]
    exclusive: frozenset[int]
    filters: tuple[Filter, ...]

    def hides_account(self, account: Account, where: Where) -> bool:
        """A mute without notifications keeps the account's notifications (Mastodon)."""
        if account.id == self.viewer_id:
            return False
        muted = self.muted_notifications if where == "notifications" else self.muted
        if account.id in muted or account.id in self.blocked:
            return True
        domain = account.domain
        return domain is not None and (
            domain in self.blocked_domains or domain.split(":")[0] in self.blocked_domains
        )

    def filters_in(self, where: Where) -> list[Filter]:
        return [f for f in self.filters if where in f.contexts]

    @cached_property
    def _screens(self) -> dict[Where, Screen]:
        return {where: Screen.of(self.filters_in(where)) for where in WHERE}

    def screen(self, where: Where) -> Screen:
        return self._screens[where]


@dataclass(frozen=True)
class Screen:
    """The filters active in one context, with what lets most statuses through at once: one
    pattern matching wherever any of their keywords matches, and every status they name."""

    active: tuple[Filter, ...]
    any_keyword: re.Pattern[str] | None
    statuses: frozenset[int]
    # The keywords of each active filter found in a status, by status id, with the status and
    # details they were found in: a page judges the same recent statuses again and again (a
    # changed status or detail is another object or value, and is searched afresh).
    _found: dict[int, tuple[Status, StatusDetails, tuple[tuple[str, ...], ...]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def keywords_in(self, batch: Batch, status: Status) -> tuple[tuple[str, ...], ...]:
        """Per active filter, its keywords that match the status's searchable text (none at
        all when the pattern of every keyword does not match)."""
        details = batch.details_of(status)
        kept = self._found.get(status.id)
        if kept is not None and kept[0] is status and kept[1] == details:
            return kept[2]
        found: tuple[tuple[str, ...], ...] = tuple(() for _ in self.active)
        text = searchable_text(batch, status)
        if self.any_keyword is not None and self.any_keyword.search(text):
            found = tuple(
                tuple(
                    k.keyword
                    for k in each.keywords
                    if keyword_pattern(k.keyword, k.whole_word).search(text)
                )
                for each in self.active
            )
        if len(self._found) >= FOUND_KEPT:
            del self._found[next(iter(self._found))]
        self._found[status.id] = (status, details, found)
        return found

    @classmethod
    def of(cls, active: list[Filter]) -> Screen:
        patterns = [
            keyword_pattern(k.keyword, k.whole_word).pattern for f in active for k in f.keywords
        ]
        return cls(
            active=tuple(active),
            any_keyword=(
                re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
                if patterns
                else None
            ),
            statuses=frozenset(s.status_id for f in active for s in f.statuses),
        )


# The rules last built for each viewer, with the rows they were built from: a page reads the
# rows again (one statement) and builds afresh only when they differ, so a mute, block, filter
# or list change shows on the very next page. The oldest viewers go first past a fixed number.
_built: dict[int, tuple[viewer_rules.Rows, ViewerRules]] = {}
_BUILT_SIZE = 256


async def rules_for(context: Context, viewer_id: int) -> ViewerRules:
    async with context.db.read_now() as conn:
        rows = await viewer_rules.rows_of(conn, viewer_id, to_db(utcnow()))
    kept = _built.get(viewer_id)
    if kept is not None and kept[0] == rows:
        return kept[1]
    hidden = viewer_rules.hidden_of(rows)
    rules = ViewerRules(
        viewer_id=viewer_id,
        muted=frozenset(target for target, _ in hidden.muted),
        blocked=hidden.blocked,
        muted_notifications=frozenset(target for target, also in hidden.muted if also),
        blocked_domains=hidden.domains,
        exclusive=hidden.exclusive,
        filters=tuple(viewer_rules.filters_of(rows, viewer_id)),
    )
    if viewer_id not in _built and len(_built) >= _BUILT_SIZE:
        del _built[next(iter(_built))]
    _built[viewer_id] = (rows, rules)
    return rules


def moderated_in(
    batch: Batch, viewer_id: int | None, authors: list[Account | None], where: Where
) -> bool:
    """A suspended author (or boosted author) is shown nowhere (security.md M7); a limited one
    only to itself and its followers, except on its own profile (Mastodon's StatusFilter).
    Whom the viewer follows comes from the batch (loaded with these authors)."""
    for author in authors:
        if author is not None and author.is_suspended:
            return True
    if where == "account":
        return False
    for author in authors:
        if author is None or author.silenced_at is None or author.id == viewer_id:
            continue
        if viewer_id is None or where == "public" or author.id not in batch.followed:
            return True
    return False


def moderated_away(batch: Batch, viewer_id: int | None, status: Status, where: Where) -> bool:
    """moderated_in for one status of the batch and its authors (for anonymous viewers, and
    for a status asked for by id, where `account` leaves only suspension)."""
    return moderated_in(batch, viewer_id, batch.authors(status), where)


def searchable_text(batch: Batch, status: Status) -> str:
    """What filters match against: the content warning, the text, media descriptions and poll
    options, as plain text."""
    details = batch.details_of(status)
    parts = [status.spoiler_text, plain_text(status.content)]
    parts += [a.description for a in details.attachments]
    if details.poll is not None:
        parts += [o.title for o in details.poll.options]
    return "\n\n".join(p for p in parts if p)


def judge(
    batch: Batch, rules: ViewerRules, status: Status, where: Where, in_list: bool = False
) -> Verdict:
    """The verdict on one status of the batch (loaded for the rules' viewer); `where` is the
    filter context (a list timeline is "home" with in_list, where exclusive lists do not hide
    their own members)."""
    original = batch.original(status)
    authors = batch.authors(status)
    if moderated_in(batch, rules.viewer_id, authors, where):
        return HIDDEN
    # A profile still shows a muted account's own posts, as on Mastodon; only filters apply.
    if where != "account":
        for author in authors:
            if author is not None and rules.hides_account(author, where):
                return HIDDEN
    if batch.may_see_group_post(original or status) is False:
        return HIDDEN  # a private group's post, and the viewer is not (or no longer) a member
    if where == "home" and not in_list and status.account_id in rules.exclusive:
        return HIDDEN
    screen = rules.screen(where)
    if not screen.active:
        return SHOWN
    proper = original or status
    named = status.id in screen.statuses or proper.id in screen.statuses
    if not named and screen.any_keyword is None:
        return SHOWN
    words_of = screen.keywords_in(batch, proper)
    if not named and not any(words_of):
        return SHOWN  # no keyword of any filter matches
    results: list[FilterMatch] = []
    for found, words in zip(screen.active, words_of, strict=True):
        posts = tuple(s.status_id for s in found.statuses if s.status_id in (status.id, proper.id))
        if not words and not posts:
            continue
        if found.action == "hide":
            return HIDDEN
        results.append(FilterMatch(found, words, posts))
    return Verdict(hidden=False, matches=tuple(results))
