"""Translating posts through DeepL's API v2 (a stand-in on loopback, its address given by
translation_url): the key in the Authorization header, each text a repeated field, the target
as DeepL spells it; kept like any translation, refused for posts that are not public."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from tests.api.conftest import Served
from tests.api.translation_rig import posts, serve, tokens, translate
from tests.testrig.translation_engines import StandIn, deepl

KEY = "0a1b2c3d-secret:fx"


@pytest.fixture
async def engine() -> AsyncIterator[StandIn]:
    async with deepl(KEY) as stand_in:
        yield stand_in


def deepl_env(engine: StandIn, key: str = KEY) -> dict[str, str]:
    return {
        "FEDI_TRANSLATION_ENGINE": "deepl",
        "FEDI_TRANSLATION_URL": engine.base,
        "FEDI_TRANSLATION_API_KEY": key,
    }


@pytest.fixture
async def served(tmp_path: Path, engine: StandIn) -> AsyncIterator[Served]:
    async with serve(tmp_path, deepl_env(engine)) as instance:
        yield instance


async def test_a_public_post_is_translated_by_deepl_and_kept(
    served: Served, engine: StandIn
) -> None:
    token = (await tokens(served, "alice", "ben", "nick", "olga"))["alice"]
    ids = await posts(served)
    answer = await translate(served, token, ids["public"], lang="fr")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["content"], body["spoiler_text"]) == ("<p>Bonjour amis</p>", "avertissement")
    assert [o["title"] for o in body["poll"]["options"]] == ["Oui", "Non"]
    assert (body["detected_source_language"], body["provider"]) == ("en", "DeepL.com")
    [sent] = engine.paths("/v2/translate")
    assert sent.headers["authorization"] == f"DeepL-Auth-Key {KEY}"
    form = parse_qs(sent.body.decode())
    assert form["text"] == ["<p>Good morning friends</p>", "content warning", "Yes", "No"]
    assert (form["target_lang"], form["tag_handling"]) == (["FR"], ["html"])
    again = await translate(served, token, ids["public"], lang="fr")
    assert again.json() == body and len(engine.paths("/v2/translate")) == 1
    # Portuguese and English are asked for as DeepL's variants.
    await translate(served, token, ids["public"], lang="pt")
    await translate(served, token, ids["french"], lang="en")
    targets = [parse_qs(r.body.decode())["target_lang"] for r in engine.paths("/v2/translate")]
    assert targets == [["FR"], ["PT-BR"], ["EN-GB"]]


async def test_deepl_never_receives_a_post_that_is_not_public(
    served: Served, engine: StandIn
) -> None:
    token = (await tokens(served, "alice", "ben", "nick", "olga"))["alice"]
    ids = await posts(served)
    for name in ("private", "direct", "local_only", "space"):
        answer = await translate(served, token, ids[name], lang="fr")
        assert answer.status_code == 403, name
    assert engine.received == []


async def test_deepls_languages_by_language_and_a_refused_key_is_a_503(
    tmp_path: Path, engine: StandIn
) -> None:
    async with (
        serve(tmp_path, deepl_env(engine)) as served,
        httpx.AsyncClient(base_url=served.base) as http,
    ):
        listed = (await http.get("/api/v1/instance/translation_languages")).json()
    assert listed["en"] == ["ar", "de", "fr", "pt"]
    assert listed["pt"] == ["ar", "de", "en", "fr"]
    async with serve(tmp_path / "other", deepl_env(engine, "wrong-key")) as served:
        token = (await tokens(served, "alice", "ben", "nick", "olga"))["alice"]
        ids = await posts(served)
        answer = await translate(served, token, ids["public"], lang="fr")
        assert answer.status_code == 503
        assert "wrong-key" not in answer.text
