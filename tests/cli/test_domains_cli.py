"""`fedi domains ...` run as an operator runs it: block, list, unblock, allow, the federation
mode, and CSV export and import (with a dry run) in Mastodon's format; mistakes are one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_cli import assert_one_line_error, run

FIXTURE = Path(__file__).parents[1] / "testrig" / "payloads" / "mastodon" / "domain_blocks.csv"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"FEDI_DOMAIN": "cli.test", "FEDI_DATA_DIR": str(tmp_path / "data")}


def test_block_list_unblock_allow_and_mode(env: dict[str, str]) -> None:
    blocked = run(env, "domains", "block", "Evil.Example", "--severity", "silence",
                  "--reject-media", "--public-comment", "spam")  # fmt: skip
    assert blocked.returncode == 0, blocked.stderr
    assert "evil.example: silence" in blocked.stdout
    assert run(env, "domains", "allow", "friend.test").returncode == 0
    assert run(env, "domains", "mode", "allowlist").returncode == 0
    listed = run(env, "domains", "list").stdout
    assert "federation mode: allowlist" in listed
    assert "evil.example" in listed and "reject" in listed and "manual" in listed
    assert "friend.test" in listed and "allowed" in listed
    assert run(env, "domains", "unblock", "evil.example").returncode == 0
    assert run(env, "domains", "disallow", "friend.test").returncode == 0
    assert run(env, "domains", "mode", "open").returncode == 0
    listed = run(env, "domains", "list").stdout
    assert "evil.example" not in listed and "friend.test" not in listed
    assert "federation mode: open" in listed


def test_import_dry_run_import_and_export(env: dict[str, str], tmp_path: Path) -> None:
    assert run(env, "domains", "block", "noisy.test", "--severity", "suspend").returncode == 0
    dry = run(env, "domains", "import", str(FIXTURE), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "weaker   noisy.test silence (now suspend, manual)" in dry.stdout
    assert "new      spam.example suspend" in dry.stdout
    assert "spam.example" not in run(env, "domains", "list").stdout
    done = run(env, "domains", "import", str(FIXTURE))
    assert "3 new" in done.stdout and "1 weaker than a manual block skipped" in done.stdout
    listed = run(env, "domains", "list").stdout
    assert "spam.example" in listed and "import" in listed
    out = tmp_path / "out.csv"
    assert run(env, "domains", "export", str(out)).returncode == 0
    exported = out.read_text().splitlines()
    assert exported[0] == FIXTURE.read_text().splitlines()[0]
    assert "noisy.test,suspend,false,false,,false" in exported
    assert run(env, "domains", "export").stdout.splitlines() == exported


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (("domains", "block", "not a domain"), "not a valid domain name"),
        (("domains", "block", "cli.test"), "own domain"),
        (("domains", "unblock", "never.test"), "is not blocked"),
        (("domains", "disallow", "never.test"), "not in the allowed domains"),
        (("domains", "import", "/no/such/file.csv"), "cannot read"),
    ],
)
def test_mistakes_are_one_line(env: dict[str, str], args: tuple[str, ...], text: str) -> None:
    assert_one_line_error(run(env, *args), text)


def test_bad_csv_stores_nothing(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("#domain,#severity\ngood.test,suspend\nbad.test,obliterate\n")
    assert_one_line_error(run(env, "domains", "import", str(bad)), "line 3")
    assert "good.test" not in run(env, "domains", "list").stdout
