"""Which posts may be translated, and for whom: the one rule the client API and the pages share.
A post that is not public reaches only an engine the operator declared to run on servers they
control (Mastodon translates only posts it could distribute: public and unlisted ones)."""

from __future__ import annotations

from fedi.core.config import Settings
from fedi.core.models import Status
from fedi.statuses.translation.languages import same_language

OPEN_VISIBILITIES = ("public", "unlisted")


def is_enabled(settings: Settings) -> bool:
    return settings.translation_engine != "none"


def may_reach_engine(settings: Settings, status: Status, in_closed_space: bool) -> bool:
    """Whether the post may be sent to the configured engine: anything when the operator runs it
    (translation_engine_is_self_hosted); otherwise only a public or unlisted post that is not
    local-only and not a post of a members-only space."""
    if settings.translation_engine_is_self_hosted:
        return True
    return (
        status.visibility in OPEN_VISIBILITIES and not status.is_local_only and not in_closed_space
    )


def is_offered(settings: Settings, status: Status, in_closed_space: bool, target: str) -> bool:
    """Whether a reader reading in `target` is offered the post's translation: translation is on,
    the post may reach the engine and is not written in that language already."""
    return (
        is_enabled(settings)
        and may_reach_engine(settings, status, in_closed_space)
        and not same_language(status.language, target)
    )
