"""`fedi serve`, `fedi dev` and `fedi migrate`: the instance as a server, the development set-up
with a ready account, and the schema brought up to date."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import gc
import os
import secrets
import signal
import socket
import threading
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import uvicorn

from fedi import __version__
from fedi.accounts.members import MemberError, add_member, get_member
from fedi.cli.base import CommandError, with_context
from fedi.context import Context, open_context
from fedi.core.config import Settings, load_settings

DEV_ACCOUNT = "admin"
DEV_PORT = 8000
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def bind_socket(host: str, port: int) -> socket.socket:
    if not 0 < port < 65536:
        raise CommandError(f"port {port} is not a valid port number (1-65535)")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        raise CommandError(f"cannot listen on {host}: not a known address") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise CommandError(
                f"port {port} on {host} is already in use; choose another with --port"
            ) from None
        if exc.errno == errno.EACCES:
            raise CommandError(f"not allowed to listen on port {port} on {host}") from None
        raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


class GracefulServer(uvicorn.Server):
    """uvicorn re-raises SIGINT/SIGTERM once it has drained requests, which would interrupt the
    closing of the database. Here a signal only asks the server to stop; the CLI then closes the
    instance and exits 0, which is what `docker stop` and systemd expect. `before_shutdown` ends
    the live streams first: uvicorn waits for open responses, and a stream never ends alone."""

    def __init__(
        self, config: uvicorn.Config, before_shutdown: Callable[[], None] = lambda: None
    ) -> None:
        super().__init__(config)
        self.before_shutdown = before_shutdown

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()  # no new stream can open once the open ones are ended
        self.before_shutdown()
        await super().shutdown(sockets)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


async def serve(settings: Settings, sock: socket.socket, banner: Callable[[Context], None]) -> None:
    from fedi.app import create_app

    async with open_context(settings) as context:
        app = create_app(settings, context)
        freeze_startup_objects()
        # No access log: visitors' addresses are not written down (our members' safety), and
        # it costs more CPU than the request itself on a busy inbox.
        config = uvicorn.Config(
            app,
            lifespan="on",
            log_level="info",
            server_header=False,
            proxy_headers=True,
            access_log=False,
        )
        server = GracefulServer(config, context.streams.close_all)
        banner(context)
        await server.serve(sockets=[sock])


def freeze_startup_objects() -> None:
    """What exists once the application is built lives as long as the server: moved out of the
    garbage collector's way (gc.freeze), a full collection walks only what requests make, which
    keeps it from stalling requests (the p99 latency of a busy inbox)."""
    gc.collect()
    gc.freeze()


def run_server(main: Coroutine[Any, Any, None]) -> None:
    """Run the server on uvloop when it is installed (it is, with uvicorn[standard])."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main)


def command_serve(args: argparse.Namespace, settings: Settings) -> None:
    host = args.host or settings.listen_host
    port = args.port if args.port is not None else settings.listen_port
    sock = bind_socket(host, port)

    def banner(context: Context) -> None:
        print(f"fedi {__version__}: {settings.base_url} listening on http://{host}:{port}/",
              flush=True)  # fmt: skip
        if settings.workers == "separate":
            print("the queues are left to `fedi worker` processes (workers = separate)", flush=True)

    run_server(serve(settings, sock, banner))


def dev_data_dir(port: int) -> Path:
    """Each port has its own development instance: the domain (localhost:PORT) is part of every
    id in the database, so one database cannot serve two ports. Port 8000 keeps ./data-dev."""
    return Path("data-dev" if port == DEV_PORT else f"data-dev-{port}").absolute()


def dev_settings(port: int | None, config: Path | None) -> Settings:
    """Development defaults (http on loopback, ./data-dev or ./data-dev-PORT), under any FEDI_*
    the user set."""
    port = port or int(os.environ.get("FEDI_LISTEN_PORT", DEV_PORT))
    environ = {
        "FEDI_DOMAIN": f"localhost:{port}",
        "FEDI_SCHEME": "http",
        "FEDI_DATA_DIR": str(dev_data_dir(port)),
        "FEDI_REGISTRATIONS": "open",
        "FEDI_INSTANCE_TITLE": "fedi (development)",
        "FEDI_LISTEN_HOST": "127.0.0.1",
        "FEDI_LISTEN_PORT": str(port),
    }
    environ.update(os.environ)
    return load_settings(environ, config)


def command_dev(args: argparse.Namespace) -> None:
    settings = dev_settings(args.port, args.config)
    sock = bind_socket(settings.listen_host, settings.listen_port)
    password_file = settings.data_dir / "dev-account.txt"

    async def ensure_account(context: Context) -> str:
        try:
            await get_member(context, DEV_ACCOUNT)
            return password_file.read_text(encoding="utf-8").strip()
        except MemberError:
            password = secrets.token_urlsafe(12)
            await add_member(context, DEV_ACCOUNT, password, role="admin")
            fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(password + "\n")
            return password
        except FileNotFoundError:
            raise CommandError(
                f"{password_file} is missing; set a new password with "
                f"`fedi user set-password {DEV_ACCOUNT}`"
            ) from None

    password = with_context(settings, ensure_account)

    def banner(context: Context) -> None:
        print(
            f"\nfedi {__version__} development server: {settings.base_url}/\n"
            f"  account:  {DEV_ACCOUNT}   password: {password}   (role: admin)\n"
            f"  profile:  {context.urls.profile(DEV_ACCOUNT)}\n"
            f"  data:     {settings.data_dir}\n"
            "  stop with Ctrl+C\n",
            flush=True,
        )

    run_server(serve(settings, sock, banner))


def command_migrate(settings: Settings) -> None:
    async def run(context: Context) -> tuple[str, ...]:
        return context.applied_migrations

    applied = with_context(settings, run)
    if applied:
        print(f"applied {len(applied)} migration(s): {', '.join(applied)}")
    else:
        print("the database is up to date")
