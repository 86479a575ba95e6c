"""Domain objects: frozen dataclasses built from database rows, never from raw JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

Role = Literal["admin", "moderator", "member"]
ROLES: tuple[Role, ...] = ("admin", "moderator", "member")
Visibility = Literal["public", "unlisted", "private", "direct"]
ActorType = Literal["Person", "Group", "Service", "Application", "Organization"]


@dataclass(frozen=True)
class ProfileField:
    name: str
    value: str


@dataclass(frozen=True)
class Account:
    id: int
    uri: str
    username: str
    domain: str | None
    actor_type: ActorType
    display_name: str
    note: str
    fields: tuple[ProfileField, ...]
    url: str | None
    inbox_uri: str | None
    shared_inbox_uri: str | None
    outbox_uri: str | None
    followers_uri: str | None
    following_uri: str | None
    featured_uri: str | None
    public_key_id: str | None
    public_key_pem: str | None
    avatar_file: str | None
    header_file: str | None
    is_locked: bool
    is_bot: bool
    is_discoverable: bool
    suspended_at: datetime | None
    created_at: datetime
    updated_at: datetime
    avatar_remote_url: str | None = None
    header_remote_url: str | None = None
    also_known_as: tuple[str, ...] = ()
    moved_to_id: int | None = None
    fetched_at: datetime | None = None
    key_refetched_at: datetime | None = None
    silenced_at: datetime | None = None

    @property
    def host(self) -> str | None:
        """The host part of the actor id: where its documents and keys come from."""
        return urlsplit(self.uri).netloc.lower() if self.domain is not None else None

    @property
    def is_local(self) -> bool:
        return self.domain is None

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def is_silenced(self) -> bool:
        """Limited by this server's moderators (Mastodon's silence)."""
        return self.silenced_at is not None


@dataclass(frozen=True)
class User:
    """A local member: the account plus what only this server knows about it."""

    account: Account
    role: Role
    is_approved: bool
    created_at: datetime
    locale: str | None = None  # the interface language the member chose, if any


@dataclass(frozen=True)
class Counts:
    statuses: int
    followers: int
    following: int


@dataclass(frozen=True)
class Status:
    id: int
    uri: str
    url: str | None
    account_id: int
    visibility: Visibility
    content: str
    spoiler_text: str
    is_sensitive: bool
    language: str | None
    in_reply_to_uri: str | None
    created_at: datetime
    edited_at: datetime | None
    is_local: bool = True
    object_type: str = "Note"
    title: str = ""
    in_reply_to_id: int | None = None
    in_reply_to_account_id: int | None = None
    reblog_of_id: int | None = None
    thread_uri: str | None = None
    source_text: str | None = None
    group_id: int | None = None  # the group the post belongs to (its `audience`)
    submitted_by_id: int | None = None  # a private group's copy: the member who wrote it
    submission_uri: str | None = None  # ... and their original submission
    is_local_only: bool = False


@dataclass(frozen=True)
class Mention:
    account_id: int
    uri: str
    username: str
    domain: str | None
    url: str | None


@dataclass(frozen=True)
class Attachment:
    """A remote attachment (`url` is where its server has it) or a local upload (`file` and
    `preview_file` are names in our media directory, `url` is empty; a document has no
    preview)."""

    id: int
    media_type: str
    url: str
    description: str
    blurhash: str | None
    width: int | None
    height: int | None
    file: str | None = None
    preview_file: str | None = None
    preview_width: int | None = None
    preview_height: int | None = None
    size: int | None = None
    focus_x: float = 0.0
    focus_y: float = 0.0
    file_name: str | None = None  # a local document's name on the member's device


@dataclass(frozen=True)
class PollOption:
    title: str
    votes: int


@dataclass(frozen=True)
class Poll:
    options: tuple[PollOption, ...]
    is_multiple: bool
    voters_count: int | None
    expires_at: datetime | None
    hide_totals: bool = False


def is_expired(poll: Poll, now: datetime) -> bool:
    return poll.expires_at is not None and poll.expires_at <= now


@dataclass(frozen=True)
class StatusDetails:
    """What a status carries besides its row: mentions, hashtags, attachments and a poll."""

    mentions: tuple[Mention, ...] = ()
    tags: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    poll: Poll | None = None


@dataclass(frozen=True)
class NewAttachment:
    media_type: str
    remote_url: str | None
    description: str
    blurhash: str | None
    width: int | None
    height: int | None


@dataclass(frozen=True)
class NewStatus:
    """A status about to be stored, local or received."""

    id: int
    uri: str
    url: str | None
    account_id: int
    visibility: Visibility
    content: str
    spoiler_text: str
    is_sensitive: bool
    language: str | None
    is_local: bool
    created_at: str
    source_text: str | None = None
    object_type: str = "Note"
    title: str = ""
    in_reply_to_id: int | None = None
    in_reply_to_uri: str | None = None
    in_reply_to_account_id: int | None = None
    reblog_of_id: int | None = None
    thread_uri: str | None = None
    reply_depth: int = 0
    edited_at: str | None = None
    mentions: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()
    attachments: tuple[NewAttachment, ...] = ()
    poll: Poll | None = None
    group_id: int | None = None
    submitted_by_id: int | None = None
    submission_uri: str | None = None
    is_local_only: bool = False


@dataclass(frozen=True)
class RemoteActor:
    """A remote actor document, checked and bounded (fedi.activitypub.remote_actor)."""

    uri: str
    actor_type: ActorType
    username: str
    domain: str
    display_name: str
    note: str
    fields: tuple[ProfileField, ...]
    url: str | None
    inbox_uri: str
    shared_inbox_uri: str | None
    outbox_uri: str | None
    followers_uri: str | None
    following_uri: str | None
    featured_uri: str | None
    public_key_id: str
    public_key_pem: str
    avatar_remote_url: str | None
    header_remote_url: str | None
    is_locked: bool
    is_bot: bool
    is_discoverable: bool
    also_known_as: tuple[str, ...]
    moved_to_uri: str | None


GroupRole = Literal["owner", "moderator"]


@dataclass(frozen=True)
class Group:
    """A local group: its actor (an Account of type Group) and how it admits and shares."""

    account: Account
    is_private: bool
    is_local_only: bool
    partners_only: bool
    created_at: datetime

    @property
    def id(self) -> int:
        return self.account.id


@dataclass(frozen=True)
class GroupModerator:
    account: Account
    role: GroupRole
    created_at: datetime


@dataclass(frozen=True)
class GroupBan:
    account: Account
    reason: str
    banned_by_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class GroupLogEntry:
    id: int
    actor_id: int | None
    action: str
    target_account_id: int | None
    target_domain: str | None
    detail: str
    created_at: datetime


DomainSeverity = Literal["noop", "silence", "suspend"]


@dataclass(frozen=True)
class DomainBlock:
    """An instance-wide rule about a remote domain and its subdomains (Mastodon's DomainBlock):
    suspend (no federation at all), silence ("limit": hidden from public timelines and from
    non-followers) or noop (only the flags apply)."""

    id: int
    domain: str
    severity: DomainSeverity
    severity_at: datetime
    reject_media: bool
    reject_reports: bool
    obfuscate: bool
    private_comment: str
    public_comment: str
    source: str
    source_detail: str
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class DomainAllow:
    """A domain allowed to federate when the instance runs in allowlist mode."""

    id: int
    domain: str
    source: str
    source_detail: str
    created_by_id: int | None
    created_at: datetime
