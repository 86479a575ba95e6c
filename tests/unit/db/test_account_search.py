"""Finding accounts by the words of their names, on the database the suite runs on (SQLite, or
PostgreSQL with FEDI_TEST_DATABASE=postgresql): accents count for nothing, either way round, as
FTS5's remove_diacritics has it on SQLite."""

from __future__ import annotations

import pytest

from fedi.accounts.members import add_member
from fedi.accounts.profiles import update_profile
from fedi.context import Context
from fedi.db import account_search

NAMES = {"first": "José Álvarez", "second": "Zoë", "third": "Renee Plain"}


async def _found(context: Context, words: str) -> list[str]:
    async with context.db.read() as conn:
        found = await account_search.search(conn, words, None, viewer_id=None, limit=10, offset=0)
    return [account.username for account in found]


@pytest.mark.parametrize(
    ("words", "usernames"),
    [
        ("jose", ["first"]),
        ("alvarez", ["first"]),
        ("ALVAR", ["first"]),
        ("josé álvarez", ["first"]),
        ("zoe", ["second"]),
        ("Zoë", ["second"]),
        ("renée", ["third"]),
        ("plaîn", ["third"]),
    ],
)
async def test_accents_count_for_nothing_in_names_or_searches(
    context: Context, words: str, usernames: list[str]
) -> None:
    for username, display_name in NAMES.items():
        await add_member(context, username, f"{username}-password")
        await update_profile(context, username, display_name=display_name)
    assert await _found(context, words) == usernames
