"""`fedi user ...`, `fedi post` and `fedi follow`/`unfollow`: members and what they do, from the
command line."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from fedi.accounts.members import (
    add_member,
    approve_member,
    list_members,
    reject_member,
    set_password,
)
from fedi.accounts.members import set_suspended as set_member_suspended
from fedi.cli.base import CommandError, with_context
from fedi.core.config import Settings
from fedi.core.models import ROLES
from fedi.moderation.roles import change_role
from fedi.relationships.relationships import follow, unfollow
from fedi.statuses.posting import VISIBILITIES, post_status


def add_parsers(commands: Any) -> None:
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
