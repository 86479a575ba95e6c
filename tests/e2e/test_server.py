"""The server started as a user starts it (the README's command, then `fedi serve`), walked
over TCP:
WebFinger -> actor document -> profile page."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.testrig.processes import fedi_environment
from tests.testrig.serving import free_port

ROOT = Path(__file__).resolve().parents[2]
FEDI = str(Path(sys.executable).parent / "fedi")
AP = {"Accept": "application/activity+json"}

pytestmark = pytest.mark.e2e


class Server:
    def __init__(self, args: list[str], cwd: Path, env: dict[str, str]) -> None:
        """The process's environment is this one's without its FEDI_* settings, then env's
        (which fedi_environment may have filled in)."""
        clean = {k: v for k, v in os.environ.items() if not k.startswith("FEDI_")}
        self.process = subprocess.Popen(
            args, cwd=cwd, env=clean | env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, start_new_session=True,
        )  # fmt: skip
        self.output = ""

    def wait_for(self, pattern: str, timeout: float = 120) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line and self.process.poll() is not None:
                break
            self.output += line
            found = re.search(pattern, self.output)
            if found:
                return found
        raise AssertionError(f"server did not print {pattern!r}; output:\n{self.output}")

    def stop(self) -> int:
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            raise
        finally:
            assert self.process.stdout is not None
            self.process.stdout.close()


@pytest.fixture
def readme_server(tmp_path: Path) -> Iterator[tuple[Server, int]]:
    port = free_port(reserve=False)
    server = Server([str(ROOT / "dev"), "serve", "--port", str(port)], tmp_path, {})
    yield server, port
    if server.process.poll() is None:
        server.stop()


def walk(base: str, username: str, domain: str) -> None:
    """WebFinger -> actor -> profile page, as a remote server and then a browser would."""
    with httpx.Client(timeout=10) as http:
        jrd = http.get(
            f"{base}/.well-known/webfinger", params={"resource": f"acct:{username}@{domain}"}
        )
        assert jrd.status_code == 200
        self_link = next(link for link in jrd.json()["links"] if link["rel"] == "self")
        assert self_link["type"] == "application/activity+json"
        actor = http.get(self_link["href"], headers=AP)
        assert actor.status_code == 200
        assert actor.headers["content-type"].startswith("application/activity+json")
        document = actor.json()
        assert document["id"] == self_link["href"]
        assert document["preferredUsername"] == username
        assert "BEGIN PUBLIC KEY" in document["publicKey"]["publicKeyPem"]
        page = http.get(document["url"], headers={"Accept": "text/html", "Accept-Language": "ar"})
        assert page.status_code == 200
        assert '<html lang="ar" dir="rtl">' in page.text
        assert f"@{username}@{domain}" in page.text
        assert http.get(f"{base}/health").json() == {"status": "ok"}


def sign_in(base: str, username: str, password: str) -> None:
    """The printed account signs in on the web."""
    with httpx.Client(base_url=base, timeout=10) as browser:
        form = browser.get("/auth/sign_in", headers={"Accept": "text/html"})
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token
        signed_in = browser.post(
            "/auth/sign_in",
            data={"csrf_token": token[1], "username": username, "password": password},
        )
        assert signed_in.status_code == 303
        front = browser.get("/?lang=en", headers={"Accept": "text/html"})
        assert front.status_code == 302 and front.headers["location"] == "/home?lang=en"
        home = browser.get("/home?lang=en", headers={"Accept": "text/html"})
        assert f'Signed in as <bdi dir="ltr">@{username}</bdi>' in home.text
        assert "Create an account" not in home.text


# The README's command is `./dev serve`, whose instance keeps its rows in the SQLite file of its
# data directory (checked below).
@pytest.mark.sqlite_only
def test_readme_command_serves_a_ready_account(
    readme_server: tuple[Server, int], tmp_path: Path
) -> None:
    server, port = readme_server
    banner = server.wait_for(r"account:\s+(\w+)\s+password:\s+(\S+)")
    url = server.wait_for(r"(http://localhost:\d+)/\n")[1]
    assert url == f"http://localhost:{port}"
    username, password = banner[1], banner[2]
    server.wait_for(r"Uvicorn running|Application startup complete")
    walk(url, username, f"localhost:{port}")
    sign_in(url, username, password)
    data = "data-dev" if port == 8000 else f"data-dev-{port}"  # one instance per port
    assert (tmp_path / data / "fedi.sqlite3").exists()
    assert len(password) >= 12
    assert server.stop() == 0


def test_fedi_serve_with_environment_settings(tmp_path: Path) -> None:
    port = free_port(reserve=False)
    env = fedi_environment(
        {
            "FEDI_DOMAIN": f"127.0.0.1:{port}",
            "FEDI_SCHEME": "http",
            "FEDI_DATA_DIR": str(tmp_path / "data"),
        }
    )
    added = subprocess.run(
        [FEDI, "user", "add", "carol", "--password", "carols-password"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    server = Server([FEDI, "serve", "--port", str(port)], tmp_path, env)
    try:
        server.wait_for(r"Application startup complete")
        walk(f"http://127.0.0.1:{port}", "carol", f"127.0.0.1:{port}")
        second = subprocess.run(
            [FEDI, "serve", "--port", str(port)], env=env, capture_output=True, text=True,
            timeout=60,
        )  # fmt: skip
        assert second.returncode == 1
        assert second.stderr.strip() == (
            f"fedi: error: port {port} on 127.0.0.1 is already in use; choose another with --port"
        )
    finally:
        assert server.stop() == 0
