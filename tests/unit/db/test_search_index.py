"""The full-text tables stay in step with what they index: a post's words when it is stored or
edited and none once it is gone (with its account too), the posts and accounts stored before
migration 0036 indexed by it, an account renamed found by its new name."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from fedi.accounts.members import add_member
from fedi.accounts.profiles import update_profile
from fedi.context import open_context
from fedi.core.config import load_settings
from fedi.db import connect
from fedi.db.fulltext import fold, match_of
from fedi.db.migrate import apply_migrations
from fedi.db.status_search import indexed_text
from fedi.statuses.polls import PollRequest
from fedi.statuses.posting import edit_status, post_status


def found(conn: sqlite3.Connection, words: str) -> list[int]:
    match = match_of(words)
    assert match is not None
    query = "SELECT rowid FROM status_search WHERE status_search MATCH ? ORDER BY rowid"
    return [row[0] for row in conn.execute(query, (match,))]


def names(conn: sqlite3.Connection, words: str) -> list[str]:
    match = match_of(words)
    assert match is not None
    return [
        row[0]
        for row in conn.execute(
            "SELECT a.username FROM account_search m JOIN accounts a ON a.id = m.rowid"
            " WHERE account_search MATCH ? ORDER BY a.username",
            (match,),
        )
    ]


def test_the_words_of_a_post_are_its_text_not_its_markup() -> None:
    text = indexed_text(
        "A title", "cw", '<p>one<br>two</p><p><a href="https://x.example/path" class="mention">'
        "@<span>amal</span></a> caf&eacute;</p>", "yes no",
    )  # fmt: skip
    assert text.split() == ["A", "title", "cw", "one", "two", "@amal", "café", "yes", "no"]
    assert fold("مُحامٍ ﻣﺤﺎﻡ \uff46\uff55\uff4c\uff4c") == "محام محام full"
    assert match_of('say "NEAR(x)" OR *') == '"say" """NEAR(x)""" "OR"*'
    assert match_of("👋 ^ * ( )") is None


async def test_posts_and_accounts_indexed_as_they_change(tmp_path: Path) -> None:
    settings = load_settings({"FEDI_DOMAIN": "fedi.test", "FEDI_DATA_DIR": str(tmp_path)})
    async with open_context(settings) as context:
        await add_member(context, "amal", "amal-password")
        await add_member(context, "ben", "ben-password")
        first = await post_status(context, "amal", "Hearing on Monday")
        poll = PollRequest(options=("Tuesday", "Friday"), expires_in=3600)
        second = await post_status(context, "ben", "Which day?", poll=poll)
        await edit_status(context, "ben", second.id, "Which day for the appeal?")
        await update_profile(context, "amal", display_name="Amal Haddad")
        await context.db.write(
            lambda conn: conn.execute("DELETE FROM accounts WHERE username = 'amal'")
        )
        conn = connect(settings.database_path)
        try:
            assert found(conn, "hearing") == []  # gone with its account
            assert found(conn, "appeal") == found(conn, "friday") == [second.id]  # poll kept
            assert found(conn, "which day") == [second.id] and first.id != second.id
            assert names(conn, "ben") == ["ben"] and names(conn, "haddad") == []
        finally:
            conn.close()


async def test_the_migration_indexes_what_was_stored_before(tmp_path: Path) -> None:
    settings = load_settings({"FEDI_DOMAIN": "fedi.test", "FEDI_DATA_DIR": str(tmp_path)})
    async with open_context(settings) as context:
        await add_member(context, "amal", "amal-password")
        await update_profile(context, "amal", display_name="Amal Haddad")
        kept = await post_status(context, "amal", "Detention visit report")
        poll = PollRequest(options=("Tribunal", "Hearing"), expires_in=3600)
        voted = await post_status(context, "amal", "Where next?", poll=poll)
    conn = sqlite3.connect(settings.database_path, isolation_level=None)
    try:
        # The database as it was before migration 0036.
        for statement in (
            "DROP TABLE status_search", "DROP TABLE account_search",
            "DROP TRIGGER status_search_removed", "DROP TRIGGER account_search_made",
            "DROP TRIGGER account_search_renamed", "DROP TRIGGER account_search_removed",
            "DELETE FROM schema_migrations WHERE version = 36",
        ):  # fmt: skip
            conn.execute(statement)
        assert apply_migrations(conn) == ["0036_search"]
        assert found(conn, "visit report") == [kept.id]
        assert found(conn, "tribunal") == [voted.id]
        assert names(conn, "hadd") == names(conn, "ama") == ["amal"]
    finally:
        conn.close()
