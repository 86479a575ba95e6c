"""`fedi domains ...`: the instance's domain rules from the command line: block, unblock, list,
allow, disallow, the federation mode, and CSV export and import (Mastodon's format). Changes go
through fedi.moderation.domain_rules and are audited as done by the command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fedi.context import Context
from fedi.core.config import Settings
from fedi.db import domain_rules as rules
from fedi.db.domain_rules import BlockFields
from fedi.moderation.blocklist_format import BlocklistError, export_csv, parse_csv
from fedi.moderation.blocklist_import import apply_import, plan_import
from fedi.moderation.domain_rules import (
    SEVERITIES,
    DomainRuleError,
    allow_domain,
    block_domain,
    checked_domain,
    disallow_domain,
    set_allowlist_mode,
    unblock_domain,
)

WithContext = Callable[[Settings, Callable[[Context], Awaitable[Any]]], Any]
MAX_FILE = 16 * 1024 * 1024


def add_parser(commands: Any) -> None:
    domains = commands.add_parser(
        "domains", help="block, limit or allow other servers"
    ).add_subparsers(dest="domains_command", required=True, metavar="ACTION")
    block = domains.add_parser("block", help="block or limit a domain (and its subdomains)")
    block.add_argument("domain")
    block.add_argument("--severity", choices=SEVERITIES, default="suspend")
    block.add_argument("--reject-media", action="store_true")
    block.add_argument("--reject-reports", action="store_true")
    block.add_argument("--obfuscate", action="store_true", help="hide it in the public list")
    block.add_argument("--private-comment", default="")
    block.add_argument("--public-comment", default="")
    domains.add_parser("unblock", help="lift a domain's block").add_argument("domain")
    domains.add_parser("list", help="list blocked and allowed domains")
    domains.add_parser("allow", help="allow a domain (allowlist mode)").add_argument("domain")
    domains.add_parser("disallow", help="remove an allowed domain").add_argument("domain")
    mode = domains.add_parser("mode", help="open federation or allowlist mode")
    mode.add_argument("mode", choices=("open", "allowlist"))
    export = domains.add_parser("export", help="write the blocks as CSV (Mastodon's format)")
    export.add_argument("file", nargs="?", help="the file to write (standard output if none)")
    imp = domains.add_parser("import", help="import blocks from a CSV file")
    imp.add_argument("file")
    imp.add_argument("--dry-run", action="store_true", help="only show what would change")
    imp.add_argument(
        "--weaken", action="store_true", help="also apply lines weaker than a manual block"
    )


def _read(path: str) -> str:
    try:
        data = Path(path).read_bytes()[: MAX_FILE + 1]
    except OSError as exc:
        raise BlocklistError(f"cannot read {path}: {exc.strerror}") from None
    if len(data) > MAX_FILE:
        raise BlocklistError(f"{path} is larger than 16 MiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise BlocklistError(f"{path} is not UTF-8 text") from None


async def _unblock(context: Context, text: str) -> None:
    domain = checked_domain(context, text)
    async with context.db.read() as conn:
        block = await rules.block_of(conn, domain)
    if block is None:
        raise DomainRuleError("not_blocked", f"{domain} is not blocked")
    await unblock_domain(context, None, block)


async def _disallow(context: Context, text: str) -> None:
    domain = checked_domain(context, text)
    async with context.db.read() as conn:
        found = [a for a in await rules.all_allows(conn) if a.domain == domain]
    if not found:
        raise DomainRuleError("not_allowed", f"{domain} is not in the allowed domains")
    await disallow_domain(context, None, found[0])


async def _listing(context: Context) -> tuple[list[Any], list[Any], str | None]:
    async with context.db.read() as conn:
        return (await rules.all_blocks(conn), await rules.all_allows(conn),
                await rules.get_setting(conn, rules.ALLOWLIST_MODE))  # fmt: skip


async def _export(context: Context) -> str:
    async with context.db.read() as conn:
        return export_csv(await rules.all_blocks(conn))


def command_domains(
    args: argparse.Namespace, settings: Settings, with_context: WithContext
) -> None:
    action = args.domains_command
    if action == "block":
        fields = BlockFields(args.severity, args.reject_media, args.reject_reports, args.obfuscate,
                             args.private_comment, args.public_comment)  # fmt: skip
        block = with_context(settings, lambda c: block_domain(c, None, args.domain, fields))
        print(f"{block.domain}: {block.severity}")
    elif action == "unblock":
        with_context(settings, lambda c: _unblock(c, args.domain))
        print(f"{args.domain} is no longer blocked")
    elif action == "allow":
        allow = with_context(settings, lambda c: allow_domain(c, None, args.domain))
        print(f"{allow.domain} is allowed")
    elif action == "disallow":
        with_context(settings, lambda c: _disallow(c, args.domain))
        print(f"{args.domain} is no longer allowed")
    elif action == "mode":
        with_context(settings, lambda c: set_allowlist_mode(c, None, args.mode == "allowlist"))
        print(f"federation mode: {args.mode}")
    elif action == "list":
        blocks, allows, mode = with_context(settings, _listing)
        print(f"federation mode: {'allowlist' if mode == 'on' else 'open'}")
        print(f"{'DOMAIN':<40} {'SEVERITY':<9} {'MEDIA':<6} {'REPORTS':<8} SOURCE")
        for b in blocks:
            print(f"{b.domain:<40} {b.severity:<9} {'reject' if b.reject_media else '-':<6} "
                  f"{'reject' if b.reject_reports else '-':<8} {b.source}")  # fmt: skip
        for a in allows:
            print(f"{a.domain:<40} allowed")
    elif action == "export":
        text = with_context(settings, _export)
        if args.file:
            try:
                Path(args.file).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise BlocklistError(f"cannot write {args.file}: {exc.strerror}") from None
            print(f"wrote {text.count(chr(10)) - 1} domains to {args.file}")
        else:
            sys.stdout.write(text)
    elif action == "import":
        entries = parse_csv(_read(args.file))
        if args.dry_run:
            plan = with_context(settings, lambda c: plan_import(c, entries))
            for planned in plan:
                old = (
                    f" (now {planned.existing.severity}, {planned.existing.source})"
                    if planned.existing
                    else ""
                )
                print(f"{planned.kind:<8} {planned.listed.domain} {planned.listed.severity}{old}")
            print("dry run: nothing was changed")
            return
        name = Path(args.file).name
        counts = with_context(
            settings, lambda c: apply_import(c, None, entries, name, include_weaker=args.weaken)
        )
        print(f"imported {name}: {counts['new']} new, {counts['update']} updated, "
              f"{counts['same']} unchanged, {counts['skipped']} weaker than a manual block "
              f"skipped{' (use --weaken to apply them)' if counts['skipped'] else ''}")  # fmt: skip
