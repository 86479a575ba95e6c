"""Locale choice, and the catalogues: complete, in step with the templates, placeholders intact."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from fedi.core.config import SUPPORTED_LOCALES
from fedi.i18n.locales import Translations, catalogue_path, parse_accept_language

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = ROOT / "templates"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@pytest.fixture(scope="module")
def translations() -> Translations:
    return Translations()


def test_accept_language_is_ordered_by_quality() -> None:
    header = "de;q=0.5, fr-CH, fr;q=0.9, en;q=0.8, *;q=0.1, ar;q=0"
    assert parse_accept_language(header) == ["fr-CH", "fr", "en", "de"]


@pytest.mark.parametrize(
    ("query", "cookie", "header", "expected"),
    [
        ("ar", "fr", "de", "ar"),
        (None, "fr", "de", "fr"),
        (None, None, "pt-BR,pt;q=0.9,en;q=0.5", "pt"),
        (None, None, "ja, de;q=0.4", "de"),
        (None, None, "ja, zh", "en"),
        ("xx", None, "de", "de"),
        ("xx", "yy", None, "en"),
        (None, None, "ar;q=0, fr;q=0.1", "fr"),
    ],
)
def test_locale_choice_order(
    translations: Translations,
    query: str | None,
    cookie: str | None,
    header: str | None,
    expected: str,
) -> None:
    assert translations.choose(query, cookie, header).code == expected


def test_only_arabic_is_right_to_left(translations: Translations) -> None:
    assert [code for code in SUPPORTED_LOCALES if translations.get(code).is_rtl] == ["ar"]


@pytest.mark.parametrize("code", [c for c in SUPPORTED_LOCALES if c != "en"])
def test_catalogue_is_complete_and_keeps_placeholders(code: str) -> None:
    with catalogue_path(code).open("rb") as handle:
        catalog = read_po(handle, locale=code)
    assert not catalog.fuzzy
    for message in catalog:
        if not message.id:
            continue
        assert "fuzzy" not in message.flags, message.id
        ids = [str(i) for i in (message.id if isinstance(message.id, tuple) else (message.id,))]
        raw = message.string if isinstance(message.string, tuple) else (message.string,)
        strings = [str(s) if s else "" for s in raw]
        assert all(strings), f"{code}: untranslated {message.id!r}"
        expected = set(PLACEHOLDER.findall(ids[0]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) <= expected | {"num"}, (code, message.id)
        if len(strings) == 1:
            assert set(PLACEHOLDER.findall(strings[0])) == expected, (code, message.id)


def test_catalogues_are_in_step_with_the_templates(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
         "-k", "_", "-o", str(pot), "--no-location", "--omit-header", "."],
        cwd=ROOT, check=True,
    )  # fmt: skip
    with pot.open("rb") as handle:
        extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    for code in SUPPORTED_LOCALES:
        if code == "en":
            continue
        with catalogue_path(code).open("rb") as handle:
            translated = {
                m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id
            }
        assert extracted - translated == set(), f"{code} lacks new messages: run pybabel update"


_JINJA = re.compile(r"{%-?\s*trans\b.*?endtrans\s*-?%}|{%.*?%}|{{.*?}}|{#.*?#}", re.DOTALL)
_TAG = re.compile(r"<[^>]*>", re.DOTALL)
_VISIBLE_ATTRIBUTE = re.compile(r'\b(alt|title|placeholder|aria-label|value)="([^"]*)"')


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_no_visible_text_bypasses_translation(template: Path) -> None:
    """Outside {% trans %} and {{ }}, a template holds markup and punctuation, nothing to read."""
    source = template.read_text(encoding="utf-8")
    for _, value in _VISIBLE_ATTRIBUTE.findall(_JINJA.sub("", source)):
        assert not re.search(r"[^\W\d_]", value), f"{template.name}: untranslated {value!r}"
    text = _TAG.sub(" ", _JINJA.sub(" ", source))
    text = text.replace("&nbsp;", " ")
    leftovers = re.findall(r"[^\W\d_]{2,}", text)
    assert leftovers == [], f"{template.name}: untranslated text {leftovers}"
