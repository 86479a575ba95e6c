"""The operator's command line, run as an operator runs it: a subprocess with its own environment.
Every mistake ends in one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fedi.accounts.members import get_member
from fedi.accounts.passwords import verify_password
from fedi.context import open_context
from fedi.core.config import load_settings
from fedi.db import users
from fedi.db.migrate import available_migrations
from tests.testrig import postgres
from tests.testrig.processes import fedi_environment

FEDI = str(Path(sys.executable).parent / "fedi")


def run(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FEDI, *args], env=fedi_environment(env), input=stdin, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip


def assert_one_line_error(result: subprocess.CompletedProcess[str], text: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert text in lines[0]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"FEDI_DOMAIN": "cli.test", "FEDI_DATA_DIR": str(tmp_path / "data")}


def test_missing_domain(tmp_path: Path) -> None:
    result = run({"FEDI_DATA_DIR": str(tmp_path)}, "migrate")
    assert_one_line_error(result, "FEDI_DOMAIN is not set")
    assert result.returncode == 2


@pytest.mark.parametrize(
    ("name", "value", "text"),
    [
        ("FEDI_DOMAIN", "https://cli.test/", "FEDI_DOMAIN must be a host name"),
        ("FEDI_SCHEME", "gopher", "FEDI_SCHEME must be https or http"),
        ("FEDI_REGISTRATIONS", "yes", "FEDI_REGISTRATIONS must be one of"),
        ("FEDI_LISTEN_PORT", "eighty", "FEDI_LISTEN_PORT must be a port number"),
        ("FEDI_ALLOW_PRIVATE_NETWORKS", "perhaps", "must be true or false"),
        ("FEDI_SMTP_SECURITY", "ssl", "FEDI_SMTP_SECURITY must be one of none, starttls, tls"),
        ("FEDI_SMTP_PORT", "submission", "FEDI_SMTP_PORT must be a port number"),
    ],
)
def test_wrong_setting(env: dict[str, str], name: str, value: str, text: str) -> None:
    assert_one_line_error(run(env | {name: value}, "serve"), text)


def test_missing_config_file(env: dict[str, str], tmp_path: Path) -> None:
    result = run(env, "--config", str(tmp_path / "nope.toml"), "migrate")
    assert_one_line_error(result, "does not exist")


def test_data_dir_that_is_a_file(env: dict[str, str], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run(env | {"FEDI_DATA_DIR": str(blocker / "data")}, "migrate")
    assert_one_line_error(result, "is not a directory")


def test_unwritable_data_dir(env: dict[str, str], tmp_path: Path) -> None:
    if os.geteuid() == 0:  # root writes anywhere a mode allows: use a kernel file system instead
        target = "/sys/fedi-test-data"
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        target = str(locked / "data")
    result = run(env | {"FEDI_DATA_DIR": target}, "migrate")
    assert_one_line_error(result, "is not writable")


def test_port_in_use(env: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run(env, "serve", "--port", str(port))
    assert_one_line_error(result, f"port {port} on 127.0.0.1 is already in use")


def test_invalid_port_argument(env: dict[str, str]) -> None:
    assert_one_line_error(run(env, "serve", "--port", "70000"), "not a valid port")


@pytest.fixture
def unmigrated_env(
    env: dict[str, str], postgres_databases: postgres.Databases | None
) -> Iterator[dict[str, str]]:
    """env on a database with no tables yet: on PostgreSQL an empty one, where an instance's
    own database would be a copy of the migrated template."""
    if postgres_databases is None:
        yield env
        return
    with postgres.empty_database(postgres_databases.admin_url) as url:
        yield env | {"FEDI_DATABASE_URL": url}


def test_migrate_twice(unmigrated_env: dict[str, str]) -> None:
    env = unmigrated_env
    first = run(env, "migrate")
    assert first.returncode == 0, first.stderr
    names = [f"{m.version:04d}_{m.name}" for m in available_migrations()]
    assert f"applied {len(names)} migration(s): {', '.join(names)}" in first.stdout
    second = run(env, "migrate")
    assert second.returncode == 0
    assert second.stdout.strip() == "the database is up to date"


def test_domain_cannot_change_under_an_existing_database(env: dict[str, str]) -> None:
    assert run(env, "migrate").returncode == 0
    result = run(env | {"FEDI_DOMAIN": "other.test"}, "migrate")
    assert_one_line_error(result, "belongs to https://cli.test")


def test_user_lifecycle(env: dict[str, str]) -> None:
    added = run(env, "user", "add", "alice", "--password", "first-password", "--role", "moderator")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "created moderator alice: https://cli.test/users/alice"
    run(env, "user", "add", "bob", "--password", "bobs-password")

    listed = run(env, "user", "list").stdout.splitlines()
    assert listed[0].split() == ["USERNAME", "ROLE", "STATUS", "PENDING", "CREATED"]
    assert listed[1].split()[:4] == ["alice", "moderator", "active", "no"]
    assert listed[2].split()[:4] == ["bob", "member", "active", "no"]

    assert run(env, "user", "suspend", "bob").stdout.strip() == "bob is suspended"
    assert run(env, "user", "list").stdout.splitlines()[2].split()[2] == "suspended"
    assert_one_line_error(run(env, "user", "suspend", "bob"), "already suspended")
    assert run(env, "user", "unsuspend", "bob").returncode == 0
    assert_one_line_error(run(env, "user", "unsuspend", "bob"), "is not suspended")

    changed = run(env, "user", "set-password", "alice", stdin="second-password\n")
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.strip() == "the password of alice was changed"


def test_set_password_takes_effect(env: dict[str, str]) -> None:
    run(env, "user", "add", "alice", "--password", "first-password")
    assert (
        run(env, "user", "set-password", "alice", "--password", "second-password").returncode == 0
    )

    async def stored_hash() -> str | None:
        async with open_context(load_settings(env)) as context:
            member = await get_member(context, "alice")
            async with context.db.read() as conn:
                return await users.get_password_hash(conn, member.account.id)

    hashed = asyncio.run(stored_hash())
    assert hashed is not None
    assert verify_password("second-password", hashed)
    assert not verify_password("first-password", hashed)


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (("user", "add", "bad name", "--password", "long-enough"), "invalid username"),
        (("user", "add", "alice", "--password", "short"), "at least 8 characters"),
        (("user", "suspend", "nobody"), "no member is called 'nobody'"),
        (("user", "set-password", "nobody", "--password", "long-enough"), "no member is called"),
        (("user", "approve", "nobody"), "no member is called 'nobody'"),
        (("user", "reject", "nobody"), "no member is called 'nobody'"),
    ],
)
def test_user_mistakes(env: dict[str, str], args: tuple[str, ...], text: str) -> None:
    assert_one_line_error(run(env, *args), text)


def test_add_taken_username(env: dict[str, str]) -> None:
    run(env, "user", "add", "alice", "--password", "long-enough")
    assert_one_line_error(run(env, "user", "add", "ALICE", "--password", "long-enough"), "taken")


def test_add_without_password_on_a_pipe(env: dict[str, str]) -> None:
    assert_one_line_error(run(env, "user", "add", "alice", stdin=""), "no password given")


def test_post_and_follow_as_a_member(env: dict[str, str]) -> None:
    run(env, "user", "add", "alice", "--password", "long-enough")
    posted = run(env, "post", "alice", "Hello from the command line", "--visibility", "unlisted")
    assert posted.returncode == 0, posted.stderr
    assert (
        posted.stdout.startswith("posted ")
        and "(unlisted): https://cli.test/@alice/" in posted.stdout
    )
    status_id = posted.stdout.split()[1]
    reply = run(env, "post", "alice", "And a reply", "--reply-to", status_id)
    assert reply.returncode == 0, reply.stderr
    assert_one_line_error(run(env, "post", "alice", ""), "Text can't be blank")
    assert_one_line_error(run(env, "post", "nobody", "hi"), "no member is called")
    assert_one_line_error(run(env, "post", "alice", "x", "--reply-to", "5"), "does not exist")
    assert_one_line_error(run(env, "follow", "alice", "not-a-handle"), "is not a handle")
    # Nothing listens on bad.invalid: the lookup fails with one line, not a traceback.
    assert_one_line_error(run(env, "follow", "alice", "@bob@bad.invalid"), "WebFinger")


def test_group_add_and_list(env: dict[str, str]) -> None:
    assert run(env, "user", "add", "olga", "--password", "a long enough password").returncode == 0
    created = run(env, "group", "add", "casework", "--private", "--owner", "olga")
    assert created.returncode == 0, created.stderr
    assert "created private group casework: https://cli.test/users/casework" in created.stdout
    local = run(env, "group", "add", "shelter", "--local-only", "--owner", "olga")
    assert "created local-only group shelter" in local.stdout
    listed = run(env, "group", "list")
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["GROUP", "KIND", "MEMBERS", "CREATED"]
    assert lines[1].split()[:3] == ["casework", "private", "0"]
    assert lines[2].split()[:3] == ["shelter", "local-only", "0"]


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (("group", "add", "casework", "--owner", "nobody"), "no member is called"),
        (("group", "add", "bad name", "--owner", "olga"), "invalid username"),
        (("group", "add", "olga", "--owner", "olga"), "already taken"),
    ],
)
def test_group_add_mistakes_are_one_line(
    env: dict[str, str], args: tuple[str, ...], text: str
) -> None:
    assert run(env, "user", "add", "olga", "--password", "a long enough password").returncode == 0
    assert_one_line_error(run(env, *args), text)
