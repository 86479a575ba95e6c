"""`fedi user role NAME ROLE`: the operator changes a member's role; the change is audited as
the command line's."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from fedi.context import open_context
from fedi.core.config import load_settings
from fedi.db import audit_log
from tests.cli.test_cli import assert_one_line_error, run


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"FEDI_DOMAIN": "cli.test", "FEDI_DATA_DIR": str(tmp_path / "data")}


def test_role_changes_and_is_audited(env: dict[str, str]) -> None:
    run(env, "user", "add", "alice", "--password", "long-enough")
    changed = run(env, "user", "role", "alice", "moderator")
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.strip() == "alice is now moderator"
    assert run(env, "user", "list").stdout.splitlines()[1].split()[:2] == ["alice", "moderator"]
    assert_one_line_error(run(env, "user", "role", "nobody", "admin"), "no member is called")
    assert run(env, "user", "role", "alice", "king").returncode == 2

    async def logged() -> list[audit_log.AuditEntry]:
        settings = load_settings({k: v for k, v in env.items() if k.startswith("FEDI_")})
        async with open_context(settings) as context, context.db.read() as conn:
            return await audit_log.entries(conn, limit=5, action="change_role")

    [entry] = asyncio.run(logged())
    assert entry.actor_label == "command line" and entry.details == {
        "from": "member",
        "to": "moderator",
    }
