"""The operator's command line: its parser and dispatch; each family of commands has its module.

Every failure an operator can cause (a bad setting, a used port, an unwritable directory, an
unknown member) ends with one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from fedi import __version__
from fedi.accounts.members import MemberError
from fedi.cli.base import CommandError, with_context
from fedi.cli.database import add_parser as add_database_parser
from fedi.cli.database import command_db
from fedi.cli.domains import add_parser as add_domains_parser
from fedi.cli.domains import command_domains
from fedi.cli.groups import add_parser as add_group_parser
from fedi.cli.groups import command_group
from fedi.cli.members import add_parsers as add_member_parsers
from fedi.cli.members import command_post, command_relation, command_user
from fedi.cli.server import DEV_PORT, command_dev, command_migrate, command_serve, dev_settings
from fedi.cli.vendor import add_parser as add_vendor_parser
from fedi.cli.vendor import command_vendor
from fedi.cli.worker import add_parser as add_worker_parser
from fedi.cli.worker import command_worker
from fedi.context import StartupError
from fedi.core.config import ConfigError, load_settings
from fedi.db import DatabaseError
from fedi.federation.remote_accounts import ActorError
from fedi.groups.groups import GroupError
from fedi.moderation.blocklist_format import BlocklistError
from fedi.moderation.domain_rules import DomainRuleError
from fedi.statuses.posting import PostError
from fedi.transport.keystore import KeyStoreError
from fedi.web.vendor import VendorError

EXIT_USAGE = 2
EXIT_FAILURE = 1
OPERATOR_ERRORS = (
    ConfigError, StartupError, DatabaseError, KeyStoreError, MemberError, PostError, ActorError,
    GroupError, DomainRuleError, BlocklistError, VendorError,
)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fedi", description="A federated ActivityPub server.")
    parser.add_argument("--version", action="version", version=f"fedi {__version__}")
    parser.add_argument("--config", type=Path, help="TOML settings file (or FEDI_CONFIG)")
    parser.add_argument(
        "--dev-port",
        type=int,
        metavar="PORT",
        help="act on the development instance `fedi dev --port PORT` runs (what `./dev fedi` does)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the server")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000)")

    dev = commands.add_parser("dev", help="run a local development server with a ready account")
    dev.add_argument("--port", type=int, default=None, help=f"port (default {DEV_PORT})")

    add_worker_parser(commands)

    commands.add_parser("migrate", help="apply pending database migrations")

    add_member_parsers(commands)
    add_group_parser(commands)
    add_domains_parser(commands)
    add_vendor_parser(commands)
    add_database_parser(commands)

    return parser


def run(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "dev":
        command_dev(args)
        return 0
    if args.command == "vendor":  # needs no settings: it writes next to the code
        command_vendor(args)
        return 0
    if args.dev_port is not None:
        settings = dev_settings(args.dev_port, args.config)
    else:
        settings = load_settings(config_file=args.config)
    if args.command == "serve":
        command_serve(args, settings)
    elif args.command == "worker":
        command_worker(settings)
    elif args.command == "migrate":
        command_migrate(settings)
    elif args.command == "user":
        command_user(args, settings)
    elif args.command == "group":
        command_group(args, settings, with_context)
    elif args.command == "domains":
        command_domains(args, settings, with_context)
    elif args.command == "db":
        command_db(args, settings)
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
