"""The full-text tables stay in step with what they index: a post's words when it is stored or
edited and none once it is gone (with its account too), the posts and accounts stored before
migration 0036 indexed by it, an account renamed found by its new name, the words of one write
batch indexed at its commit."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from fedi.accounts.members import add_member
from fedi.accounts.profiles import update_profile
from fedi.context import open_context
from fedi.core.config import load_settings
from fedi.core.ids import new_id
from fedi.core.models import NewStatus
from fedi.core.timeutil import to_db, utcnow
from fedi.db import connect, statuses
from fedi.db.fulltext import fold, match_of
from fedi.db.migrate import apply_migrations
from fedi.db.status_search import indexed_text
from fedi.statuses.polls import PollRequest
from fedi.statuses.posting import edit_status, post_status

# Plans and index internals of SQLite itself.
pytestmark = pytest.mark.sqlite_only


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


async def test_words_written_in_one_batch_reach_the_index_at_its_commit(tmp_path: Path) -> None:
    """Words wait in the writer's pending table until the batch commits: a post stored and gone
    in one batch leaves none, a job that fails takes its words back, the others are found."""
    settings = load_settings({"FEDI_DOMAIN": "fedi.test", "FEDI_DATA_DIR": str(tmp_path)})
    async with open_context(settings) as context:
        amal = await add_member(context, "amal", "amal-password")

        def post(words: str) -> NewStatus:
            return NewStatus(
                id=new_id(), uri=f"https://fedi.test/s/{new_id()}", url=None,
                account_id=amal.account.id, visibility="public", content=f"<p>{words}</p>",
                spoiler_text="", is_sensitive=False, language="en", is_local=True,
                created_at=to_db(utcnow()),
            )  # fmt: skip

        kept, gone, failed = post("tribunal ruling"), post("hearing moved"), post("draft appeal")

        def store_and_delete(conn: sqlite3.Connection) -> None:
            statuses.insert_status(conn, gone)
            conn.execute("DELETE FROM statuses WHERE id = ?", (gone.id,))

        def fail(conn: sqlite3.Connection) -> None:
            statuses.insert_status(conn, failed)
            raise RuntimeError("this job fails after writing its post")

        outcomes = await asyncio.gather(  # written in one turn of the loop: one batch
            context.db.write(lambda conn: statuses.insert_status(conn, kept)),
            context.db.write(store_and_delete),
            context.db.write(fail),
            return_exceptions=True,
        )
        assert outcomes[0] is None and outcomes[1] is None
        assert isinstance(outcomes[2], RuntimeError)
        conn = connect(settings.database_path)
        try:
            assert found(conn, "tribunal") == [kept.id]
            assert found(conn, "hearing") == found(conn, "appeal") == []
        finally:
            conn.close()
        # Nothing is left waiting for a later batch either.
        assert (
            await context.db.write(
                lambda conn: conn.execute(
                    "SELECT count(*) FROM temp.status_search_pending"
                ).fetchone()[0]
            )
            == 0
        )
