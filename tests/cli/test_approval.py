"""Approving and rejecting sign-ups from the command line, as an operator does."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from fedi.accounts.members import MemberError, get_member
from fedi.accounts.registrations import SignUp, register
from fedi.context import open_context
from fedi.core.config import load_settings
from tests.cli.test_cli import assert_one_line_error, run


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"FEDI_DOMAIN": "cli.test", "FEDI_DATA_DIR": str(tmp_path / "data")}


def sign_up(env: dict[str, str], username: str) -> None:
    async def go() -> None:
        settings = load_settings(env | {"FEDI_REGISTRATIONS": "approval"})
        async with open_context(settings) as context:
            email = f"{username}@example.org"
            await register(context, SignUp(username, email, "long-enough", agreement=True))

    asyncio.run(go())


def pending_column(env: dict[str, str], username: str) -> str:
    for line in run(env, "user", "list").stdout.splitlines()[1:]:
        if line.split()[0] == username:
            return line.split()[3]
    raise AssertionError(f"{username} is not listed")


def test_a_sign_up_waits_until_approved(env: dict[str, str]) -> None:
    run(env, "user", "add", "alice", "--password", "long-enough")
    sign_up(env, "carol")
    assert pending_column(env, "carol") == "yes"
    assert pending_column(env, "alice") == "no"
    approved = run(env, "user", "approve", "carol")
    assert approved.returncode == 0, approved.stderr
    assert approved.stdout.strip() == "carol is approved and can sign in"
    assert pending_column(env, "carol") == "no"
    assert_one_line_error(run(env, "user", "approve", "carol"), "not waiting for approval")
    assert_one_line_error(run(env, "user", "reject", "alice"), "not waiting for approval")


def test_a_rejected_sign_up_is_deleted_and_its_name_freed(env: dict[str, str]) -> None:
    sign_up(env, "dave")
    rejected = run(env, "user", "reject", "dave")
    assert rejected.returncode == 0, rejected.stderr
    assert "dave" not in run(env, "user", "list").stdout

    async def gone() -> str:
        async with open_context(load_settings(env)) as context:
            try:
                await get_member(context, "dave")
            except MemberError as exc:
                return str(exc)
        return ""

    assert "no member is called 'dave'" in asyncio.run(gone())
    sign_up(env, "dave")  # the username and the e-mail address are free again
    assert pending_column(env, "dave") == "yes"
