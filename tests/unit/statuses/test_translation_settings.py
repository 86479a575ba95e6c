"""The translation settings (off by default, an engine's address and key checked together, the
key never in a repr, the self-hosted declaration false unless given) and what follows from
them: which engine, where DeepL is reached, how its target languages are spelt, and which posts
may reach the engine."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fedi.core.config import ConfigError, Settings, load_settings
from fedi.core.models import Status
from fedi.statuses.translation.deepl import FREE_API, PRO_API, DeepL, target_lang
from fedi.statuses.translation.engines import engine_for
from fedi.statuses.translation.languages import engine_target, language_tag, translates
from fedi.statuses.translation.libretranslate import LibreTranslate
from fedi.statuses.translation.rules import is_offered, may_reach_engine


def settings(tmp_path: Path, **env: str) -> Settings:
    named = {f"FEDI_TRANSLATION_{k.upper()}": v for k, v in env.items()}
    return load_settings(
        {"FEDI_DOMAIN": "social.example.org", "FEDI_DATA_DIR": str(tmp_path), **named}
    )


def test_translation_is_off_by_default_and_never_self_hosted_unless_declared(
    tmp_path: Path,
) -> None:
    plain = settings(tmp_path)
    assert plain.translation_engine == "none" and engine_for(plain) is None
    assert plain.translation_engine_is_self_hosted is False
    libre = settings(tmp_path, engine="LibreTranslate", url="http://10.0.0.5:5000/", api_key="k")
    engine = engine_for(libre)
    assert isinstance(engine, LibreTranslate) and engine.url == "http://10.0.0.5:5000"
    secret = settings(tmp_path, engine="deepl", api_key="very-secret:fx")
    assert "very-secret" not in repr(secret)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"engine": "google"}, "FEDI_TRANSLATION_ENGINE must be one of none, libretranslate"),
        ({"engine": "libretranslate"}, "FEDI_TRANSLATION_URL is needed"),
        ({"engine": "libretranslate", "url": "ftp://x"}, "FEDI_TRANSLATION_URL must be"),
        ({"engine": "libretranslate", "url": "http://u:p@x"}, "FEDI_TRANSLATION_URL must be"),
        ({"engine": "deepl"}, "FEDI_TRANSLATION_API_KEY is needed"),
        ({"engine_is_self_hosted": "perhaps"}, "must be true or false"),
    ],
)
def test_bad_translation_settings_name_the_problem(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        settings(tmp_path, **env)


def test_deepl_is_reached_by_its_keys_api_unless_an_address_is_given(tmp_path: Path) -> None:
    assert DeepL("", "abc:fx").url == FREE_API
    assert DeepL("", "abc").url == PRO_API
    assert DeepL("http://127.0.0.1:9", "abc:fx").url == "http://127.0.0.1:9"
    assert [target_lang(c) for c in ("fr", "en", "pt", "en-us", "pt-pt", "zh-hans")] == [
        "FR", "EN-GB", "PT-BR", "EN-US", "PT-PT", "ZH",
    ]  # fmt: skip


def test_language_tags_and_the_engines_pairs() -> None:
    assert [language_tag(t) for t in ("pt_BR", "FR", "<b>", "", None)] == [
        "pt-br", "fr", None, None, None,
    ]  # fmt: skip
    pairs = {"en": ["fr", "pt"], "fr": ["en"], "zh-Hans": ["en"]}
    assert engine_target(pairs, "pt-br") == "pt" and engine_target(pairs, "de") is None
    assert translates(pairs, "en-gb", "fr") and not translates(pairs, "fr", "pt")
    assert translates(pairs, None, "pt") and not translates(pairs, "ko", "en")


def _status(**fields: object) -> Status:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    plain = Status(id=1, uri="u", url=None, account_id=2, visibility="public", content="<p>x</p>",
                   spoiler_text="", is_sensitive=False, language="en", in_reply_to_uri=None,
                   created_at=now, edited_at=None)  # fmt: skip
    return replace(plain, **fields)  # type: ignore[arg-type]


def test_only_public_posts_outside_spaces_reach_an_engine_not_self_hosted(tmp_path: Path) -> None:
    theirs = settings(tmp_path, engine="libretranslate", url="https://lt.example")
    ours = replace(theirs, translation_engine_is_self_hosted=True)
    cases = [
        (_status(), False, True),
        (_status(visibility="unlisted"), False, True),
        (_status(visibility="private"), False, False),
        (_status(visibility="direct"), False, False),
        (_status(is_local_only=True), False, False),
        (_status(), True, False),  # a members-only space's post
    ]
    for status, in_space, allowed in cases:
        assert may_reach_engine(theirs, status, in_space) is allowed, status
        assert may_reach_engine(ours, status, in_space) is True
    assert is_offered(theirs, _status(), False, "fr")
    assert not is_offered(theirs, _status(language="fr-CA"), False, "fr")
    assert not is_offered(settings(tmp_path), _status(), False, "fr")
