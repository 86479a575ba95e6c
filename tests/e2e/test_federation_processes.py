"""Two servers started with `fedi serve`, as an operator starts them, federate on their own: the
background workers of the running processes deliver a follow and a post between them."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_server import Server
from tests.testrig.processes import fedi_environment, wait_until
from tests.testrig.serving import free_port

FEDI = str(Path(sys.executable).parent / "fedi")
pytestmark = pytest.mark.e2e


def fedi(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([FEDI, *args], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def get_json(url: str) -> Any:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def test_two_running_servers_deliver_a_follow_and_a_post(tmp_path: Path) -> None:
    ports = free_port(reserve=False), free_port(reserve=False)
    envs = [
        fedi_environment(
            {
                "FEDI_DOMAIN": f"127.0.0.1:{port}",
                "FEDI_SCHEME": "http",
                "FEDI_DATA_DIR": str(tmp_path / name),
                "FEDI_ALLOW_PRIVATE_NETWORKS": "true",
            }
        )
        for name, port in zip(("a", "b"), ports, strict=True)
    ]
    fedi(envs[0], "user", "add", "alice", "--password", "alice-password")
    fedi(envs[1], "user", "add", "bob", "--password", "bob-password")
    servers = [
        Server([FEDI, "serve", "--port", str(port)], tmp_path, env)
        for port, env in zip(ports, envs, strict=True)
    ]
    try:
        for server in servers:
            server.wait_for(r"Application startup complete")
        fedi(envs[1], "follow", "bob", f"@alice@127.0.0.1:{ports[0]}")

        def followers() -> int:
            url = f"http://127.0.0.1:{ports[0]}/users/alice/followers"
            request = urllib.request.Request(url, headers={"Accept": "application/activity+json"})
            with urllib.request.urlopen(request, timeout=5) as response:
                return int(json.load(response)["totalItems"])

        wait_until(lambda: followers() == 1)
        fedi(envs[0], "post", "alice", "Hello from a running server")

        api = f"http://127.0.0.1:{ports[1]}/api/v1/accounts"
        alice = get_json(f"{api}/lookup?acct=alice@127.0.0.1:{ports[0]}")

        def received() -> bool:
            statuses = get_json(f"{api}/{alice['id']}/statuses")
            return "<p>Hello from a running server</p>" in [s["content"] for s in statuses]

        wait_until(received)
    finally:
        for server in servers:
            assert server.stop() == 0
