"""Jinja2 pages rendered in the visitor's language; a chosen locale is remembered in a cookie."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from babel import Locale as BabelLocale
from babel import UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from babel.units import format_unit
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from fedi.core.models import User
from fedi.i18n.locales import LANG_COOKIE, LOCALE_NAMES, Locale, Translations, match_locale
from fedi.web.forms import CSRF_COOKIE, csrf_token_for
from fedi.web.responses import private_no_store
from fedi.web.vendor import STATIC_VENDOR_DIR, page_scripts

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates"
# Pages are our own markup with no inline script or style: scripts, styles, htmx's requests
# and live streams, the manifest and the service worker come from this server only; images
# may come from remote servers.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
    "connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
APP_SCRIPT = "/static/app.js"
MAX_FRAGMENTS = 4096  # page parts kept (Pages.fragments), the oldest dropped first


@lru_cache(maxsize=4096)
def _medium_datetime(moment: datetime, locale_code: str) -> str:
    """A post's date as pages show it: the same recent posts come back page after page, and
    babel works each date out anew (a pure function of the moment and the locale)."""
    return format_datetime(moment, format="medium", locale=locale_code)


@lru_cache(maxsize=4096)
def _decimal(value: int, locale_code: str) -> str:
    """A count as pages show it ("1,234", "1 234", "1.234"): the same few counts (members,
    posts, followers) on every page, each worked out by babel anew (a pure function)."""
    return str(format_decimal(value, locale=locale_code))


@lru_cache(maxsize=64)
def _language_name(code: str) -> str:
    try:
        return str(BabelLocale.parse(code).get_display_name(code) or code)
    except (ValueError, UnknownLocaleError):
        return code


class UsedOnce:
    """A value for a template that remembers whether the template printed it."""

    def __init__(self, value: str) -> None:
        self.value = value
        self.used = False

    def __str__(self) -> str:
        self.used = True
        return self.value

    def __html__(self) -> str:
        return escape(str(self))


def make_environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # The templates ship with the code and change only with it: no stat() of each template
        # (and of each include, once per post) on every render to see whether it changed.
        auto_reload=False,
    )
    environment.policies["ext.i18n.trimmed"] = True
    environment.newstyle_gettext = True  # type: ignore[attr-defined]
    return environment


class Pages:
    def __init__(
        self,
        translations: Translations,
        instance_title: str,
        secure: bool,
        vendor_dir: Path = STATIC_VENDOR_DIR,
    ) -> None:
        self.environment = make_environment()
        self._fragments: dict[tuple[str, str, Hashable], Markup] = {}
        self.translations = translations
        self.instance_title = instance_title
        self.secure = secure
        # Decided once: htmx is named only when `fedi vendor` has fetched it.
        self.scripts = (*page_scripts(vendor_dir), APP_SCRIPT)

    def locale_for(self, request: Request, viewer: User | None = None) -> Locale:
        return self.translations.choose(
            request.query_params.get("lang"),
            request.cookies.get(LANG_COOKIE),
            request.headers.get("accept-language"),
            viewer.locale if viewer is not None else None,
        )

    def render(
        self, request: Request, template: str, status_code: int = 200, **params: Any
    ) -> HTMLResponse:
        """The page; with a `viewer` (a signed-in member), in their language. A page for a
        member, or one holding a visitor's CSRF token, is never cached."""
        viewer = params.get("viewer")
        locale = self.locale_for(request, viewer if isinstance(viewer, User) else None)
        token, new_csrf = csrf_token_for(request)
        csrf = UsedOnce(token)
        variables = self.helpers(request, locale) | {"csrf_token": csrf, "viewer": None}
        body = self.environment.get_template(template).render(variables | params)
        response = HTMLResponse(body, status_code=status_code)
        if new_csrf and csrf.used:  # only pages with a form hand out a CSRF cookie
            response.set_cookie(
                CSRF_COOKIE, token, httponly=True, samesite="strict", secure=self.secure
            )
        response.headers["Content-Language"] = locale.code
        response.headers["Vary"] = "Accept, Accept-Language, Cookie"
        response.headers["Content-Security-Policy"] = PAGE_CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        if viewer is not None or csrf.used:  # the member's page, or a form with their token
            private_no_store(response)
        chosen = match_locale(request.query_params.get("lang"))
        if chosen and chosen != request.cookies.get(LANG_COOKIE):
            response.set_cookie(
                LANG_COOKIE,
                chosen,
                max_age=365 * 24 * 3600,
                samesite="lax",
                httponly=True,
                secure=self.secure,
            )
        return response

    def fragments(
        self, request: Request, template: str, views: Sequence[Hashable], name: str = "post"
    ) -> list[Markup]:
        """Parts of a page that depend on nothing but their view (a frozen dataclass, compared
        whole) and the page's language, as `template` renders them with the view as `name`:
        each rendered once and kept for the pages after, so that a page of posts costs what its
        new posts cost. Never for a part that shows anything of who asks (a form, a token)."""
        locale = self.locale_for(request)
        helpers: dict[str, Any] | None = None
        shown = []
        for view in views:
            key = (template, locale.code, view)
            found = self._fragments.get(key)
            if found is None:
                if helpers is None:
                    helpers = self.helpers(request, locale)
                rendered = self.environment.get_template(template).render(helpers | {name: view})
                found = Markup(rendered)  # noqa: S704 - rendered by our autoescaping templates
                if len(self._fragments) >= MAX_FRAGMENTS:
                    del self._fragments[next(iter(self._fragments))]
                self._fragments[key] = found
            shown.append(found)
        return shown

    def helpers(self, request: Request, locale: Locale) -> dict[str, Any]:
        path, params = request.url.path, dict(request.query_params)

        def lang_url(code: str) -> str:
            return f"{path}?{urlencode({**params, 'lang': code})}"

        def date(moment: datetime) -> str:
            return format_date(moment, format="long", locale=locale.code)

        def datetime_(moment: datetime) -> str:
            return _medium_datetime(moment, locale.code)

        def language_name(code: str) -> str:
            """A language's own name for the menu of a post's language ("Deutsch", "العربية")."""
            return _language_name(code)

        def number(value: int) -> str:
            return _decimal(value, locale.code)

        def size(byte_count: int) -> str:
            """A file size in the largest unit that keeps it at or above 1 (1 kB = 1000 B). Bytes
            take CLDR's long, plural-aware form ("592 bytes", "592 octets"): the short one is
            "592 byte" in English; kB, MB and GB are abbreviations in every language."""
            if byte_count < 1000:
                return str(format_unit(byte_count, "digital-byte", "long", locale=locale.code))
            value, unit = byte_count / 1000, "kilobyte"
            for larger in ("megabyte", "gigabyte"):
                if value < 1000:
                    break
                value, unit = value / 1000, larger
            return str(
                format_unit(value, f"digital-{unit}", "short", "#,##0.#", locale=locale.code)
            )

        def ltr(text: str) -> Markup:
            """A handle, address or URL inside a translated sentence: kept left to right and
            isolated, so that an Arabic sentence cannot reorder its @ and dots."""
            return Markup('<bdi dir="ltr">%s</bdi>') % text

        def gettext(message: str, **variables: Any) -> Markup:
            # New-style gettext, as the i18n extension compiles {% trans %} with newstyle on:
            # the translation is trusted markup and the variables are escaped into it.
            return Markup(locale.gettext(message)) % variables  # noqa: S704 - our catalogues

        def ngettext(singular: str, plural: str, num: int, **variables: Any) -> Markup:
            variables.setdefault("num", num)
            return Markup(locale.ngettext(singular, plural, num)) % variables  # noqa: S704

        return {
            "gettext": gettext,
            "ngettext": ngettext,
            "_": gettext,
            "locale": locale,
            "languages": [(code, LOCALE_NAMES[code], lang_url(code)) for code in LOCALE_NAMES],
            "format_date": date,
            "format_datetime": datetime_,
            "format_number": number,
            "language_name": language_name,
            "format_size": size,
            "ltr": ltr,
            "instance_title": self.instance_title,
            "page_scripts": self.scripts,
        }
