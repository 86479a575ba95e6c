"""`fedi vendor`: fetch the pinned third-party front-end files (htmx for the pages, and with
--tests the browser tests' axe-core) from the npm registry, checking each against the lock."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from fedi.web.vendor import STATIC_VENDOR_DIR, fetch, load_lock


def add_parser(commands: Any) -> None:
    vendor = commands.add_parser(
        "vendor", help="fetch the pinned front-end files (htmx) that the pages use"
    )
    vendor.add_argument(
        "--tests", type=Path, metavar="DIR", help="also fetch the browser tests' files into DIR"
    )
    vendor.add_argument("--quiet", action="store_true", help="print nothing when all is well")


def command_vendor(args: argparse.Namespace) -> None:
    files = load_lock()
    targets = [(STATIC_VENDOR_DIR, [f for f in files if f.use == "pages"])]
    if args.tests is not None:
        targets.append((args.tests.absolute(), [f for f in files if f.use == "tests"]))
    for directory, wanted in targets:
        fetched = fetch(wanted, directory)
        for file in wanted:
            state = "fetched" if file in fetched else "present"
            if not args.quiet or file in fetched:
                print(f"{state}: {file.package} {file.version} -> {directory / file.save_as}")
