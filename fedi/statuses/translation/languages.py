"""Language tags as posts, members and engines give them, and the language pairs the engine
offers, asked of it once a day and kept in the database (fedi.db.translation_languages)."""

from __future__ import annotations

import re
from datetime import timedelta

from fedi.context import Context
from fedi.core.timeutil import to_db, utcnow
from fedi.db import translation_languages
from fedi.db.translation_languages import Pairs
from fedi.statuses.translation.exchange import Engine

KEPT_FOR = timedelta(days=1)
_TAG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{1,8}){0,3}$")


def language_tag(value: str | None) -> str | None:
    """A BCP 47 language tag lower-cased with hyphens ("pt_BR" -> "pt-br"); None if it is none."""
    if not value:
        return None
    tag = value.strip().replace("_", "-").lower()
    return tag if _TAG.match(tag) else None


def primary(tag: str) -> str:
    """The language without its region or script: "pt-br" -> "pt"."""
    return tag.split("-", 1)[0].lower()


def same_language(one: str | None, other: str | None) -> bool:
    return bool(one and other) and primary(one or "") == primary(other or "")


async def pairs_of(context: Context, engine: Engine) -> Pairs:
    """What the engine translates from and into; asked of it when none are kept or they are a
    day old (EngineError when it cannot answer then)."""
    async with context.db.read() as conn:
        kept = await translation_languages.get(conn, engine.key)
    if kept is not None and utcnow() - kept[1] < KEPT_FOR:
        return kept[0]
    pairs = await engine.languages()
    now = to_db(utcnow())
    await context.db.write(lambda conn: translation_languages.keep(conn, engine.key, pairs, now))
    return pairs


def engine_target(pairs: Pairs, target: str) -> str | None:
    """The engine's code for the target language (its own spelling, the same tag first, then the
    same language), None when it translates into no such language."""
    offered = list(dict.fromkeys(code for targets in pairs.values() for code in targets))
    exact = [code for code in offered if code.lower() == target]
    near = [code for code in offered if primary(code) == primary(target)]
    found = exact or near
    return found[0] if found else None


def translates(pairs: Pairs, source: str | None, code: str) -> bool:
    """Whether the engine translates `source` (None: a language it detects) into `code`."""
    if source is None:
        return True
    return any(primary(s) == primary(source) and code in targets for s, targets in pairs.items())
