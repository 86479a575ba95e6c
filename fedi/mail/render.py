"""Mail bodies in the recipient's language: templates/mail/<name>.txt (the plain text) and
<name>.html (a simple HTML alternative, escaped like the pages), and subjects marked for
translation in the code that sends them."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from fedi.i18n.locales import Locale, Translations, match_locale

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates"
# Around a name or title inside a subject, where no markup can isolate it (web-app.md, bidi).
FSI, PDI = "\u2068", "\u2069"


@lru_cache(maxsize=1)
def translations() -> Translations:
    """The catalogues, compiled the first time a mail is written (never at import)."""
    return Translations()


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    # HTML is escaped as on the pages; the plain text is not HTML, and escaping it would show
    # "&amp;" to the reader.
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=False, default=False),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    environment.policies["ext.i18n.trimmed"] = True
    environment.newstyle_gettext = True  # type: ignore[attr-defined]
    return environment


def locale_of(code: str | None, default: str) -> Locale:
    """The member's stored language, else the instance's default."""
    chosen = match_locale(code) or match_locale(default) or "en"
    return translations().get(chosen)


def isolated(text: str) -> str:
    """A name or title inside a translated subject line, isolated for bidirectional display."""
    return f"{FSI}{text}{PDI}"


def render(name: str, locale: Locale, **params: Any) -> tuple[str, str]:
    """The plain text and the HTML of mail `name` in `locale`."""

    def text_gettext(message: str, **variables: Any) -> str:
        translated = locale.gettext(message)
        return translated % variables if variables else translated

    def html_gettext(message: str, **variables: Any) -> Markup:
        return Markup(locale.gettext(message)) % variables  # noqa: S704 - our catalogues

    def text_ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
        return locale.ngettext(singular, plural, n) % ({"num": n} | variables)

    def html_ngettext(singular: str, plural: str, n: int, **variables: Any) -> Markup:
        translated = Markup(locale.ngettext(singular, plural, n))  # noqa: S704 - our catalogues
        return translated % ({"num": n} | variables)

    def html_bdi(text: str) -> Markup:
        return Markup("<bdi>%s</bdi>") % text

    def html_ltr(text: str) -> Markup:
        return Markup('<bdi dir="ltr">%s</bdi>') % text

    common = {"locale": locale, "direction": locale.direction}
    text_vars: dict[str, Any] = {
        "_": text_gettext,
        "gettext": text_gettext,
        "ngettext": text_ngettext,
        "bdi": isolated,
        "ltr": isolated,
    }
    html_vars: dict[str, Any] = {
        "_": html_gettext,
        "gettext": html_gettext,
        "ngettext": html_ngettext,
        "bdi": html_bdi,
        "ltr": html_ltr,
    }
    text_vars |= common | params
    html_vars |= common | params
    text = environment().get_template(f"mail/{name}.txt").render(text_vars)
    html = environment().get_template(f"mail/{name}.html").render(html_vars)
    return text.strip() + "\n", html


def subject_in(locale: Locale, message: str, **variables: str) -> str:
    """A subject marked with _() where it is written, translated here; variables isolated."""
    translated = locale.gettext(message)
    if variables:
        translated = translated % {k: isolated(v) for k, v in variables.items()}
    return " ".join(translated.split())
