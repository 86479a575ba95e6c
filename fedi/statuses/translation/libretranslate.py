"""LibreTranslate (and the servers that speak its API): POST /translate with every text of a
post at once, as HTML, the source left for it to detect; GET /languages for its pairs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fedi.db.translation_languages import Pairs
from fedi.statuses.translation.exchange import Answer, EngineError, request, texts_of


class LibreTranslate:
    name = "LibreTranslate"

    def __init__(self, url: str, api_key: str) -> None:
        self.url = url
        self.api_key = api_key
        self.key = f"libretranslate {url}"

    async def translate(self, texts: Sequence[str], target: str) -> Answer:
        body: dict[str, Any] = {"q": list(texts), "source": "auto", "target": target,
                                "format": "html"}  # fmt: skip
        if self.api_key:
            body["api_key"] = self.api_key
        answer = await request("POST", f"{self.url}/translate", {}, json=body)
        if not isinstance(answer, dict):
            raise EngineError("answered something other than an object")
        translated = texts_of(answer.get("translatedText"), len(texts))
        detected = answer.get("detectedLanguage")
        if isinstance(detected, list):  # one per text sent: the first is the post's text
            detected = detected[0] if detected else None
        language = detected.get("language") if isinstance(detected, dict) else None
        return Answer(translated, language.lower() if isinstance(language, str) else None)

    async def languages(self) -> Pairs:
        answer = await request("GET", f"{self.url}/languages", {})
        if not isinstance(answer, list):
            raise EngineError("listed its languages as something other than a list")
        pairs: Pairs = {}
        for entry in answer:
            code = entry.get("code") if isinstance(entry, dict) else None
            targets = entry.get("targets") if isinstance(entry, dict) else None
            if not isinstance(code, str) or not isinstance(targets, list):
                continue
            pairs[code] = [t for t in targets if isinstance(t, str) and t != code]
        return pairs
