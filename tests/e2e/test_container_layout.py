"""No Docker engine runs here, so the image is checked the next best way: the files its COPY lines
take are enough to run the server under its own environment, its HEALTHCHECK command passes
against that server, and it runs as a non-root user with its state in the volume."""

from __future__ import annotations

import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.testrig.processes import fedi_environment
from tests.testrig.serving import free_port

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()

pytestmark = pytest.mark.e2e


def instructions(name: str) -> list[str]:
    joined = DOCKERFILE.replace("\\\n", " ")
    return [m[1].strip() for m in re.finditer(rf"^{name}\s+(.*)$", joined, re.MULTILINE)]


def image_environment() -> dict[str, str]:
    env: dict[str, str] = {}
    for line in instructions("ENV"):
        for pair in shlex.split(line):
            key, _, value = pair.partition("=")
            env[key] = value
    return env


def test_image_is_slim_non_root_with_a_data_volume() -> None:
    assert instructions("FROM")[0].endswith("-slim")
    users = instructions("USER")
    assert users and users[-1] not in ("root", "0")
    assert instructions("VOLUME") == ['["/data"]']
    assert image_environment()["FEDI_DATA_DIR"] == "/data"
    assert instructions("ENTRYPOINT") == ['["fedi"]']
    assert instructions("CMD") == ['["serve"]']
    assert "/health" in instructions("HEALTHCHECK")[0]


def test_copied_files_run_the_server_and_pass_the_healthcheck(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    for line in instructions("COPY"):
        *sources, _ = line.split()
        for source in sources:
            origin = ROOT / source
            assert origin.exists(), f"COPY names {source}, which does not exist"
            if origin.is_dir():
                shutil.copytree(origin, app / source, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy(origin, app / source)
    port = free_port(reserve=False)
    env = fedi_environment(
        image_environment()
        | {
            "FEDI_DATA_DIR": str(tmp_path / "data"),
            "FEDI_LISTEN_HOST": "127.0.0.1",
            "FEDI_LISTEN_PORT": str(port),
            "FEDI_DOMAIN": "container.test",
            "PYTHONPATH": str(app),
        }
    )
    server = subprocess.Popen(
        [sys.executable, "-c", "import sys; from fedi.cli.main import main; sys.exit(main())",
         "serve"],
        cwd=app, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    healthcheck = instructions("HEALTHCHECK")[0].split(" CMD ", 1)[1]
    try:
        deadline = time.monotonic() + 30
        while True:
            probe = subprocess.run(
                shlex.split(healthcheck.replace("python", sys.executable, 1)),
                env=env, capture_output=True, text=True, timeout=10,
            )  # fmt: skip
            if probe.returncode == 0:
                break
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, probe.stderr
            time.sleep(0.3)
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=20) == 0
        if server.stderr:
            server.stderr.close()
