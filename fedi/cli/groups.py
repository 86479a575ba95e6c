"""`fedi group ...`: creating and listing groups from the command line."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fedi.context import Context
from fedi.core.config import Settings
from fedi.core.models import Group
from fedi.db import groups as group_rows
from fedi.groups.groups import create_group

T = TypeVar("T")
WithContext = Callable[[Settings, Callable[[Context], Awaitable[Any]]], Any]


def add_parser(commands: Any) -> None:
    group = commands.add_parser("group", help="manage groups").add_subparsers(
        dest="group_command", required=True, metavar="ACTION"
    )
    add = group.add_parser("add", help="create a group")
    add.add_argument("name", help="the group's handle (letters, digits, underscores)")
    add.add_argument("--owner", required=True, help="the member who owns and moderates it")
    add.add_argument(
        "--private", action="store_true", help="members-only: joining needs a moderator"
    )
    add.add_argument(
        "--local-only",
        action="store_true",
        help="private and limited to members of this instance: nothing about it federates",
    )
    add.add_argument("--display-name", default="", help="the group's name as people see it")
    add.add_argument("--description", default="", help="a public description")
    group.add_parser("list", help="list groups")


def _kind(group: Group) -> str:
    if group.is_local_only:
        return "local-only"
    return "private" if group.is_private else "public"


def command_group(args: argparse.Namespace, settings: Settings, with_context: WithContext) -> None:
    if args.group_command == "add":
        private = args.private or args.local_only

        async def add(context: Context) -> Group:
            return await create_group(
                context, args.name, args.owner, is_private=private,
                is_local_only=args.local_only, display_name=args.display_name,
                note=args.description,
            )  # fmt: skip

        group = with_context(settings, add)
        print(f"created {_kind(group)} group {group.account.username}: {group.account.uri}")
        return

    async def listing(context: Context) -> list[tuple[Group, int]]:
        async with context.db.read() as conn:
            found = await group_rows.list_groups(conn)
            return [(g, await group_rows.member_count(conn, g.id)) for g in found]

    rows = with_context(settings, listing)
    print(f"{'GROUP':<30} {'KIND':<11} {'MEMBERS':>7} CREATED")
    for group, count in rows:
        created = group.created_at.strftime("%Y-%m-%d")
        print(f"{group.account.username:<30} {_kind(group):<11} {count:>7} {created}")
