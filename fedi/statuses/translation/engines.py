"""The engine the settings name, if any."""

from __future__ import annotations

from fedi.core.config import Settings
from fedi.statuses.translation.deepl import DeepL
from fedi.statuses.translation.exchange import Engine
from fedi.statuses.translation.libretranslate import LibreTranslate


def engine_for(settings: Settings) -> Engine | None:
    if settings.translation_engine == "libretranslate":
        return LibreTranslate(settings.translation_url, settings.translation_api_key)
    if settings.translation_engine == "deepl":
        return DeepL(settings.translation_url, settings.translation_api_key)
    return None
