"""Development instances: one per port (the domain localhost:PORT is part of every id), and
`fedi --dev-port PORT ...` (what `./dev fedi` runs) acting on the one `fedi dev --port PORT`
serves."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fedi.cli.server import dev_data_dir, dev_settings

FEDI = str(Path(sys.executable).parent / "fedi")


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FEDI_")}
    return subprocess.run(
        [FEDI, *args], cwd=cwd, env=clean, capture_output=True, text=True, timeout=120
    )


def test_each_port_has_its_own_data_and_domain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in [k for k in os.environ if k.startswith("FEDI_")]:
        monkeypatch.delenv(name)
    usual, other = dev_settings(8000, None), dev_settings(8001, None)
    assert usual.data_dir == tmp_path / "data-dev" == dev_data_dir(8000)
    assert other.data_dir == tmp_path / "data-dev-8001"
    assert (usual.domain, other.domain) == ("localhost:8000", "localhost:8001")
    assert other.base_url == "http://localhost:8001"


# The development set-up keeps its rows in the SQLite file of each port's data directory; on
# PostgreSQL they are in FEDI_DATABASE_URL's database, whatever the port.
@pytest.mark.sqlite_only
def test_commands_reach_the_development_instance_of_a_port(tmp_path: Path) -> None:
    added = run(tmp_path, "--dev-port", "8001", "user", "add", "carol", "--password",
                "carols-password")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert (tmp_path / "data-dev-8001" / "fedi.sqlite3").exists()
    assert not (tmp_path / "data-dev").exists()
    listed = run(tmp_path, "--dev-port", "8001", "user", "list")
    assert listed.returncode == 0 and "carol" in listed.stdout
    other = run(tmp_path, "--dev-port", "8000", "user", "list")
    assert other.returncode == 0 and "carol" not in other.stdout
