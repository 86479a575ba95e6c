"""Translating a post the reader may see (the caller has checked) into their language: the
rules first, then a translation kept from before, else the engine, whose answer is sanitised and
kept. Nothing of the post is logged, only its id."""

from __future__ import annotations

import hashlib
import json
import logging
from html import escape

from fedi.context import Context
from fedi.core.html import plain_text, sanitize
from fedi.core.models import Status, StatusDetails
from fedi.core.timeutil import to_db, utcnow
from fedi.db import status_details, status_translations
from fedi.db.status_translations import Translation
from fedi.groups.access import private_group
from fedi.statuses.shown import shown_content
from fedi.statuses.translation.engines import engine_for
from fedi.statuses.translation.exchange import EngineError
from fedi.statuses.translation.languages import engine_target, language_tag, pairs_of, translates
from fedi.statuses.translation.rules import is_offered

__all__ = ["EngineError", "NotTranslatable", "TranslationDisabled", "translate_status"]
log = logging.getLogger(__name__)


class TranslationDisabled(Exception):
    """No engine is configured (Mastodon answers 404 then)."""


class NotTranslatable(Exception):
    """This post may not be translated into this language (Mastodon's 403)."""


async def in_closed_space(context: Context, status: Status) -> bool:
    """Whether the post belongs to a members-only space (a local private group)."""
    return status.group_id is not None and await private_group(context, status.group_id) is not None


def source_texts(status: Status, details: StatusDetails) -> list[str]:
    """What is sent, as HTML: the text, its content warning, the poll's options and the
    attachments' descriptions (the plain ones escaped)."""
    poll = details.poll.options if details.poll is not None else ()
    plain = [status.spoiler_text, *(o.title for o in poll),
             *(a.description for a in details.attachments)]  # fmt: skip
    return [shown_content(status), *(escape(text, quote=False) for text in plain)]


async def translate_status(context: Context, status: Status, target: str) -> Translation:
    """The post translated into `target` (a language tag). TranslationDisabled, NotTranslatable
    or EngineError when it cannot be."""
    engine = engine_for(context.settings)
    if engine is None:
        raise TranslationDisabled
    wanted = language_tag(target)
    closed = await in_closed_space(context, status)
    if wanted is None or not is_offered(context.settings, status, closed, wanted):
        raise NotTranslatable
    async with context.db.read() as conn:
        details = (await status_details.details_of(conn, [status.id]))[status.id]
    texts = source_texts(status, details)
    if not any(text.strip() for text in texts):
        raise NotTranslatable
    pairs = await pairs_of(context, engine)
    code = engine_target(pairs, wanted)
    if code is None or not translates(pairs, language_tag(status.language), code):
        raise NotTranslatable
    digest = hashlib.sha256(json.dumps(texts, ensure_ascii=False).encode()).hexdigest()
    async with context.db.read() as conn:
        kept = await status_translations.get(conn, status.id, code, engine.name, digest)
    if kept is not None:
        return kept
    sent = [i for i, text in enumerate(texts) if text.strip()]
    try:
        answer = await engine.translate([texts[i] for i in sent], code)
    except EngineError as exc:
        log.warning("%s could not translate status %s: %s", engine.name, status.id, exc)
        raise
    back = dict(zip(sent, answer.texts, strict=True))
    shown = [back.get(i, "") for i in range(len(texts))]
    poll_count = len(details.poll.options) if details.poll is not None else 0
    media = [a.id for a in details.attachments]
    translation = Translation(
        status_id=status.id, source_hash=digest, target_language=code, provider=engine.name,
        detected_source_language=language_tag(answer.detected_source_language) or status.language,
        content=sanitize(shown[0]), spoiler_text=plain_text(shown[1]),
        poll_options=tuple(plain_text(t) for t in shown[2 : 2 + poll_count]),
        media_descriptions=tuple(
            zip(media, (plain_text(t) for t in shown[2 + poll_count :]), strict=True)
        ),
    )  # fmt: skip
    now = to_db(utcnow())
    await context.db.write(lambda conn: status_translations.keep(conn, translation, now))
    log.info("status %s translated into %s by %s", status.id, code, engine.name)
    return translation
