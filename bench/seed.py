"""The network's data set for the read-path benchmarks (bench/m4_timeline.py): 600 members,
250 groups (20 public, the rest members-only) of 10-60 members, 50 follows each (one heavy
member follows 500 accounts), 1,500 remote accounts on 60 servers, 200,000 statuses (posts,
replies, mentions, hashtags, media, polls, direct messages, local-only posts, boosts, private
group copies and public group boosts), favourites, bookmarks, notifications, followed hashtags,
and what members hide (mutes, blocks, domain blocks, filters, exclusive lists) and what
moderators limited.

Written through fedi's own storage functions (fedi.db) and its writer thread, in large
transactions. Run by hand:
    .venv/bin/python bench/seed.py DATA_DIR [--statuses 200000] [--domain bench.test]
It prints what it made and how long it took; DATA_DIR must not exist yet. Bearer tokens for the
heavy member and a few others are written to DATA_DIR/bench-tokens.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

# Run as a script: make the repository importable (fedi, keys).
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fedi.accounts.members import local_actor  # noqa: E402
from fedi.accounts.oauth import digest  # noqa: E402
from fedi.accounts.passwords import hash_password  # noqa: E402
from fedi.context import Context, open_context  # noqa: E402
from fedi.core import ids  # noqa: E402
from fedi.core.config import Settings, load_settings  # noqa: E402
from fedi.core.models import (  # noqa: E402
    NewAttachment,
    NewStatus,
    Poll,
    PollOption,
    RemoteActor,
    Visibility,
)
from fedi.core.timeutil import to_db  # noqa: E402
from fedi.db import (  # noqa: E402
    accounts,
    bookmarks,
    filters,
    follows,
    groups,
    interactions,
    lists,
    mutes,
    oauth,
    statuses,
    tag_follows,
    users,
)
from fedi.db.postgres import is_postgresql  # noqa: E402
from keys.keypair import generate_keypair  # noqa: E402

CHUNK = 4000  # rows (statuses, favourites...) per transaction
JOB = 50  # rows per write job
T = TypeVar("T")
TAGS = [f"theme{i}" for i in range(200)] + ["litigation", "monitoring", "advocacy", "rights"]
WORDS = [
    "report", "hearing", "witness", "court", "appeal", "monitoring", "visit", "detention",
    "release", "evidence", "archive", "statement", "coalition", "partners", "meeting", "draft",
    "review", "update", "translation", "webinar", "newsletter", "security", "training", "field",
    "office", "region", "network", "campaign", "deadline", "submission", "analysis",
]  # fmt: skip


@dataclass
class Seeded:
    """What the data set holds, for the benchmarks that use it."""

    domain: str
    heavy: str = "m0000"  # follows heavy_follows accounts; the last member (the newcomer)
    # follows nobody and never posts, but is mentioned: their home is their mentions alone
    members: list[int] = field(default_factory=list)
    remote: list[int] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)
    public_groups: list[int] = field(default_factory=list)
    statuses: int = 0
    tokens: dict[str, str] = field(default_factory=dict)


def bench_settings(data_dir: Path, domain: str) -> Settings:
    return load_settings(
        {
            "FEDI_DOMAIN": domain,
            "FEDI_DATA_DIR": str(data_dir),
            "FEDI_SCHEME": "http",
            "FEDI_ALLOW_PRIVATE_NETWORKS": "true",
            "FEDI_REGISTRATIONS": "open",
        }
    )


class Builder:
    def __init__(self, context: Context, rng: random.Random, total_statuses: int) -> None:
        self.context = context
        self.rng = rng
        self.total = total_statuses
        self.info = Seeded(domain=context.settings.domain)
        self.keypair = generate_keypair()
        self.start = datetime.now(UTC) - timedelta(days=365)
        self.public_posts: list[tuple[int, int]] = []  # (status id, author id), public/unlisted
        self.authors: dict[int, int] = {}  # status id -> author
        self.group_members: dict[int, list[int]] = {}
        self.hosts = 1
        self.follows_of: dict[int, set[int]] = {}

    async def write(self, job: Callable[[sqlite3.Connection], None]) -> None:
        await self.context.db.write(job)

    async def write_in_jobs(
        self, run: Callable[[sqlite3.Connection, list[T]], None], items: list[T]
    ) -> None:
        """`run` over `items` JOB at a time, in order, CHUNK items to a transaction: each job is
        a savepoint, and SQLite's in-memory statement journal costs every statement of a job in
        proportion to what the job has written so far, so large jobs grow quadratically."""

        def job(part: list[T]) -> Callable[[sqlite3.Connection], None]:
            return lambda conn: run(conn, part)

        for start in range(0, len(items), CHUNK):
            chunk = items[start : start + CHUNK]
            await asyncio.gather(
                *(self.write(job(chunk[at : at + JOB])) for at in range(0, len(chunk), JOB))
            )

    def text(self, words: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(words))

    # Accounts -----------------------------------------------------------------------------

    async def people(self, members: int, remote: int, hosts: int) -> None:
        self.hosts = hosts
        now = to_db(self.start)
        password = hash_password("bench-password")
        rows = []
        for i in range(members):
            account_id = ids.new_id()
            name = f"m{i:04d}"
            rows.append(
                local_actor(
                    self.context, account_id, name, "Person", self.keypair.public_pem, now,
                    display_name=f"Member {i}", is_locked=(i % 40 == 7),
                )
            )  # fmt: skip
            self.info.members.append(account_id)
        actors = []
        for i in range(remote):
            host = f"h{i % hosts:02d}.example.org"
            uri = f"https://{host}/users/r{i}"
            actors.append(
                RemoteActor(
                    uri=uri, actor_type="Person", username=f"r{i}", domain=host,
                    display_name=f"Remote {i}", note=f"<p>{self.text(12)}</p>", fields=(),
                    url=f"https://{host}/@r{i}", inbox_uri=f"{uri}/inbox",
                    shared_inbox_uri=f"https://{host}/inbox", outbox_uri=f"{uri}/outbox",
                    followers_uri=f"{uri}/followers", following_uri=f"{uri}/following",
                    featured_uri=None, public_key_id=f"{uri}#main-key",
                    public_key_pem=self.keypair.public_pem, avatar_remote_url=None,
                    header_remote_url=None, is_locked=False, is_bot=False,
                    is_discoverable=True, also_known_as=(), moved_to_uri=None,
                )
            )  # fmt: skip

        def insert(conn: sqlite3.Connection) -> None:
            for row in rows:
                accounts.insert_local_account(conn, row)
                users.insert_user(conn, row.id, password, "member", now)
            for actor in actors:
                self.info.remote.append(
                    accounts.upsert_remote(conn, actor, now, accept_new_key=True)
                )
            # Moderators limited two servers' worth of accounts, and suspended one account.
            for account_id in self.info.remote[:: max(1, remote // 12)]:
                accounts.set_silenced(conn, account_id, now)
            accounts.set_suspended(conn, self.info.remote[5], now)

        await self.write(insert)

    async def spaces(self, count: int, public: int) -> None:
        now = to_db(self.start + timedelta(minutes=1))
        rows = []
        for i in range(count):
            account_id = ids.new_id()
            is_private = i >= public
            rows.append(
                local_actor(
                    self.context, account_id, f"g{i:03d}", "Group", self.keypair.public_pem,
                    now, display_name=f"Space {i}", is_locked=is_private,
                    is_discoverable=not is_private,
                )
            )  # fmt: skip
            self.info.groups.append(account_id)
            if not is_private:
                self.info.public_groups.append(account_id)
            size = min(self.rng.randint(10, 60), len(self.info.members))
            self.group_members[account_id] = self.rng.sample(self.info.members, size)

        def insert(conn: sqlite3.Connection) -> None:
            for i, row in enumerate(rows):
                accounts.insert_local_account(conn, row)
                groups.insert_group(
                    conn, row.id, is_private=i >= public, is_local_only=False,
                    partners_only=i >= public, now=now,
                )  # fmt: skip
                members = self.group_members[row.id]
                groups.add_moderator(conn, row.id, members[0], "owner", now)
                for member in members:
                    follows.insert_follow(
                        conn, follow_id=ids.new_id(), follower_id=member, followed_id=row.id,
                        uri=None, state="accepted", created_at=now,
                    )  # fmt: skip

        await self.write(insert)

    async def following(self, per_member: int, heavy: int) -> None:
        now = to_db(self.start + timedelta(minutes=2))
        pairs: list[tuple[int, int, str]] = []
        for index, member in enumerate(self.info.members):
            if member == self.info.members[-1]:
                self.follows_of[member] = set()
                continue  # the newcomer follows nobody yet (see Seeded.newcomer)
            want = heavy if index == 0 else per_member
            local_share = min(len(self.info.members) - 1, int(want * 0.7))
            chosen = self.rng.sample([m for m in self.info.members if m != member], local_share)
            chosen += self.rng.sample(self.info.remote, want - local_share)
            self.follows_of[member] = set(chosen)
            for target in chosen:
                state = "pending" if self.rng.random() < 0.02 else "accepted"
                pairs.append((member, target, state))
        # Remote followers of members, for their followers counts.
        for account in self.info.remote[:600]:
            for target in self.rng.sample(self.info.members, 5):
                pairs.append((account, target, "accepted"))

        def insert(conn: sqlite3.Connection) -> None:
            for follower, followed, state in pairs:
                follows.insert_follow(
                    conn, follow_id=ids.new_id(), follower_id=follower, followed_id=followed,
                    uri=None, state=state, created_at=now,
                )  # fmt: skip
            interactions.notify(
                conn, [b for a, b, _ in pairs[:2000]], "follow", pairs[0][0], None, now
            )

        await self.write(insert)

    async def hiding(self) -> None:
        """Mutes, blocks, domain blocks, keyword filters and exclusive lists, spread over
        members (the heavy member has some of each)."""
        now = to_db(self.start + timedelta(minutes=3))
        members, remote = self.info.members, self.info.remote

        def insert(conn: sqlite3.Connection) -> None:
            for index, member in enumerate(members):
                rng = random.Random(index)
                followed = sorted(self.follows_of[member])
                if not followed:
                    continue
                if index == 0 or rng.random() < 0.3:
                    mute = rng.choice(followed)
                    mutes.upsert_mute(conn, member, mute, rng.random() < 0.5, None, now)
                if index == 0 or rng.random() < 0.1:
                    interactions.add_block(conn, member, rng.choice(remote), None, now)
                if index == 0 or rng.random() < 0.05:
                    mutes.add_domain_block(
                        conn, member, f"h{rng.randrange(self.hosts):02d}.example.org", now
                    )
                if index == 0 or rng.random() < 0.1:
                    filter_id = filters.insert_filter(
                        conn, member, "noise", ("home", "public", "notifications"),
                        "hide" if rng.random() < 0.5 else "warn", None, now,
                    )  # fmt: skip
                    filters.insert_keyword(conn, filter_id, rng.choice(WORDS), True, now)
                if index == 0 or rng.random() < 0.1:
                    owned = lists.insert_list(conn, member, "close", "list", index % 2 == 0, now)
                    for target in rng.sample(followed, min(5, len(followed))):
                        lists.add_member(conn, owned, target)

        await self.write(insert)

    async def themes(self) -> None:
        """Followed hashtags, among the first themes: one member in seven (the heavy member
        among them) reads by theme and follows ten to twenty, about half the others one to
        four; the newcomer none."""
        now = to_db(self.start + timedelta(minutes=4))
        themes = [*TAGS[:30], *TAGS[-4:]]

        def insert(conn: sqlite3.Connection) -> None:
            for index, member in enumerate(self.info.members[:-1]):
                rng = random.Random(1000 + index)
                many = index % 7 == 0
                if not many and rng.random() < 0.5:
                    continue
                count = rng.randint(10, 20) if many else rng.randint(1, 4)
                for name in rng.sample(themes, count):
                    tag_follows.follow_tag(conn, member, name, now)

        await self.write(insert)

    # Statuses -----------------------------------------------------------------------------

    def moment(self, index: int) -> datetime:
        return self.start + timedelta(seconds=10 + index * (364 * 86400 / self.total))

    def new_status(self, index: int) -> tuple[NewStatus, list[tuple[str, int, int]]]:
        """One status and the notifications it makes: (type, recipient, sender)."""
        rng = self.rng
        at = self.moment(index)
        status_id = ids.new_id(int(at.timestamp() * 1000))
        created = to_db(at)
        roll = rng.random()
        notes: list[tuple[str, int, int]] = []
        if roll < 0.08 and self.public_posts:  # a boost
            target, target_author = rng.choice(self.public_posts[-5000:])
            booster = rng.choice(self.info.members if rng.random() < 0.6 else self.info.remote)
            notes.append(("reblog", target_author, booster))
            return self._boost(status_id, booster, target, created), notes
        if roll < 0.20:  # a group's content
            return self._group_post(status_id, at, created)
        is_local = roll < 0.62
        author = rng.choice(self.info.members[:-1] if is_local else self.info.remote)
        kind = rng.random()
        visibility: Visibility = (
            "public" if kind < 0.6 else "unlisted" if kind < 0.75 else "private"
            if kind < 0.96 else "direct"
        )  # fmt: skip
        mentions: tuple[int, ...] = ()
        if visibility == "direct" or rng.random() < 0.08:
            mentions = tuple(rng.sample(self.info.members, rng.randint(1, 2)))
            if rng.random() < 0.1:  # people write to the newcomer, who sees it on home
                mentions = tuple(dict.fromkeys([*mentions, self.info.members[-1]]))
            notes += [("mention", m, author) for m in mentions]
        reply_to = None
        if self.public_posts and rng.random() < 0.3:
            reply_to = rng.choice(self.public_posts[-2000:])
            notes.append(("mention", reply_to[1], author))
        tags = tuple(rng.sample(TAGS, rng.randint(1, 3))) if rng.random() < 0.15 else ()
        attachments = (
            (NewAttachment("image", f"https://files.example.org/{status_id}.jpg",
                           self.text(5), None, 1200, 800),)
            if rng.random() < 0.05 else ()
        )  # fmt: skip
        poll = None
        if not attachments and rng.random() < 0.01:
            poll = Poll(
                options=(PollOption("yes", 0), PollOption("no", 0)), is_multiple=False,
                voters_count=0, expires_at=at + timedelta(days=1),
            )  # fmt: skip
        words = self.text(rng.randint(8, 60))
        body = f"<p>{words}{''.join(f' #{t}' for t in tags)}</p>"
        base = self.context.urls.base if is_local else "https://remote.example.org"
        new = NewStatus(
            id=status_id, uri=f"{base}/statuses/{status_id}", url=None, account_id=author,
            visibility=visibility, content=body, spoiler_text="cw" if rng.random() < 0.03 else "",
            is_sensitive=False, language="en", is_local=is_local, created_at=created,
            source_text=words if is_local else None,
            in_reply_to_id=reply_to[0] if reply_to else None,
            in_reply_to_uri=f"{base}/statuses/{reply_to[0]}" if reply_to else None,
            in_reply_to_account_id=reply_to[1] if reply_to else None, mentions=mentions,
            tags=tags, attachments=attachments, poll=poll,
            is_local_only=is_local and rng.random() < 0.02,
        )  # fmt: skip
        if visibility in ("public", "unlisted"):
            self.public_posts.append((status_id, author))
        self.authors[status_id] = author
        return new, notes

    def _boost(self, status_id: int, booster: int, target: int, created: str) -> NewStatus:
        return NewStatus(
            id=status_id, uri=f"https://remote.example.org/boosts/{status_id}", url=None,
            account_id=booster, visibility="public", content="", spoiler_text="",
            is_sensitive=False, language=None, is_local=booster in self.info.members,
            created_at=created, reblog_of_id=target,
        )  # fmt: skip

    def _group_post(
        self, status_id: int, at: datetime, created: str
    ) -> tuple[NewStatus, list[tuple[str, int, int]]]:
        rng = self.rng
        group = rng.choice(self.info.groups)
        author = rng.choice(self.group_members[group])
        words = self.text(rng.randint(10, 50))
        base = self.context.urls.base
        if group in self.info.public_groups:  # the member's post; the group boosts it below
            post = NewStatus(
                id=status_id, uri=f"{base}/statuses/{status_id}", url=None, account_id=author,
                visibility="public", content=f"<p>{words}</p>", spoiler_text="",
                is_sensitive=False, language="en", is_local=True, created_at=created,
                source_text=words, mentions=(group,), group_id=group,
            )  # fmt: skip
            self.public_posts.append((status_id, author))
            self.authors[status_id] = author
            return post, [("mention", group, author)]
        copy = NewStatus(
            id=status_id, uri=f"{base}/statuses/{status_id}", url=None, account_id=group,
            visibility="private", content=f"<p>{words}</p>", spoiler_text="",
            is_sensitive=False, language="en", is_local=True, created_at=created,
            group_id=group, submitted_by_id=author,
            submission_uri=f"{base}/statuses/{status_id}/submission",
        )  # fmt: skip
        self.authors[status_id] = group
        return copy, []

    async def posts(self) -> None:
        index = 0
        while index < self.total:
            batch: list[NewStatus] = []
            notes: list[tuple[str, int, int, int, str]] = []
            group_boosts: list[NewStatus] = []
            for _ in range(min(CHUNK, self.total - index)):
                new, made = self.new_status(index)
                batch.append(new)
                notes += [(kind, to, by, new.id, new.created_at) for kind, to, by in made]
                index += 1
                if new.group_id is not None and new.account_id != new.group_id:
                    at = self.moment(index) + timedelta(seconds=1)
                    boost_id = ids.new_id(int(at.timestamp() * 1000))
                    group_boosts.append(self._boost(boost_id, new.group_id, new.id, to_db(at)))
                    index += 1

            await self.write_in_jobs(_insert_statuses, [*batch, *group_boosts])
            await self.write_in_jobs(_insert_notes, notes)
        self.info.statuses = index

    async def reactions(self, favourites: int, saved: int) -> None:
        rng = self.rng
        picks = [rng.choice(self.public_posts) for _ in range(favourites)]
        now = to_db(datetime.now(UTC))

        def favourite(conn: sqlite3.Connection, picks: list[tuple[int, int]]) -> None:
            for status_id, author in picks:
                fan = rng.choice(self.info.members if rng.random() < 0.7 else self.info.remote)
                if interactions.add_favourite(conn, fan, status_id, None, now):
                    interactions.notify(conn, [author], "favourite", fan, status_id, now)

        def bookmark(conn: sqlite3.Connection) -> None:
            for _ in range(saved):
                status_id, _author = rng.choice(self.public_posts)
                bookmarks.add_bookmark(conn, rng.choice(self.info.members[:50]), status_id, now)

        await self.write_in_jobs(favourite, picks)
        await self.write(bookmark)

    async def tokens(self, count: int) -> None:
        now = to_db(datetime.now(UTC))
        app = oauth.App(
            id=ids.new_id(), client_id=secrets.token_urlsafe(16),
            client_secret_hash=digest(secrets.token_urlsafe(16)), name="bench", website=None,
            redirect_uris=("urn:ietf:wg:oauth:2.0:oob",), scopes=("read", "write", "follow"),
        )  # fmt: skip
        made: dict[str, str] = {}

        def insert(conn: sqlite3.Connection) -> None:
            oauth.insert_app(conn, app, now)
            for index, account_id in enumerate(self.info.members[:count]):
                secret = secrets.token_urlsafe(32)
                oauth.insert_token(
                    conn, token_id=ids.new_id(), token_hash=digest(secret), refresh_hash=None,
                    app_id=app.id, account_id=account_id, scopes=app.scopes, now=now,
                )  # fmt: skip
                made[f"m{index:04d}"] = secret

        await self.write(insert)
        self.info.tokens = made


def _insert_statuses(conn: sqlite3.Connection, batch: list[NewStatus]) -> None:
    for new in batch:
        statuses.insert_status(conn, new)


def _insert_notes(conn: sqlite3.Connection, notes: list[tuple[str, int, int, int, str]]) -> None:
    for kind, to, by, status_id, created in notes:
        interactions.notify(conn, [to], kind, by, status_id, created)


@dataclass(frozen=True)
class Scale:
    """How big the data set is; the defaults are the network's real size."""

    statuses: int = 200_000
    members: int = 600
    remote: int = 1500
    hosts: int = 60
    groups: int = 250
    public_groups: int = 20
    follows: int = 50
    heavy_follows: int = 500
    seed: int = 1


async def seed_network(
    data_dir: Path, domain: str = "bench.test", scale: Scale = Scale()
) -> Seeded:
    settings = bench_settings(data_dir, domain)
    async with open_context(settings) as context:
        # Each status adds a row to the home feed of each follower: tens of rows spread over the
        # whole feed index. SQLite's default page cache (2 MB) re-reads those pages for every
        # status once the feeds outgrow it; its writer gets 512 MB while seeding.
        await context.db.write(
            lambda conn: (
                None if is_postgresql(conn) else conn.execute("PRAGMA cache_size = -524288")
            )
        )
        builder = Builder(context, random.Random(scale.seed), scale.statuses)
        await builder.people(scale.members, remote=scale.remote, hosts=scale.hosts)
        await builder.spaces(scale.groups, public=scale.public_groups)
        await builder.following(per_member=scale.follows, heavy=scale.heavy_follows)
        await builder.hiding()
        await builder.themes()
        await builder.posts()
        await builder.reactions(favourites=scale.statuses // 2, saved=2000)
        await builder.tokens(50)
        # An instance that has been running closed its polls as they ended; closed here, the
        # server starts without an hour's worth of poll results to send to the data set's
        # remote servers, which do not exist and would keep the outbox retrying while pages are
        # measured.
        now = to_db(datetime.now(UTC))
        await context.db.write(
            lambda conn: conn.execute(
                "UPDATE polls SET closed_at = expires_at"
                " WHERE closed_at IS NULL AND expires_at < ?",
                (now,),
            )
        )
        info = builder.info
    (data_dir / "bench-tokens.json").write_text(json.dumps(info.tokens), encoding="utf-8")
    return info


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--statuses", type=int, default=200_000)
    parser.add_argument("--domain", default="bench.test")
    args = parser.parse_args()
    if args.data_dir.exists():
        raise SystemExit(f"{args.data_dir} exists already; seed a new directory")
    started = time.perf_counter()
    info = asyncio.run(seed_network(args.data_dir, args.domain, Scale(statuses=args.statuses)))
    took = time.perf_counter() - started
    print(
        f"seeded {args.data_dir}: {len(info.members)} members, {len(info.remote)} remote accounts,"
        f" {len(info.groups)} groups ({len(info.public_groups)} public), {info.statuses} statuses"
        f" in {took:.0f} s; heavy member {info.heavy}"
    )


if __name__ == "__main__":
    main()
