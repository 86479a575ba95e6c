"""The Translate button of a post's card: a form with the CSRF token, shown to a member when
translation is on, the post may reach the engine (fedi.statuses.translation.rules) and is not
written in the page's language. Without JavaScript the answer is a page with the card and its
translation, naming the engine; htmx gets the card alone, the translation inside it. A post the
member may not see is the 404 of a missing post, checked before anything else."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedi.db.status_translations import Translation
from fedi.statuses.translation.translate import (
    EngineError,
    NotTranslatable,
    TranslationDisabled,
    translate_status,
)
from fedi.web.enhance import is_fragment_request, vary_on_htmx
from fedi.web.forms import safe_next
from fedi.web.member.actions import CARD_ID, seen_status
from fedi.web.member.cards import cards
from fedi.web.member.gate import member_form
from fedi.web.state import context_of, pages_of


def _(message: str) -> str:
    """Marks a message for the catalogues; it is translated when the page is rendered."""
    return message


NOT_TRANSLATABLE = _("This post cannot be translated.")
UNAVAILABLE = _("The translation service is unavailable. Try again later.")


@dataclass(frozen=True)
class Translated:
    """A translation as the card shows it."""

    status_id: int
    content: Markup
    spoiler_text: str
    poll_options: tuple[str, ...]
    media_descriptions: tuple[str, ...]
    provider: str
    source_language: str | None
    language: str

    @classmethod
    def of(cls, translation: Translation) -> Translated:
        t = translation
        return cls(
            status_id=t.status_id,
            content=Markup(t.content),  # noqa: S704 - sanitised by fedi.core.html when kept
            spoiler_text=t.spoiler_text,
            poll_options=t.poll_options,
            media_descriptions=tuple(text for _, text in t.media_descriptions if text),
            provider=t.provider,
            source_language=t.detected_source_language,
            language=t.target_language,
        )


async def translate(request: Request) -> Response:
    found = await member_form(request)
    if isinstance(found, Response):
        return found
    viewer, form = found
    status = await seen_status(request, viewer)
    context, pages = context_of(request), pages_of(request)
    locale = pages.locale_for(request, viewer)
    translated, problem, status_code = None, None, 200
    try:
        translated = Translated.of(await translate_status(context, status, locale.code))
    except (TranslationDisabled, NotTranslatable):
        problem, status_code = NOT_TRANSLATABLE, 403
    except EngineError:
        problem, status_code = UNAVAILABLE, 503
    shown = await cards(context, [status], viewer, "thread")
    card = shown[0] if shown else None
    here = safe_next(form.get("next") or "/home")
    if translated is not None and is_fragment_request(request):
        # The card keeps the id of the one it replaces (htmx names it), as after an action.
        target = request.headers.get("hx-target", "")
        response = pages.render(
            request, "member/_card.html", card=card, viewer=viewer, here=here,
            translated=translated, card_id=target if CARD_ID.fullmatch(target) else None,
        )  # fmt: skip
    else:
        # The page; after a failure, htmx reads its heading out and leaves the card as it is.
        title = locale.gettext(problem) if problem else locale.gettext("Translation")
        response = pages.render(
            request, "member/translation.html", status_code=status_code, viewer=viewer,
            card=card, translated=translated, title=title, here=here,
        )  # fmt: skip
    return vary_on_htmx(response)  # rendered for the member: private already


routes = [Route("/statuses/{status_id}/translate", translate, methods=["POST"])]
