"""`fedi serve` stops promptly on a signal even while apps hold live streams open."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_server import FEDI, Server
from tests.testrig.processes import fedi_environment
from tests.testrig.serving import free_port

pytestmark = pytest.mark.e2e


def test_open_streams_end_when_the_server_stops(tmp_path: Path) -> None:
    port = free_port(reserve=False)
    base = f"http://127.0.0.1:{port}"
    env = fedi_environment(
        {
            "FEDI_DOMAIN": f"127.0.0.1:{port}",
            "FEDI_SCHEME": "http",
            "FEDI_DATA_DIR": str(tmp_path / "data"),
            "FEDI_PASSWORD_GRANT": "true",
        }
    )
    added = subprocess.run(
        [FEDI, "user", "add", "dana", "--password", "danas-password"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    server = Server([FEDI, "serve", "--port", str(port)], tmp_path, env)
    try:
        server.wait_for(r"Application startup complete")
        with httpx.Client(base_url=base, timeout=httpx.Timeout(10, read=30)) as http:
            oob = "urn:ietf:wg:oauth:2.0:oob"
            app = http.post("/api/v1/apps", data={"client_name": "t", "redirect_uris": oob}).json()
            token = http.post("/oauth/token", data={
                "grant_type": "password", "client_id": app["client_id"],
                "client_secret": app["client_secret"], "username": "dana",
                "password": "danas-password", "scope": "read"}).json()["access_token"]  # fmt: skip
            headers = {"Authorization": f"Bearer {token}"}
            with http.stream("GET", "/api/v1/streaming/user", headers=headers) as stream:
                lines = stream.iter_lines()
                assert next(lines) == ":)"
                started = time.monotonic()
                assert server.stop() == 0
                assert time.monotonic() - started < 10
                assert list(lines) == []  # the server ended the stream
    finally:
        if server.process.poll() is None:
            server.stop()
