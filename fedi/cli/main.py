"""The operator's command line: `fedi serve`, `fedi migrate`, `fedi user ...` and `fedi dev`.

Every failure an operator can cause (a bad setting, a used port, an unwritable directory, an
unknown member) ends with one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import getpass
import logging
import os
import secrets
import signal
import socket
import sys
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import uvicorn

from fedi import __version__
from fedi.accounts.members import (
    MemberError,
    add_member,
    approve_member,
    get_member,
    list_members,
    reject_member,
    set_password,
)
from fedi.accounts.members import set_suspended as set_member_suspended
from fedi.cli.domains import add_parser as add_domains_parser
from fedi.cli.domains import command_domains
from fedi.cli.groups import add_parser as add_group_parser
from fedi.cli.groups import command_group
from fedi.config import ConfigError, Settings, load_settings
from fedi.context import Context, StartupError, open_context
from fedi.core.models import ROLES
from fedi.db import DatabaseError
from fedi.federation.remote_accounts import ActorError
from fedi.groups.groups import GroupError
from fedi.moderation.blocklist_format import BlocklistError
from fedi.moderation.domain_rules import DomainRuleError
from fedi.moderation.roles import change_role
from fedi.relationships.relationships import follow, unfollow
from fedi.statuses.posting import VISIBILITIES, PostError, post_status
from fedi.transport.keystore import KeyStoreError

T = TypeVar("T")
EXIT_USAGE = 2
EXIT_FAILURE = 1
OPERATOR_ERRORS = (
    ConfigError, StartupError, DatabaseError, KeyStoreError, MemberError, PostError, ActorError,
    GroupError, DomainRuleError, BlocklistError,
)  # fmt: skip
DEV_ACCOUNT = "admin"
DEV_PORT = 8000
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class CommandError(Exception):
    """A command cannot go on; the message is printed as it is."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fedi", description="A federated ActivityPub server.")
    parser.add_argument("--version", action="version", version=f"fedi {__version__}")
    parser.add_argument("--config", type=Path, help="TOML settings file (or FEDI_CONFIG)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the server")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000)")

    dev = commands.add_parser("dev", help="run a local development server with a ready account")
    dev.add_argument("--port", type=int, default=None, help=f"port (default {DEV_PORT})")

    commands.add_parser("migrate", help="apply pending database migrations")

    user = commands.add_parser("user", help="manage members").add_subparsers(
        dest="user_command", required=True, metavar="ACTION"
    )
    add = user.add_parser("add", help="create a member")
    add.add_argument("name")
    add.add_argument("--password", help="the password (asked for when omitted)")
    add.add_argument("--role", choices=ROLES, default="member")
    user.add_parser("list", help="list members")
    for action, text in (("suspend", "suspend a member"), ("unsuspend", "lift a suspension"),
                         ("approve", "let a member who signed up sign in"),
                         ("reject", "refuse a sign-up awaiting approval")):  # fmt: skip
        user.add_parser(action, help=text).add_argument("name")
    role = user.add_parser("role", help="change a member's role")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    set_pw = user.add_parser("set-password", help="change a member's password")
    set_pw.add_argument("name")
    set_pw.add_argument("--password", help="the new password (asked for when omitted)")

    add_group_parser(commands)
    add_domains_parser(commands)

    post = commands.add_parser("post", help="publish a post as a member")
    post.add_argument("name", help="the member posting")
    post.add_argument("text")
    post.add_argument("--visibility", choices=VISIBILITIES, default="public")
    post.add_argument("--spoiler", default="", help="content warning")
    post.add_argument("--reply-to", type=int, help="id of the post answered")
    for action, text in (("follow", "follow an account (@name@server)"),
                         ("unfollow", "stop following an account")):  # fmt: skip
        relation = commands.add_parser(action, help=text)
        relation.add_argument("name", help="the member")
        relation.add_argument("handle", help="@name@server.example")
    return parser


def read_password(given: str | None) -> str:
    if given is not None:
        return given
    if not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise CommandError("no password given: pass --password or type it on standard input")
        return line
    first = getpass.getpass("New password: ")
    if first != getpass.getpass("Repeat it: "):
        raise CommandError("the two passwords differ")
    return first


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


def run_server(main: Coroutine[Any, Any, None]) -> None:
    """Run the server on uvloop when it is installed (it is, with uvicorn[standard])."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main)


def with_context(settings: Settings, action: Callable[[Context], Awaitable[T]]) -> T:
    async def run() -> T:
        async with open_context(settings) as context:
            return await action(context)

    return asyncio.run(run())


def command_serve(args: argparse.Namespace, settings: Settings) -> None:
    host = args.host or settings.listen_host
    port = args.port if args.port is not None else settings.listen_port
    sock = bind_socket(host, port)

    def banner(context: Context) -> None:
        print(f"fedi {__version__}: {settings.base_url} listening on http://{host}:{port}/",
              flush=True)  # fmt: skip

    run_server(serve(settings, sock, banner))


def dev_settings(args: argparse.Namespace) -> Settings:
    """Development defaults (http on loopback, ./data-dev), under any FEDI_* the user set."""
    port = args.port or int(os.environ.get("FEDI_LISTEN_PORT", DEV_PORT))
    environ = {
        "FEDI_DOMAIN": f"localhost:{port}",
        "FEDI_SCHEME": "http",
        "FEDI_DATA_DIR": str(Path("data-dev").absolute()),
        "FEDI_REGISTRATIONS": "open",
        "FEDI_INSTANCE_TITLE": "fedi (development)",
        "FEDI_LISTEN_HOST": "127.0.0.1",
        "FEDI_LISTEN_PORT": str(port),
    }
    environ.update(os.environ)
    return load_settings(environ, args.config)


def command_dev(args: argparse.Namespace) -> None:
    settings = dev_settings(args)
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


def command_user(args: argparse.Namespace, settings: Settings) -> None:
    action = args.user_command
    if action == "add":
        password = read_password(args.password)
        user = with_context(settings, lambda c: add_member(c, args.name, password, args.role))
        print(f"created {user.role} {user.account.username}: {user.account.uri}")
    elif action == "list":
        users = with_context(settings, list_members)
        print(f"{'USERNAME':<30} {'ROLE':<10} {'STATUS':<10} {'PENDING':<8} CREATED")
        for user in users:
            status = "suspended" if user.account.is_suspended else "active"
            pending = "no" if user.is_approved else "yes"
            created = user.created_at.strftime("%Y-%m-%d")
            name = user.account.username
            print(f"{name:<30} {user.role:<10} {status:<10} {pending:<8} {created}")
    elif action == "approve":
        with_context(settings, lambda c: approve_member(c, args.name))
        print(f"{args.name} is approved and can sign in")
    elif action == "reject":
        with_context(settings, lambda c: reject_member(c, args.name))
        print(f"the sign-up of {args.name} was rejected and deleted")
    elif action in ("suspend", "unsuspend"):
        suspend = action == "suspend"
        with_context(settings, lambda c: set_member_suspended(c, args.name, suspend))
        print(f"{args.name} is {'suspended' if suspend else 'no longer suspended'}")
    elif action == "role":
        with_context(settings, lambda c: change_role(c, None, args.name, args.role))
        print(f"{args.name} is now {args.role}")
    elif action == "set-password":
        password = read_password(args.password)
        with_context(settings, lambda c: set_password(c, args.name, password))
        print(f"the password of {args.name} was changed")


def command_post(args: argparse.Namespace, settings: Settings) -> None:
    status = with_context(
        settings,
        lambda c: post_status(
            c, args.name, args.text, args.visibility, args.spoiler, in_reply_to_id=args.reply_to
        ),
    )
    print(f"posted {status.id} ({status.visibility}): {status.url}")


def command_relation(args: argparse.Namespace, settings: Settings) -> None:
    if args.command == "follow":
        state = with_context(settings, lambda c: follow(c, args.name, args.handle))
        print(
            f"{args.name} follows {args.handle}" + (" (request sent)" if state == "pending" else "")
        )
    else:
        with_context(settings, lambda c: unfollow(c, args.name, args.handle))
        print(f"{args.name} no longer follows {args.handle}")


def run(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "dev":
        command_dev(args)
        return 0
    settings = load_settings(config_file=args.config)
    if args.command == "serve":
        command_serve(args, settings)
    elif args.command == "migrate":
        command_migrate(settings)
    elif args.command == "user":
        command_user(args, settings)
    elif args.command == "group":
        command_group(args, settings, with_context)
    elif args.command == "domains":
        command_domains(args, settings, with_context)
    elif args.command == "post":
        command_post(args, settings)
    elif args.command in ("follow", "unfollow"):
        command_relation(args, settings)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(argv)
    except ConfigError as exc:
        print(f"fedi: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (CommandError, *OPERATOR_ERRORS) as exc:
        print(f"fedi: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last line of defence: one line, never a traceback
        print(f"fedi: unexpected error ({type(exc).__name__}): {exc}", file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
