"""Translations for the web pages: gettext catalogues
(fedi/i18n/locale/<lang>/LC_MESSAGES/messages.po) compiled in memory when the application
starts, and the choice of locale for each request:
`?lang=`, then the language a signed-in member chose in their settings, then the `lang` cookie,
then Accept-Language, then the configured default."""

from __future__ import annotations

import functools
import gettext
import io
from dataclasses import dataclass
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from fedi.core.config import SUPPORTED_LOCALES

RTL_LOCALES = frozenset({"ar"})
LOCALE_NAMES = {
    "en": "English",
    "fr": "Français",
    "ar": "العربية",
    "de": "Deutsch",
    "pt": "Português",
}
LANG_COOKIE = "lang"


@dataclass(frozen=True)
class Locale:
    code: str
    translations: gettext.NullTranslations

    @property
    def is_rtl(self) -> bool:
        return self.code in RTL_LOCALES

    @property
    def direction(self) -> str:
        return "rtl" if self.is_rtl else "ltr"

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)


def catalogue_path(code: str) -> resources.abc.Traversable:
    return resources.files("fedi.i18n").joinpath("locale", code, "LC_MESSAGES", "messages.po")


@functools.cache
def compile_catalogue(code: str) -> gettext.NullTranslations:
    """The locale's catalogue, compiled once per process (every app a process makes shares it)."""
    with catalogue_path(code).open("rb") as handle:
        catalog = read_po(handle, locale=code)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Translations:
    """Every supported locale, compiled once."""

    def __init__(self, default: str = "en") -> None:
        self.default = default
        self.locales: dict[str, Locale] = {"en": Locale("en", gettext.NullTranslations())}
        for code in SUPPORTED_LOCALES:
            if code != "en":
                self.locales[code] = Locale(code, compile_catalogue(code))

    def get(self, code: str) -> Locale:
        return self.locales[code]

    def choose(
        self,
        query_lang: str | None,
        cookie_lang: str | None,
        accept_language: str | None,
        member_lang: str | None = None,
    ) -> Locale:
        """`?lang=` first (a link chosen just now), then this browser's last choice (its
        cookie), then a signed-in member's own choice (on a browser that has made none)."""
        for candidate in (query_lang, cookie_lang, member_lang):
            code = match_locale(candidate)
            if code:
                return self.locales[code]
        for tag in parse_accept_language(accept_language or ""):
            code = match_locale(tag)
            if code:
                return self.locales[code]
        return self.locales[self.default]


def match_locale(tag: str | None) -> str | None:
    """'pt-BR' -> 'pt', 'FR' -> 'fr'; None when unsupported."""
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in SUPPORTED_LOCALES else None


def parse_accept_language(header: str) -> list[str]:
    """Language tags by descending q (RFC 9110 section 12.5.4); q=0 means 'not this one'."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:32]):
        tag, _, params = part.strip().partition(";")
        if not tag or tag == "*":
            continue
        quality = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                continue
        if quality > 0:
            weighted.append((-quality, index, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]
