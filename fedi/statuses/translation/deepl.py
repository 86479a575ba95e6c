"""DeepL's API v2: POST /v2/translate (each text a repeated `text` field, HTML kept as HTML, the
source detected), GET /v2/languages for its source and target languages. A key ending in ":fx"
belongs to the free API, served from another host; translation_url replaces either host."""

from __future__ import annotations

from collections.abc import Sequence

from fedi.db.translation_languages import Pairs
from fedi.statuses.translation.exchange import Answer, EngineError, request, texts_of

FREE_API = "https://api-free.deepl.com"
PRO_API = "https://api.deepl.com"
# DeepL translates into English and Portuguese only as one of their variants.
VARIANTS = ("EN-GB", "EN-US", "PT-BR", "PT-PT")
DEFAULT_VARIANT = {"EN": "EN-GB", "PT": "PT-BR"}


def target_lang(code: str) -> str:
    """DeepL's target_lang for a language tag: "pt" -> "PT-BR", "en-us" -> "EN-US", "de" -> "DE"."""
    upper = code.upper()
    if upper in VARIANTS:
        return upper
    language = upper.split("-", 1)[0]
    return DEFAULT_VARIANT.get(language, language)


class DeepL:
    name = "DeepL.com"

    def __init__(self, url: str, api_key: str) -> None:
        self.url = url or (FREE_API if api_key.endswith(":fx") else PRO_API)
        self.headers = {"Authorization": f"DeepL-Auth-Key {api_key}"}
        self.key = f"deepl {self.url}"

    async def translate(self, texts: Sequence[str], target: str) -> Answer:
        form = [("text", text) for text in texts]
        form += [("target_lang", target_lang(target)), ("tag_handling", "html")]
        answer = await request("POST", f"{self.url}/v2/translate", self.headers, form=form)
        found = answer.get("translations") if isinstance(answer, dict) else None
        if not isinstance(found, list) or not all(isinstance(t, dict) for t in found):
            raise EngineError("answered no translations")
        translated = texts_of([t.get("text") for t in found], len(texts))
        detected = found[0].get("detected_source_language") if found else None
        return Answer(translated, detected.lower() if isinstance(detected, str) else None)

    async def languages(self) -> Pairs:
        sources = await self._listed("source")
        # Targets by language: EN-GB and EN-US are both English to a reader choosing "en".
        targets = list(
            dict.fromkeys(code.split("-", 1)[0] for code in await self._listed("target"))
        )
        return {source: [t for t in targets if t != source] for source in sources}

    async def _listed(self, kind: str) -> list[str]:
        url = f"{self.url}/v2/languages?type={kind}"
        answer = await request("GET", url, self.headers)
        if not isinstance(answer, list):
            raise EngineError("listed its languages as something other than a list")
        codes = [e.get("language") for e in answer if isinstance(e, dict)]
        return [code.lower() for code in codes if isinstance(code, str)]
