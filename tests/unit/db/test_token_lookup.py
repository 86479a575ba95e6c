"""A bearer token, its app and its member are read in one statement: a live token gives its
member; a revoked one, or one whose member is suspended or not approved, gives nothing at once;
a token of an app alone (no member) gives the app."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from bench.seed import Seeded, bench_settings
from fedi.accounts.oauth import digest
from fedi.context import open_context
from fedi.core.ids import new_id
from fedi.core.timeutil import to_db, utcnow
from fedi.db import oauth
from tests.unit.db.conftest import DOMAIN


async def test_tokens_answer_their_member_state_at_once(
    network: tuple[Path, Seeded], tmp_path: Path
) -> None:
    seeded = network[1]
    data = tmp_path / "data"
    shutil.copytree(network[0], data)
    heavy, other = (digest(seeded.tokens[name]) for name in ("m0000", "m0001"))
    app_only = digest("an app's own token")
    async with open_context(bench_settings(data, DOMAIN)) as context:

        async def lookup(token_hash: str) -> oauth.Token | None:
            async with context.db.read_now() as conn:
                return await oauth.token_by_hash(conn, token_hash)

        found = await lookup(heavy)
        assert found is not None and found.user is not None
        assert found.user.account.id == seeded.members[0] and found.app.name == "bench"
        assert found.scopes == ("read", "write", "follow")
        now = to_db(utcnow())

        def change(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE accounts SET suspended_at = ? WHERE id = ?", (now, seeded.members[0])
            )
            conn.execute(
                "UPDATE users SET is_approved = 0 WHERE account_id = ?", (seeded.members[1],)
            )
            oauth.insert_token(
                conn, token_id=new_id(), token_hash=app_only, refresh_hash=None,
                app_id=found.app.id, account_id=None, scopes=("read",), now=now,
            )  # fmt: skip

        await context.db.write(change)
        assert await lookup(heavy) is None
        assert await lookup(other) is None
        alone = await lookup(app_only)
        assert alone is not None and alone.user is None and alone.app == found.app

        def restore(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE accounts SET suspended_at = NULL WHERE id = ?", (seeded.members[0],)
            )
            oauth.revoke(conn, app_only, found.app.id, now)

        await context.db.write(restore)
        back = await lookup(heavy)
        assert back is not None and back.user == found.user
        assert await lookup(app_only) is None
