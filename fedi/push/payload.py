"""What a push says, in the member's language, shaped as Mastodon's Web::NotificationSerializer
(access_token, preferred_locale, notification_id, notification_type, icon, title, body).

Confidential things never leave in a push (push.md section 5): for a direct message, a
followers-only or this-server-only post, anything from a members-only space, and our own kinds
(events, spaces), the payload says the kind and the sender only, with a fixed line as its body;
a members-only space that is itself the sender is not named either. Only a public or unlisted
post outside such spaces may give its content warning or its text (140 characters at most).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from fedi.activitypub.actor import DEFAULT_AVATAR
from fedi.core.html import plain_text
from fedi.core.urls import Urls
from fedi.db.push_deliveries import Due
from fedi.i18n.locales import Locale, Translations, match_locale

# Every payload's record holds exactly this many bytes (fedi.push.encryption pads it); after a
# 413 the push is sent again in the smaller size with the kind and sender only.
FULL_SIZE = 1536
SHRUNK_SIZE = 768
MAX_BODY = 140
MAX_NAME = 64
_BREAK = re.compile(r"</p>|<br\s*/?>", re.IGNORECASE)

# Apps know Mastodon's types only (push.md section 5); our own kinds go as mentions and keep
# their kind in the notification the app then fetches.
MASTODON_TYPES = ("mention", "status", "reblog", "follow", "follow_request", "favourite", "poll",
                  "update", "admin.sign_up", "admin.report")  # fmt: skip
FOLLOW_TYPES = ("follow", "follow_request")


def _(message: str) -> str:
    """Marks a message for translation; it is translated for each member."""
    return message


TITLES = {
    "mention": _("%(name)s mentioned you"),
    "status": _("%(name)s just posted"),
    "reblog": _("%(name)s boosted your post"),
    "follow": _("%(name)s followed you"),
    "follow_request": _("%(name)s asked to follow you"),
    "favourite": _("%(name)s favourited your post"),
    "poll": _("A poll by %(name)s has ended"),
    "update": _("%(name)s edited a post"),
    "admin.sign_up": _("%(name)s signed up"),
    "admin.report": _("%(name)s filed a report"),
}
DIRECT_TITLE = _("%(name)s sent you a message")
OTHER_TITLE = _("%(name)s: new activity")
CLOSED_SPACE = _("A members-only space")
FIXED_BODY = _("Open the app to read it.")


@lru_cache(maxsize=1)
def translations() -> Translations:
    """The catalogues, compiled the first time a push is written (never at import)."""
    return Translations()


def locale_of(code: str | None, default: str) -> Locale:
    chosen = match_locale(code) or match_locale(default) or "en"
    return translations().get(chosen)


def push_type(kind: str) -> str:
    """The Mastodon type a notification goes as (and whose alert decides)."""
    return kind if kind in MASTODON_TYPES else "mention"


def is_confidential(due: Due) -> bool:
    """Whether only the kind and the sender may be told."""
    return (
        due.type not in MASTODON_TYPES
        or due.sender_is_closed_group
        or due.visibility in ("private", "direct")
        or due.group_is_private
        or due.is_local_only
    )


@dataclass(frozen=True)
class Rendered:
    """The payload's JSON, and the size its record is padded to."""

    data: bytes
    size: int


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _body(due: Due) -> str:
    if due.type in FOLLOW_TYPES:
        return plain_text(due.sender_note)
    if due.spoiler_text:
        return plain_text(due.spoiler_text)
    if due.content:
        return plain_text(_BREAK.sub("\n", due.content))
    return plain_text(due.sender_note)


def render(
    due: Due, access_token: str, urls: Urls, default_locale: str, *, shrunk: bool = False
) -> Rendered:
    """The payload of one push; `shrunk` (after a 413) keeps the kind and sender only."""
    locale = locale_of(due.locale, default_locale)
    closed = due.sender_is_closed_group
    name = locale.gettext(CLOSED_SPACE) if closed else (due.sender_name or due.sender_acct)
    name = _cut(name, MAX_NAME)
    kind = push_type(due.type)
    if due.visibility == "direct":
        title = DIRECT_TITLE
    elif due.type in MASTODON_TYPES:
        title = TITLES[kind]
    else:
        title = OTHER_TITLE
    confidential = shrunk or is_confidential(due)
    body = locale.gettext(FIXED_BODY) if confidential else _cut(_body(due), MAX_BODY)
    avatar = due.sender_avatar_file
    icon = urls.media(avatar) if avatar and not closed else urls.static(DEFAULT_AVATAR)
    payload = {
        "access_token": access_token,
        "preferred_locale": locale.code,
        "notification_id": str(due.notification_id),
        "notification_type": kind,
        "icon": icon,
        "title": locale.gettext(title) % {"name": name},
        "body": body,
    }
    data = json.dumps(payload, ensure_ascii=False).encode()
    return Rendered(data, SHRUNK_SIZE if shrunk else FULL_SIZE)
