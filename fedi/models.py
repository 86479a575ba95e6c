"""Domain objects: frozen dataclasses built from database rows, never from raw JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

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

    @property
    def is_local(self) -> bool:
        return self.domain is None

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None


@dataclass(frozen=True)
class User:
    """A local member: the account plus what only this server knows about it."""

    account: Account
    role: Role
    is_approved: bool
    created_at: datetime


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
